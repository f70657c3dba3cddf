"""`manage.py badges_issuer_key <organisation>`: list an organisation's badge signing keys;
`--rotate` changes them (the old ones stay published, credentials already issued stay
valid); `--compromised N --reason "…"` declares key N compromised (everything it signed
becomes invalid, whatever its dates; the current key is replaced first). The organisation
is given by its id or its SIRET. Audited as the system actor."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from passeport.core.actor import Actor
from passeport.core.errors import PasseportError
from passeport.core.models import Organisation
from passeport.skills import credentials as cr
from passeport.skills.selectors import issuer_keys_of
from passeport.skills.services import issuer_ensure, issuer_key_compromise, issuer_key_rotate


class Command(BaseCommand):
    help = "Clés de signature des badges d'une structure : liste, changement, compromission."

    def add_arguments(self, parser):
        parser.add_argument("organisation", help="Identifiant ou SIRET de la structure.")
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--rotate", action="store_true", help="Changer la clé de signature.")
        action.add_argument("--compromised", type=int, metavar="N",
                            help="Déclarer la clé n° N compromise.")
        parser.add_argument("--reason", default="", help="Pourquoi (obligatoire avec --compromised).")

    def handle(self, *args, organisation: str, rotate: bool, compromised: int | None, reason: str,
               **options):
        lookup = Q(siret=organisation) | (Q(pk=int(organisation)) if organisation.isdigit() else Q())
        org = Organisation.objects.filter(lookup).first()
        if org is None:
            raise CommandError(f"Structure introuvable : {organisation}")
        actor = Actor.system()
        try:
            if rotate:
                key = issuer_key_rotate(actor=actor, organisation=org, reason=reason)
                self.stdout.write(f"Nouvelle clé n° {key.number} : {cr.key_url(key)}")
            elif compromised is not None:
                key = issuer_key_compromise(actor=actor, organisation=org, number=compromised,
                                            reason=reason)
                self.stdout.write(f"Clé n° {key.number} déclarée compromise.")
        except PasseportError as exc:
            raise CommandError(exc.message) from exc
        for key in issuer_keys_of(issuer_ensure(org)):
            state = ("compromise" if key.is_compromised else "actuelle" if key.is_current
                     else "retirée")
            self.stdout.write(f"n° {key.number}\t{state}\t{cr.key_url(key)}\t{key.public_key_multibase}")
