"""Compute pending estimates in micro-batches (and pending screenings), with a warm
OpenFisca engine.

Run it next to the web server with PASSEPORT_RIGHTS_QUEUE=worker: the pages store pending
estimates and return at once; the worker polls the queue every --interval seconds and
computes everything pending in one vectorised simulation (a burst of 100 requests is one
batch)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from passeport.rights import services
from passeport.rights.engine import warm_up


class Command(BaseCommand):
    help = "Calcule les estimations de droits en attente, par lots (moteur OpenFisca chaud)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=services.BATCH_SIZE,
                            help="Estimations par simulation (défaut %(default)s).")
        parser.add_argument("--interval", type=float, default=0.2,
                            help="Secondes entre deux lectures de la file (défaut %(default)s).")
        parser.add_argument("--once", action="store_true",
                            help="Vider la file puis s'arrêter.")
        parser.add_argument("--max-seconds", type=float, default=0,
                            help="S'arrêter après ce temps (0 : jamais).")

    def handle(self, *args, batch: int, interval: float, once: bool, max_seconds: float, **kw):
        started = time.monotonic()
        warm_up()
        self.stdout.write(f"Moteur prêt en {time.monotonic() - started:.1f} s.")
        while True:
            services.checks_release_stale()
            done = services.checks_compute_pending(limit=batch)
            if done:
                self.stdout.write(f"{done} estimation(s) calculée(s).")
            screened = services.screenings_run_pending()
            if screened:
                self.stdout.write(f"{screened} repérage(s) de file active fait(s).")
            done += screened
            if once and not done:
                return
            if max_seconds and time.monotonic() - started > max_seconds:
                return
            if not done:
                time.sleep(interval)
