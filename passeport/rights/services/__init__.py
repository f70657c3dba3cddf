"""Writes of the rights app: the household situation, estimate requests and the queue
that computes them in batches, non-take-up turned into actions, caseload screenings.

Pages never wait for OpenFisca: a request stores a pending estimate; the task (immediate
in development and tests) or the `rights_worker` command computes every pending estimate
in one vectorised simulation.
"""

from __future__ import annotations

from ..engine import HouseholdInput, estimate_many
from .common import BATCH_SIZE, FIRST_MONTH, MIN_AMOUNT, STALE_AFTER, queue_mode
from .estimates import (
    checks_claim,
    checks_compute,
    checks_compute_pending,
    checks_release_stale,
    estimate_request,
    flag_to_action,
    flags_for,
)
from .screening import (
    SCREEN_READ_CHUNK,
    screen_processes,
    screening_execute,
    screening_start,
    screenings_run_pending,
)
from .situation import SECTIONS, received_mark, situation_data, situation_declare, situation_save

__all__ = [
    "BATCH_SIZE",
    "FIRST_MONTH",
    "MIN_AMOUNT",
    "SCREEN_READ_CHUNK",
    "STALE_AFTER",
    "HouseholdInput",
    "checks_claim",
    "checks_compute",
    "checks_compute_pending",
    "checks_release_stale",
    "estimate_many",
    "estimate_request",
    "flag_to_action",
    "flags_for",
    "queue_mode",
    "received_mark",
    "screen_processes",
    "screening_execute",
    "screening_start",
    "screenings_run_pending",
    "situation_data",
    "situation_declare",
    "situation_save",
    "SECTIONS",
]
