"""Check the whole safe: every file decrypts and matches its SHA-256; orphan blobs;
rows without blobs; interrupted uploads. Exit status 1 when something is wrong."""

import json

from django.core.management.base import BaseCommand, CommandError

from passeport.vault.integrity import integrity_check


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--quick", action="store_true",
                            help="only check that every blob exists (no decryption)")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args, quick=False, json=False, **options):
        report = integrity_check(deep=not quick)
        if json:
            self.stdout.write(_dumps(report.as_dict()))
        else:
            self.stdout.write(f"files checked: {report.checked}")
            for label, items in (("content mismatches", report.mismatches),
                                 ("rows without blob", report.missing),
                                 ("orphan blobs", report.orphans),
                                 ("interrupted uploads (vault_recover removes them)",
                                  report.interrupted),
                                 ("temporary leftovers", report.leftovers)):
                self.stdout.write(f"{label}: {len(items)}")
                for item in items[:50]:
                    self.stdout.write(f"  {item}")
        if not report.ok:
            raise CommandError("The safe has integrity problems (see above).")


def _dumps(data):
    return json.dumps(data, indent=2)
