"""Remove what interrupted uploads left (journaled blobs, temporary files). Run it at
start-up with --older-than-minutes 0 when no worker is running, or periodically."""

import datetime as dt

from django.core.management.base import BaseCommand

from passeport.vault.services import vault_recover


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--older-than-minutes", type=int, default=60)
        parser.add_argument("--orphans", action="store_true",
                            help="also delete blobs that no row references")

    def handle(self, *args, older_than_minutes=60, orphans=False, **options):
        report = vault_recover(older_than=dt.timedelta(minutes=older_than_minutes),
                               orphans=orphans)
        self.stdout.write(f"interrupted uploads removed: {report.pending_removed}")
        self.stdout.write(f"temporary leftovers removed: {report.leftovers_removed}")
        if orphans:
            self.stdout.write(f"orphan blobs removed: {report.orphans_removed}")
