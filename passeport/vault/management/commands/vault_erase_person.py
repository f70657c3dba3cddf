"""Erase all the documents of a person on request (crypto-shredding: rows and wrapped
keys deleted, blobs removed; the log keeps one tombstone per document)."""

from django.core.management.base import BaseCommand, CommandError

from passeport.core.actor import Actor
from passeport.people.models import Person
from passeport.vault.services import person_documents_erase


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("public_id")
        parser.add_argument("--reason", default="request")

    def handle(self, *args, public_id, reason, **options):
        person = Person.objects.filter(public_id=public_id).first()
        if person is None:
            raise CommandError("No such person.")
        count = person_documents_erase(actor=Actor.system(), person=person, reason=reason)
        self.stdout.write(f"documents erased: {count}")
