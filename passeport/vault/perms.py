"""Who may do what in the safe.

- The person (logged in as themselves, without acting for an organisation) owns the safe:
  deposits, reads, shares and unshares, edits, deletes, exports.
- A professional (or an organisation's API token) reaches a person's safe only through
  the consent check of the "documents" scope (`person_get_for`, which also records an
  audit event), then sees only the documents that an active share opens to the
  organisation. With that consent they may deposit a document for the person. They
  never share, unshare, edit, delete nor export. Anyone else gets NotFound (404).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from passeport.core.actor import Actor
from passeport.core.errors import NotFound
from passeport.people.models import Person


def is_owner(actor: Actor, person: Person) -> bool:
    return (actor.user is not None and actor.membership is None and actor.api_token is None
            and person.user_id is not None and person.user_id == actor.user.pk)


def ensure_owner(actor: Actor, person: Person) -> None:
    """Only the person acts on their shares, edits, deletes and exports. Others get
    NotFound, as for what they may not see (a professional never re-shares)."""
    if not is_owner(actor, person):
        raise NotFound(_("Document introuvable."))
