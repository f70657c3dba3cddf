"""E-mail the persons whose papers expire soon (run daily)."""

from django.core.management.base import BaseCommand

from passeport.vault.tasks import send_expiry_reminders


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--today", help="YYYY-MM-DD (default: today)")

    def handle(self, *args, today=None, **options):
        result = send_expiry_reminders.enqueue(today)
        self.stdout.write(f"reminders task: {result.status}"
                          + (f", e-mails sent: {result.return_value}"
                             if result.status == "SUCCESSFUL" else ""))
