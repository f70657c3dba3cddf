"""Background work of the rights app (django-tasks: immediate in development and tests).

`compute_pending_checks` drains the whole queue, not only the estimate that enqueued it:
when a burst of requests arrives, the first task computes them all in one simulation and
the next ones find nothing left to do (micro-batching)."""

from __future__ import annotations

from django_tasks import task


@task()
def compute_pending_checks() -> int:
    from .services import checks_compute_pending

    return checks_compute_pending()


@task()
def run_screening(run_id: int) -> int:
    from .services import screening_execute

    return screening_execute(run_id).persons_count
