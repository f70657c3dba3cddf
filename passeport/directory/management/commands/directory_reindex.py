"""`manage.py directory_reindex`: derive the search fields of every service again (after
an update of the data·inclusion schema package or of the communes). Idempotent."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from passeport.directory.indexing import services_reindex


class Command(BaseCommand):
    help = "Recalcule les champs de recherche de tous les services de l'annuaire."

    def handle(self, *args, **options):
        self.stdout.write(f"{services_reindex()} services réindexés.")
