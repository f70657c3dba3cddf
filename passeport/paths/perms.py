"""Who may do what on a path."""

from __future__ import annotations

from django.utils.translation import gettext as _

from passeport.core.actor import Actor
from passeport.core.errors import NotFound
from passeport.people.enums import ConsentScope
from passeport.people.selectors import active_consent

from .models import Path


def is_the_person(actor: Actor, path: Path) -> bool:
    return (actor.user is not None and actor.membership is None
            and path.person.user_id == actor.user.pk)


def ensure_can_write(actor: Actor, path: Path) -> None:
    """Professionals of an organisation holding the person's active consent to the
    path, or the person themselves. Anyone else gets 404."""
    if is_the_person(actor, path):
        return
    if actor.organisation_id is None or active_consent(path.person, actor.organisation_id,
                                                       ConsentScope.PATH) is None:
        raise NotFound(_("Passeport introuvable."))


def ensure_professional(actor: Actor, path: Path) -> None:
    if is_the_person(actor, path):
        raise NotFound(_("Cette action est faite par votre référent."))
    ensure_can_write(actor, path)
