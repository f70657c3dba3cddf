"""Screen an organisation's whole caseload (persons with the consent scope "rights")."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from passeport.core.models import Organisation
from passeport.rights.engine import warm_up
from passeport.rights.models import ScreeningRun
from passeport.rights.selectors import current_month
from passeport.rights.services import SCREEN_READ_CHUNK, screening_execute


class Command(BaseCommand):
    help = "Repère le non-recours aux droits dans toute la file active d'une structure."

    def add_arguments(self, parser):
        parser.add_argument("--organisation", type=int, required=True, help="Id de la structure.")
        parser.add_argument("--month", help="Mois estimé, AAAA-MM (défaut : ce mois-ci).")
        parser.add_argument("--chunk", type=int, default=SCREEN_READ_CHUNK,
                            help="Personnes par simulation (borne la mémoire).")
        parser.add_argument("--processes", type=int, default=None,
                            help="Processus de calcul (défaut : un par cœur, 4 au plus).")

    def handle(self, *args, organisation: int, month: str | None, chunk: int,
               processes: int | None, **kw):
        org = Organisation.objects.filter(pk=organisation).first()
        if org is None:
            raise CommandError(f"Structure {organisation} introuvable.")
        try:
            when = date.fromisoformat(f"{month}-01") if month else current_month()
        except ValueError as exc:
            raise CommandError("Mois invalide : AAAA-MM.") from exc
        warm_up()  # the engine is built before the screening starts
        run = ScreeningRun.objects.create(organisation=org, month=when)
        run = screening_execute(run.pk, chunk_size=chunk, processes=processes)
        if run.error:
            raise CommandError(run.error)
        self.stdout.write(
            f"Repérage {run.pk} : {run.persons_count} personnes, {run.flagged_count} avec un "
            f"droit probablement non demandé ({run.flagged_total} € par mois au total), "
            f"en {run.duration_s:.1f} s ({getattr(run, 'timings', {})}).")
