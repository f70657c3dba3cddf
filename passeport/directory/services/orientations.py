"""Orientations: a référent orients a person to a partner's service, sharing the parts of
the passport the person agreed to share; the partner answers; reminders and expiry.

Every change of status goes through `_apply` (the state machine of `states.py`): it
locks the orientation, checks the transition and the side of the actor, records an
OrientationEvent and an audit event, sends the signals and the e-mails."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from passeport.core.actor import Actor
from passeport.core.enums import AuditAction
from passeport.core.errors import Conflict, NotFound, PasseportError
from passeport.core.services import audit_record
from passeport.people.enums import ConsentMethod, ConsentScope
from passeport.people.models import Consent, Person
from passeport.people.selectors import active_consent
from passeport.people.services import consent_grant, consents_end_with_purpose

from .. import notifications, signals, states
from ..enums import OrientationAction, OrientationStatus, RefusalReason
from ..models import Orientation, OrientationEvent, Service
from ..perms import own_organisation

# How the référent recorded the person's agreement (the person gives it in their own
# space only for consents they grant themselves).
ORIENTATION_CONSENT_METHODS = (ConsentMethod.ORAL, ConsentMethod.WRITTEN, ConsentMethod.LEGAL)


def remind_after_days() -> int:
    return int(getattr(settings, "PASSEPORT_ORIENTATION_REMIND_DAYS", 7))


def expire_after_days() -> int:
    return int(getattr(settings, "PASSEPORT_ORIENTATION_EXPIRE_DAYS", 30))


@transaction.atomic
def orientation_create(*, actor: Actor, person: Person, service: Service, message: str,
                       scopes: list[str], consent_method: str, person_agreed: bool
                       ) -> Orientation:
    """Orient `person` to `service`. The référent confirms that the person agreed to the
    orientation and to sharing `scopes` with the partner: those consents are recorded
    (method `consent_method`), for the partner's organisation."""
    org = own_organisation(actor)
    if active_consent(person, org.pk, ConsentScope.PATH) is None:
        raise NotFound(_("Passeport introuvable."))
    errors = []
    if not person_agreed:
        errors.append(PasseportError(
            _("Cochez cette case seulement si la personne est d'accord : sans son accord, "
              "pas d'orientation."), code="person_agreement_required", field="person_agreed"))
    if consent_method not in ORIENTATION_CONSENT_METHODS:
        errors.append(PasseportError(_("Indiquez comment la personne a donné son accord."),
                                     code="invalid_method", field="consent_method"))
    message = (message or "").strip()
    if not message:
        errors.append(PasseportError(
            _("Expliquez au partenaire pourquoi vous orientez la personne."),
            code="message_required", field="message"))
    try:
        scopes = list(dict.fromkeys(ConsentScope(s) for s in scopes))
    except ValueError:
        errors.append(PasseportError(_("Partie du passeport inconnue."), code="invalid_scope",
                                     field="scopes"))
    if errors:
        first = errors[0]
        first.details = {"errors": [{"code": e.code, "field": e.field, "message": e.message}
                                    for e in errors]}
        raise first
    partner = service.structure.organisation
    if not service.is_published or partner is None:
        raise PasseportError(
            _("Ce service ne reçoit pas d'orientations dans Passeport : contactez directement "
              "la structure."), code="service_not_orientable", field="service_id")
    if partner.pk == org.pk:
        raise PasseportError(_("Ce service est celui de votre structure : ajoutez plutôt une "
                               "action au parcours."), code="own_service", field="service_id")
    if Orientation.objects.filter(person=person, service=service,
                                  status__in=OrientationStatus.open()).exists():
        raise Conflict(_("Une orientation de cette personne vers ce service attend déjà une "
                         "réponse."), code="orientation_already_open", field="service_id")

    # Consents for the scopes the partner does not already hold; only those end with the
    # orientation (a partner that already followed the person keeps its access).
    missing = [s for s in scopes if active_consent(person, partner.pk, s) is None]
    granted: list[Consent] = []
    if missing:
        granted = consent_grant(
            actor=actor, person=person, organisation=partner, scopes=missing,
            method=consent_method,
            purpose=_("Orientation vers « %(service)s »") % {"service": service.nom})
    now = timezone.now()
    orientation = Orientation.objects.create(
        person=person, service=service, partner=partner, sender=org, sent_by=actor.user,
        message=message, shared_scopes=[str(s) for s in scopes],
        consent_method=consent_method, created_at=now, waiting_since=now)
    orientation.consents.set(granted)
    event = OrientationEvent.objects.create(
        orientation=orientation, at=now, action=OrientationAction.SEND, from_status="",
        to_status=OrientationStatus.SENT, author=actor.user, organisation=org, comment=message)
    audit_record(actor, action=AuditAction.CREATE, object_type="orientation",
                 object_id=orientation.pk, person_uid=person.public_id,
                 detail={"service": service.nom, "partner": partner.name,
                         "scopes": orientation.shared_scopes})
    notifications.notify_created(orientation)
    signals.orientation_created.send(sender=Orientation, orientation=orientation, event=event,
                                     actor=actor)
    return orientation


def _side(actor: Actor, orientation: Orientation) -> str:
    org = actor.organisation_id
    if org is not None and org == orientation.partner_id:
        return states.PARTNER
    if org is not None and org == orientation.sender_id:
        return states.SENDER
    if actor.channel == "system" and actor.user is None and org is None:
        return states.SYSTEM
    raise NotFound(_("Orientation introuvable."))


def _apply(actor: Actor, orientation: Orientation, action: str, *, comment: str = "",
           refusal_reason: str = "", now: datetime | None = None) -> Orientation:
    """The one place where an orientation changes status."""
    side = _side(actor, orientation)
    # Lock the row: two answers at the same time cannot both apply.
    locked = Orientation.objects.select_for_update().get(pk=orientation.pk)
    orientation.status = locked.status
    step = states.transition(orientation.status, action, side)
    now = now or timezone.now()
    previous = orientation.status
    orientation.status = step.target
    if step.target in OrientationStatus.open():
        orientation.waiting_since = now
        orientation.last_reminder_at = None
        orientation.reminders_sent = 0
    if side == states.PARTNER:
        orientation.answered_at = now
    if step.target in states.FINAL:
        orientation.closed_at = now
    if action in (OrientationAction.ACCEPT, OrientationAction.REFUSE):
        orientation.answer_comment = comment
    orientation.refusal_reason = refusal_reason if action == OrientationAction.REFUSE else ""
    orientation.save()
    event = OrientationEvent.objects.create(
        orientation=orientation, at=now, action=action, from_status=previous,
        to_status=step.target, author=actor.user, organisation=actor.organisation,
        refusal_reason=orientation.refusal_reason, comment=comment)
    audit_record(actor, action=AuditAction.UPDATE, object_type="orientation",
                 object_id=orientation.pk, person_uid=orientation.person.public_id,
                 detail={"action": action, "from": previous, "to": step.target})
    if step.target in (OrientationStatus.REFUSED, OrientationStatus.CANCELLED,
                       OrientationStatus.EXPIRED):
        consents_end_with_purpose(
            actor=actor, consents=list(orientation.consents.select_related("person",
                                                                           "organisation")),
            reason=f"orientation {step.target}")
    if side == states.PARTNER:
        signals.orientation_answered.send(sender=Orientation, orientation=orientation,
                                          event=event, actor=actor)
    signals.orientation_status_changed.send(sender=Orientation, orientation=orientation,
                                            event=event, actor=actor)
    return orientation


@transaction.atomic
def orientation_accept(*, actor: Actor, orientation: Orientation, comment: str = ""
                       ) -> Orientation:
    orientation = _apply(actor, orientation, OrientationAction.ACCEPT,
                         comment=(comment or "").strip())
    notifications.notify_answered(orientation)
    return orientation


@transaction.atomic
def orientation_refuse(*, actor: Actor, orientation: Orientation, reason: str,
                       comment: str = "") -> Orientation:
    comment = (comment or "").strip()
    try:
        reason = RefusalReason(reason)
    except ValueError as exc:
        raise PasseportError(_("Choisissez le motif du refus."), code="refusal_reason_required",
                             field="reason") from exc
    if reason == RefusalReason.OTHER and not comment:
        raise PasseportError(_("Précisez la raison du refus dans le commentaire."),
                             code="comment_required", field="comment")
    orientation = _apply(actor, orientation, OrientationAction.REFUSE, comment=comment,
                         refusal_reason=reason)
    notifications.notify_answered(orientation)
    return orientation


def _required(text: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise PasseportError(message, code="message_required", field="message")
    return text


@transaction.atomic
def orientation_request_info(*, actor: Actor, orientation: Orientation, message: str
                             ) -> Orientation:
    message = _required(message, _("Écrivez ce que vous voulez savoir."))
    orientation = _apply(actor, orientation, OrientationAction.REQUEST_INFO, comment=message)
    notifications.notify_answered(orientation)
    return orientation


@transaction.atomic
def orientation_provide_info(*, actor: Actor, orientation: Orientation, message: str
                             ) -> Orientation:
    message = _required(message, _("Écrivez votre réponse au partenaire."))
    orientation = _apply(actor, orientation, OrientationAction.PROVIDE_INFO, comment=message)
    notifications.notify_info_provided(orientation)
    return orientation


@transaction.atomic
def orientation_cancel(*, actor: Actor, orientation: Orientation, comment: str = ""
                       ) -> Orientation:
    orientation = _apply(actor, orientation, OrientationAction.CANCEL,
                         comment=(comment or "").strip())
    notifications.notify_cancelled(orientation)
    return orientation


TRANSITION_SERVICES = {
    OrientationAction.ACCEPT: orientation_accept,
    OrientationAction.REFUSE: orientation_refuse,
    OrientationAction.REQUEST_INFO: orientation_request_info,
    OrientationAction.PROVIDE_INFO: orientation_provide_info,
    OrientationAction.CANCEL: orientation_cancel,
}


@dataclass
class FollowUp:
    reminded: int = 0
    expired: int = 0


@transaction.atomic
def orientations_follow_up(*, now: datetime | None = None) -> FollowUp:
    """Remind whoever must act on an orientation waiting for `remind_after_days()` days
    (then every as many days), and expire the ones waiting for `expire_after_days()`
    days. Idempotent: run it as often as you like (a task, a daily command)."""
    now = now or timezone.now()
    remind, expire = remind_after_days(), expire_after_days()
    system = Actor.system()
    result = FollowUp()
    waiting = (Orientation.objects.filter(status__in=OrientationStatus.open())
               .select_related("person", "service", "partner", "sender", "sent_by"))
    for orientation in list(waiting.filter(waiting_since__lte=now - timedelta(days=expire))):
        _apply(system, orientation, OrientationAction.EXPIRE, now=now)
        notifications.notify_expired(orientation)
        result.expired += 1
    due = waiting.filter(waiting_since__lte=now - timedelta(days=remind),
                         waiting_since__gt=now - timedelta(days=expire))
    for orientation in list(due):
        last = orientation.last_reminder_at
        if last is not None and last > now - timedelta(days=remind):
            continue  # reminded less than `remind` days ago
        days = (now - orientation.waiting_since).days
        orientation.last_reminder_at = now
        orientation.reminders_sent += 1
        orientation.save(update_fields=["last_reminder_at", "reminders_sent", "updated_at"])
        OrientationEvent.objects.create(
            orientation=orientation, at=now, action=OrientationAction.REMIND,
            from_status=orientation.status, to_status=orientation.status,
            comment=_("Relance après %(days)s jours sans réponse.") % {"days": days})
        notifications.notify_reminder(orientation, days)
        result.reminded += 1
    return result
