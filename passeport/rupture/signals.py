"""Signals of the risk of rupture, for the apps above it (e.g. `interop`'s webhooks).

`alerts_raised`: new alerts were raised by the daily detection; sent inside the
transaction of the batch, with `sender=Alert` and `alerts` (a list of unsaved-pk Alert
objects carrying `path`, `kind` and `raised_on`).
"""

from django.dispatch import Signal

alerts_raised = Signal()
