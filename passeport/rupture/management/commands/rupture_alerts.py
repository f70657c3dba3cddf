"""`manage.py rupture_alerts`: compute the signals of rupture of every followed path in
batches, raise and clear alerts, and send the e-mail digests. Run it daily; `--enqueue`
hands the work to the tasks worker; `--no-digest` skips the e-mails; `--date` computes
as of another day (YYYY-MM-DD)."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from passeport.rupture.services import alerts_refresh, digest_send
from passeport.rupture.tasks import rupture_daily_task


class Command(BaseCommand):
    help = "Calcule les signaux de risque de rupture, lève les alertes et envoie les résumés."

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true",
                            help="Confie le travail au worker des tâches.")
        parser.add_argument("--no-digest", action="store_true", help="N'envoie pas les e-mails.")
        parser.add_argument("--date", help="Calcule à cette date (AAAA-MM-JJ).")
        parser.add_argument("--batch-size", type=int, default=None)

    def handle(self, *args, enqueue: bool, no_digest: bool, date: str | None, batch_size,
               **options):
        if enqueue:
            result = rupture_daily_task.enqueue()
            self.stdout.write(f"Tâche mise en file : {result.id}")
            return
        try:
            day = _parse(date)
        except ValueError as exc:
            raise CommandError("Date attendue au format AAAA-MM-JJ.") from exc
        result = alerts_refresh(today=day, batch_size=batch_size)
        sent = 0 if no_digest else digest_send(today=day)
        self.stdout.write(f"Parcours : {result.paths} ({result.batches} lots) ; alertes levées : "
                          f"{result.raised} ; disparues : {result.cleared} ; e-mails : {sent}.")


def _parse(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
