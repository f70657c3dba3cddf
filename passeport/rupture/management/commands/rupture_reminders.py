"""`manage.py rupture_reminders`: send the reminders (SMS and e-mail) of the appointments
and actions due, and of the booking invitations left unanswered the day before their
deadline, at the hour each organisation set. Run it every hour; `--enqueue` hands
the work to the tasks worker."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from passeport.rupture.booking import booking_reminders_send
from passeport.rupture.reminders import reminders_send
from passeport.rupture.tasks import rupture_reminders_task


class Command(BaseCommand):
    help = ("Envoie les rappels de rendez-vous, d'actions et d'invitations à choisir un "
            "rendez-vous aux personnes (SMS et e-mail).")

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true",
                            help="Confie le travail au worker des tâches.")

    def handle(self, *args, enqueue: bool, **options):
        if enqueue:
            result = rupture_reminders_task.enqueue()
            self.stdout.write(f"Tâche mise en file : {result.id}")
            return
        result = reminders_send()
        self.stdout.write(f"Rappels envoyés : {result.sent} ; échecs : {result.failed} ; "
                          f"personnes sans moyen de contact : {result.not_reachable}.")
        booking = booking_reminders_send()
        self.stdout.write(f"Rappels d'invitations à choisir un rendez-vous envoyés : "
                          f"{booking.sent} ; échecs : {booking.failed}.")
        for error in sorted(set(result.errors + booking.errors)):
            self.stderr.write(f"Échec : {error}")
