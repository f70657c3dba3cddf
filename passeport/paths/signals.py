"""Signals of the path.

For the apps above it (e.g. `interop`'s webhooks), sent inside the transaction of the
change, with `sender=Path`, `path` and `actor`:

- `path_opened`: a path was opened (`path_open`, also through `person_enrol`);
- `path_closed`: a path was closed (`path_set_status` to closed);
- `booking_invited`: a référent invited the person to choose an appointment slot
  (`booking_services.booking_invite`), with `invitation` and `raw_token` (the single-use
  link's token for a person without an account, else ""); `rupture` sends the message.

From the apps above it, to write in a person's path timeline so that `paths` records
every change of the path in one place without importing them:

- `job_event`: something happened about the person and a job or an immersion (proposed
  to an employer, interview, hired, refused, immersion validated or assessed). Sent
  inside the transaction of the change with `person`, `title`, `body` (may be empty),
  `occurred_at`, `author` (a User or None) and `organisation` (who acted).
- `situation_declared`: the person gave or corrected part of their situation in « Mes
  droits » (`rights`). Sent inside the transaction of the change with `path`, `title`,
  `body` (never an amount), `occurred_at` and `author` (the person's user).
"""

from django.dispatch import Signal

path_opened = Signal()
path_closed = Signal()
job_event = Signal()
booking_invited = Signal()
situation_declared = Signal()
