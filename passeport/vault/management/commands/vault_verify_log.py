"""Verify the hash chain of the safe's log. Prints the head (to record elsewhere, and
to give back later with --anchor). Exit status 1 when the chain is broken."""

from django.core.management.base import BaseCommand, CommandError

from passeport.vault import ledger


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--anchor", help="SEQ:HASH of a head recorded earlier")

    def handle(self, *args, anchor=None, **options):
        parsed = None
        if anchor:
            seq, _, digest = anchor.partition(":")
            if not seq.isdigit() or len(digest) != 64:
                raise CommandError("--anchor takes SEQ:HASH (the head printed earlier).")
            parsed = (int(seq), digest)
        report = ledger.verify(anchor=parsed)
        self.stdout.write(f"entries checked: {report.checked}")
        self.stdout.write(f"head: {report.head_seq}:{report.head_hash}")
        if not report.ok:
            for problem in report.problems:
                self.stdout.write(f"  {problem}")
            raise CommandError("The log's hash chain is broken.")
        self.stdout.write("chain OK")
