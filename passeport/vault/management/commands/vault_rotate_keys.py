"""Re-wrap every data key under the current master key (PASSEPORT_VAULT_MASTER_KEY).
Keep the old key in PASSEPORT_VAULT_PREVIOUS_KEYS until this reports nothing left."""

from django.core.management.base import BaseCommand, CommandError

from passeport.vault.services import keys_rotate


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="only count")
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, dry_run=False, batch_size=500, **options):
        report = keys_rotate(batch_size=batch_size, dry_run=dry_run)
        self.stdout.write(f"current key: {report.current_kek}")
        self.stdout.write(f"re-wrapped: {report.rewrapped}")
        for kek_id, count in sorted(report.remaining_by_kek.items()):
            self.stdout.write(f"still under {kek_id}: {count}")
        if report.failed:
            for line in report.failed[:50]:
                self.stdout.write(f"  {line}")
            raise CommandError(f"{len(report.failed)} data keys could not be unwrapped.")
