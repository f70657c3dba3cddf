"""`manage.py access_requests_expire`: store « expirée » on the access requests left
unanswered past their date. Run it daily; re-running it changes nothing."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from passeport.people.services import access_requests_expire


class Command(BaseCommand):
    help = "Passe à « expirée » les demandes d'accès restées sans réponse après leur date."

    def handle(self, *args, **options):
        count = access_requests_expire()
        self.stdout.write(f"Demandes d'accès expirées : {count}.")
