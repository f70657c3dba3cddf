"""Who may do what in the directory."""

from __future__ import annotations

from django.utils.translation import gettext as _

from passeport.core.actor import Actor
from passeport.core.enums import Role
from passeport.core.errors import Forbidden, NotFound
from passeport.core.models import Organisation


def own_organisation(actor: Actor) -> Organisation:
    org = actor.organisation
    if org is None:
        raise NotFound(_("Aucune structure : réservé aux professionnels."))
    return org


def can_manage_offer(actor: Actor) -> bool:
    """Managers and administrators publish their organisation's services (and its API
    tokens, used by its own systems)."""
    if actor.api_token is not None:
        return True
    return actor.membership is not None and actor.membership.role in (Role.MANAGER, Role.ADMIN)


def ensure_can_manage_offer(actor: Actor) -> Organisation:
    org = own_organisation(actor)
    if not can_manage_offer(actor):
        raise Forbidden(_("Réservé aux responsables et administrateurs de la structure."),
                        code="offer_manager_required")
    return org


def can_import(actor: Actor) -> bool:
    """Importing the territory's offer (data·inclusion files): administrators of an
    organisation, or an organisation's API token (its data pipeline)."""
    if actor.api_token is not None:
        return True
    return actor.membership is not None and actor.membership.is_admin


def ensure_can_import(actor: Actor) -> Organisation:
    org = own_organisation(actor)
    if not can_import(actor):
        raise Forbidden(_("Réservé aux administrateurs de la structure."),
                        code="admin_required")
    return org
