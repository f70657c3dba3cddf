"""`manage.py passport_import BUNDLE.json --organisation SIRET --consent-method written
--purpose "…" --attest`: import a person's passport bundle exported by another Passeport
instance (the person moves to another département), keeping their public identifier.
The organisation attests the person's consent; without `--attest` nothing is imported.
Importing the same bundle twice creates nothing the second time."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from passeport.core.actor import Actor
from passeport.core.errors import PasseportError
from passeport.core.models import Organisation
from passeport.interop.services import bundle_import


class Command(BaseCommand):
    help = "Importe le passeport d'une personne exporté par une autre instance (avec son accord)."

    def add_arguments(self, parser):
        parser.add_argument("bundle", help="Le fichier JSON exporté par la personne.")
        parser.add_argument("--organisation", required=True,
                            help="SIRET (ou identifiant) de la structure qui importe.")
        parser.add_argument("--consent-method", default="written",
                            choices=["written", "oral", "legal"])
        parser.add_argument("--purpose", default="", help="Pour quoi faire (l'accord).")
        parser.add_argument("--attest", action="store_true",
                            help="La structure atteste l'accord de la personne.")

    def handle(self, *args, bundle: str, organisation: str, consent_method: str, purpose: str,
               attest: bool, **options):
        org = (Organisation.objects.filter(siret=organisation).first()
               or (Organisation.objects.filter(pk=organisation).first()
                   if organisation.isdigit() else None))
        if org is None:
            raise CommandError("Structure inconnue (SIRET ou identifiant).")
        try:
            with open(bundle, encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, ValueError) as exc:
            raise CommandError(f"Fichier illisible : {exc}") from exc
        try:
            result = bundle_import(actor=Actor.system(), organisation=org, data=data,
                                   consent_method=consent_method, purpose=purpose,
                                   attested=attest)
        except PasseportError as exc:
            raise CommandError(f"[{exc.code}] {exc.message}") from exc
        counts = ", ".join(f"{k} : {v}" for k, v in sorted(result["counts"].items())) or "rien"
        self.stdout.write(f"Passeport {result['public_id']} importé "
                          f"({'nouveau' if result['person_created'] else 'déjà là'}) ; {counts}.")
        for item in result.get("skipped", []):
            self.stdout.write(f"Non importé ({item['section']}) : {item['what']} : {item['reason']}")
