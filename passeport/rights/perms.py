"""Who may read or change a person's rights: the person themselves, or an organisation
holding the person's active consent for the scope "rights". Anyone else gets 404."""

from __future__ import annotations

from django.utils.translation import gettext as _

from passeport.core.actor import Actor
from passeport.core.errors import NotFound
from passeport.people.enums import ConsentScope
from passeport.people.models import Consent, Person
from passeport.people.selectors import active_consent


def is_the_person(actor: Actor, person: Person) -> bool:
    return actor.user is not None and actor.membership is None and person.user_id == actor.user.pk


def rights_consent(actor: Actor, person: Person) -> Consent | None:
    """The consent the actor's organisation acts under; None for the person themselves.
    NotFound when there is none."""
    if is_the_person(actor, person):
        return None
    consent = active_consent(person, actor.organisation_id, ConsentScope.RIGHTS)
    if consent is None:
        raise NotFound(_("Passeport introuvable."))
    return consent


def ensure_professional(actor: Actor, person: Person) -> Consent:
    consent = rights_consent(actor, person)
    if consent is None:
        raise NotFound(_("Cette action est faite par votre référent."))
    return consent
