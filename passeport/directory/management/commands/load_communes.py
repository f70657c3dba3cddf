"""`manage.py load_communes`: (re)load the French communes shipped with Passeport.

The data migration `directory.0002_load_communes` already loads them on `migrate`; run
this command after an update of passeport/directory/data/communes.csv.gz. Idempotent."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from passeport.directory.communes import DATA_FILE, load_communes
from passeport.directory.models import Commune, CommunePostalCode


class Command(BaseCommand):
    help = "Charge ou met à jour les communes françaises (code officiel géographique)."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=DATA_FILE,
                            help="Fichier CSV (éventuellement .gz) au format de data/README.md.")
        parser.add_argument("--prune", action="store_true",
                            help="Supprime les communes absentes du fichier.")

    def handle(self, *args, file: Path, prune: bool, **options):
        start = time.perf_counter()
        with transaction.atomic():
            result = load_communes(Commune, CommunePostalCode, path=file, prune=prune)
        self.stdout.write(
            f"Communes : {result.created} ajoutées, {result.updated} mises à jour, "
            f"{result.unchanged} inchangées, {result.deleted} supprimées "
            f"({time.perf_counter() - start:.1f} s).")
