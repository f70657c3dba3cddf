"""Signals of the digital safe, for the apps above it (e.g. `interop`'s webhooks).

`document_shared`: the person shared a document or a category with an organisation;
sent inside the transaction, with `sender=Share`, `share` and `actor`.
"""

from django.dispatch import Signal

document_shared = Signal()
