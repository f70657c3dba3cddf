"""`manage.py webhooks_deliver`: attempt the webhook deliveries that are due (first
tries left by a stopped worker, and retries after 1 min, 5 min, 30 min, 2 h, 12 h).
Run it every minute; `--due-actions` also emits `action.due` for today's actions (run
once a day); `--enqueue` hands the work to the tasks worker."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from passeport.interop.services import actions_due_emit, deliveries_send
from passeport.interop.tasks import webhooks_deliver_due_task


class Command(BaseCommand):
    help = "Envoie les webhooks en attente (avec les nouvelles tentatives)."

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true",
                            help="Confie le travail au worker des tâches.")
        parser.add_argument("--due-actions", action="store_true",
                            help="Émet aussi « action.due » pour les actions du jour.")

    def handle(self, *args, enqueue: bool, due_actions: bool, **options):
        if due_actions:
            self.stdout.write(f"Actions du jour : {actions_due_emit()} livraison(s) créée(s).")
        if enqueue:
            result = webhooks_deliver_due_task.enqueue()
            self.stdout.write(f"Tâche mise en file : {result.id}")
            return
        counts = deliveries_send()
        self.stdout.write(" ; ".join(f"{k} : {v}" for k, v in counts.items()))
