"""Input resolution and permission checks shared by the handlers: ids given by the
client are turned into objects, or a clear error naming the field. Nothing here reveals
whether an object outside the caller's reach exists."""

from __future__ import annotations

from django.utils.translation import gettext as _

from passeport.core.actor import Actor
from passeport.core.errors import Forbidden, NotFound, PasseportError
from passeport.core.models import Membership, Organisation
from passeport.paths.models import Objective, Path
from passeport.people.enums import ConsentScope
from passeport.people.models import Consent, Person


def organisation_of(actor: Actor) -> Organisation:
    """The caller's organisation (an API token's, or the professional's active one)."""
    org = actor.organisation
    if org is None:
        raise NotFound(_("Aucune structure : cet appel est réservé aux professionnels."))
    return org


def admin_membership(actor: Actor) -> Membership:
    """The caller must be an administrator of their organisation, through a session
    (API tokens cannot manage members or tokens)."""
    organisation_of(actor)
    if actor.membership is None or not actor.membership.is_admin:
        raise Forbidden(_("Réservé aux administrateurs de la structure, connectés par session."),
                        code="admin_required")
    return actor.membership


def follower_member(person: Person, member_id: int | None, field: str) -> Membership | None:
    """An active member of an organisation the person opened their path to."""
    if member_id is None:
        return None
    orgs = Consent.objects.active().filter(person=person, scope=ConsentScope.PATH
                                           ).values("organisation_id")
    member = (Membership.objects.active().filter(pk=member_id, organisation_id__in=orgs)
              .select_related("user", "organisation").first())
    if member is None:
        raise PasseportError(_("Ce professionnel ne suit pas cette personne."),
                             code="invalid_member", field=field)
    return member


def objective_of(path: Path, objective_id: int | None) -> Objective | None:
    if objective_id is None:
        return None
    objective = Objective.objects.filter(pk=objective_id, path=path).first()
    if objective is None:
        raise PasseportError(_("Cet objectif n'appartient pas à ce parcours."),
                             code="invalid_objective", field="objective_id")
    return objective


def consent_organisation(actor: Actor, organisation_id: int | None) -> Organisation:
    """Whom a consent is given to. A professional (or a token) records consent for their
    own organisation only; the person chooses any organisation."""
    if actor.organisation_id is not None:
        if organisation_id not in (None, actor.organisation_id):
            raise Forbidden(_("Vous pouvez enregistrer un accord pour votre structure seulement."),
                            code="own_organisation_only", field="organisation_id")
        return actor.organisation
    if organisation_id is None:
        raise PasseportError(_("Choisissez la structure."), code="organisation_required",
                             field="organisation_id")
    org = Organisation.objects.filter(pk=organisation_id).first()
    if org is None:
        raise PasseportError(_("Structure inconnue."), code="invalid_organisation",
                             field="organisation_id")
    return org


def require_path(path: Path | None) -> Path:
    if path is None:
        raise NotFound(_("Cette personne n'a pas encore de parcours."), code="no_path")
    return path
