"""Signals of the path, for the apps above it (e.g. `interop`'s webhooks).

Sent inside the transaction of the change, with `sender=Path`, `path` and `actor`:

- `path_opened`: a path was opened (`path_open`, also through `person_enrol`);
- `path_closed`: a path was closed (`path_set_status` to closed).
"""

from django.dispatch import Signal

path_opened = Signal()
path_closed = Signal()
