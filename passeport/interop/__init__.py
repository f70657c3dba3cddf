"""Interoperability: webhooks that tell other systems what happens in the passport
(signed, retried, logged, never more personal data than the person's consent allows),
and the portable passport bundle (export as JSON + PDF, import into another instance).

It reads every domain and sits just below the pages and the API; the lower layers tell
it about events through their signals (`paths.signals`, `directory.signals`,
`vault.signals`, `rupture.signals`), received in `receivers.py`."""
