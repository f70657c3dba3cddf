"""`manage.py orientations_follow_up`: remind and expire orientations left without
answer (see PASSEPORT_ORIENTATION_REMIND_DAYS and PASSEPORT_ORIENTATION_EXPIRE_DAYS).
Run it daily; `--enqueue` hands the work to the tasks worker instead."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from passeport.directory.tasks import orientations_follow_up_task


class Command(BaseCommand):
    help = "Relance les partenaires des orientations sans réponse et clôt les plus anciennes."

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true",
                            help="Confie le travail au worker des tâches au lieu de le faire ici.")

    def handle(self, *args, enqueue: bool, **options):
        if enqueue:
            result = orientations_follow_up_task.enqueue()
            self.stdout.write(f"Tâche mise en file : {result.id}")
            return
        counts = orientations_follow_up_task.call()
        self.stdout.write(f"Orientations : {counts['reminded']} relancées, "
                          f"{counts['expired']} expirées.")
