"""Retention of the safe (CNIL référentiel for social support): purge the documents of
persons whose path closed more than PASSEPORT_VAULT_RETENTION_YEARS ago (2 by default)
and who have no open path. The selection needs the paths, which are above the safe in
the layers: this command (in `web`) selects, the safe's task purges."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from passeport.paths.selectors import persons_with_paths_closed_before
from passeport.vault.tasks import purge_for_retention


def years_before(day, years: int):
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, dry_run=False, **options):
        cutoff = years_before(timezone.localdate(), settings.PASSEPORT_VAULT_RETENTION_YEARS)
        ids = list(persons_with_paths_closed_before(cutoff).values_list("pk", flat=True))
        self.stdout.write(f"cutoff: {cutoff.isoformat()}, persons: {len(ids)}")
        if dry_run or not ids:
            return
        result = purge_for_retention.enqueue(ids, cutoff.isoformat())
        self.stdout.write(f"purge task: {result.status}"
                          + (f", documents purged: {result.return_value}"
                             if result.status == "SUCCESSFUL" else ""))
