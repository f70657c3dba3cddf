"""`manage.py load_rome`: (re)load the ROME 4.0 referential shipped with Passeport.

The data migration `jobs.0002_load_rome` already loads it on `migrate`; run this
command after an update of passeport/jobs/data/*.csv.gz. Idempotent."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from passeport.jobs import models
from passeport.jobs.rome import MODEL_NAMES, load_rome
from passeport.jobs.selectors import referential


class Command(BaseCommand):
    help = "Charge ou met à jour le référentiel ROME 4.0 (fiches, appellations, compétences)."

    def handle(self, *args, **options):
        start = time.perf_counter()
        result = load_rome({name: getattr(models, name) for name in MODEL_NAMES})
        referential.cache_clear()
        for table, c in result.counts.items():
            self.stdout.write(f"{table} : {c['created']} ajoutés, {c['updated']} mis à jour, "
                              f"{c['unchanged']} inchangés")
        self.stdout.write(f"({time.perf_counter() - start:.1f} s)")
