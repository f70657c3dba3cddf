"""Signals that the apps above `paths` send to write in a person's path timeline, so
that `paths` records every change of the path in one place without importing them.

`job_event`: something happened about the person and a job or an immersion (proposed
to an employer, interview, hired, refused, immersion validated or assessed). Sent
inside the transaction of the change with `person`, `title`, `body` (may be empty),
`occurred_at`, `author` (a User or None) and `organisation` (who acted)."""

from django.dispatch import Signal

job_event = Signal()
