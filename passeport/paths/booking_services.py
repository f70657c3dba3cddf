"""Writes of the booking invitations ("invited rather than summoned"): the référent
proposes 2 to 10 slots, the person picks one (in their space or through a single-use
link) or answers that none suits them.

Choosing a slot creates the appointment on the path's timeline (the usual appointment
event, outcome "prévu"), so that the reminders and the no-show tracking of `rupture`
apply; the row is locked, so a second choice (or a second use of the link) is refused
and exactly one appointment is created. The messages to the person are sent by the
`rupture` app, which hears `signals.booking_invited` (paths sits below it).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from passeport.core.actor import Actor
from passeport.core.crypto import token_hash
from passeport.core.enums import AuditAction
from passeport.core.errors import Conflict, NotFound, PasseportError, PasseportErrors
from passeport.core.services import audit_record
from passeport.core.text import date_fr
from passeport.people.enums import ConsentScope
from passeport.people.selectors import active_consent

from . import signals
from .enums import AppointmentOutcome, BookingMode, BookingStatus, EventKind, PathStatus
from .models import BookingInvitation, BookingSlot, Path, TimelineEvent
from .perms import ensure_professional, is_the_person

MIN_SLOTS = 2
MAX_SLOTS = 10
MOTIVE_MAX = 200
PLACE_MAX = 200
MAX_DAYS_AHEAD = 365


@dataclass(frozen=True)
class SlotIn:
    starts_at: datetime
    duration_minutes: int
    mode: str = BookingMode.ON_SITE
    place: str = ""


@dataclass(frozen=True)
class InvitationCreated:
    invitation: BookingInvitation
    raw_token: str  # the link's token, only for a person without an account ("" otherwise)


class SlotError(PasseportError):
    """A slot's rule is broken: `details["slot"]` is the slot (from 0), `slot_field` the
    part of it in error (day, time, duration, mode or place), for the pages."""

    def __init__(self, message: str, *, code: str, index: int, slot_field: str):
        super().__init__(message, code=code, field="slots", details={"slot": index})
        self.slot_field = slot_field


def _slot_error(index: int, message: str, code: str, slot_field: str) -> SlotError:
    return SlotError(_("Créneau %(n)s : %(msg)s") % {"n": index + 1, "msg": message},
                     code=code, index=index, slot_field=slot_field)


def slot_errors(slot: SlotIn, index: int, now: datetime | None = None) -> list[SlotError]:
    """The rules of one slot, every part in error at once (its date, its duration, how and
    where). The pages check each row with it."""
    now = now or timezone.now()
    errors: list[SlotError] = []
    if timezone.is_naive(slot.starts_at):
        errors.append(_slot_error(index, _("indiquez l'heure avec son fuseau."), "slot_invalid", "time"))
    elif slot.starts_at.year < now.year - 1 or slot.starts_at <= now:  # (year first: no overflow)
        errors.append(_slot_error(index, _("cette date est passée. Proposez une date à venir."),
                                  "slot_in_past", "day"))
    elif slot.starts_at.year > now.year + 1 or slot.starts_at > now + timedelta(days=MAX_DAYS_AHEAD):
        errors.append(_slot_error(index, _("proposez une date dans les %s jours qui viennent.")
                                  % MAX_DAYS_AHEAD, "slot_too_far", "day"))
    if not 10 <= slot.duration_minutes <= 240:
        errors.append(_slot_error(index, _("la durée doit être entre 10 et 240 minutes."),
                                  "slot_duration", "duration"))
    if slot.mode not in BookingMode.values:
        errors.append(_slot_error(index, _("choisissez sur place, par téléphone ou en visio."),
                                  "slot_mode", "mode"))
    elif slot.mode == BookingMode.ON_SITE and not slot.place.strip():
        errors.append(_slot_error(index, _("indiquez le lieu du rendez-vous."),
                                  "slot_place_required", "place"))
    if len(slot.place) > PLACE_MAX:
        errors.append(_slot_error(index, _("le lieu fait au plus %s caractères.") % PLACE_MAX,
                                  "slot_place_long", "place"))
    return errors


def _slots_errors(slots: list[SlotIn], now: datetime) -> list[PasseportError]:
    """Every slot in error (the count, each slot's rules, then the overlaps)."""
    if not MIN_SLOTS <= len(slots) <= MAX_SLOTS:
        return [PasseportError(
            _("Proposez entre %(min)s et %(max)s créneaux.") % {"min": MIN_SLOTS, "max": MAX_SLOTS},
            code="slots_count", field="slots")]
    errors: list[PasseportError] = [e for i, slot in enumerate(slots) for e in slot_errors(slot, i, now)]
    if errors:
        return errors  # (the overlaps of dates that are not valid would say little)
    order = sorted(range(len(slots)), key=lambda i: slots[i].starts_at)
    for before, after in zip(order, order[1:], strict=False):
        end = slots[before].starts_at + timedelta(minutes=slots[before].duration_minutes)
        if slots[after].starts_at < end:
            first, second = sorted((before, after))
            errors.append(_slot_error(second, _("il chevauche le créneau %s. Proposez des créneaux "
                                                "qui ne se recouvrent pas.") % (first + 1),
                                      "slots_overlap", "time"))
    return errors


def answer_by_errors(answer_by: date) -> list[PasseportError]:
    """The deadline's own rule (today or later); the pages check it with the slots."""
    if answer_by < timezone.localdate():
        return [PasseportError(_("La date limite de réponse est passée. Choisissez aujourd'hui "
                                 "ou une date à venir."), code="deadline_in_past", field="answer_by")]
    return []


def _audit(actor: Actor, invitation: BookingInvitation, action: str, object_type: str, object_id,
           **detail) -> None:
    consent = active_consent(invitation.path.person, invitation.organisation_id, ConsentScope.PATH)
    audit_record(actor, action=action, object_type=object_type, object_id=object_id,
                 person_uid=invitation.path.person.public_id,
                 consent_id=consent.pk if consent else None, detail=detail)


@transaction.atomic
def booking_invite(*, actor: Actor, path: Path, slots: list[SlotIn], answer_by: date,
                   motive: str = "") -> InvitationCreated:
    """The référent invites the person to choose one of `slots` before `answer_by`."""
    ensure_professional(actor, path)
    if path.status == PathStatus.CLOSED:
        raise Conflict(_("Ce parcours est terminé."), code="path_closed")
    now = timezone.now()
    slots = list(slots)
    # Every field in error is reported at once (`PasseportErrors`; the API reads the first).
    errors = _slots_errors(slots, now)
    motive = " ".join(motive.split())
    if len(motive) > MOTIVE_MAX:
        errors.append(PasseportError(_("Le motif fait au plus %s caractères.") % MOTIVE_MAX,
                                     code="motive_too_long", field="motive"))
    errors += answer_by_errors(answer_by)
    slot_days = [timezone.localdate(s.starts_at) for s in slots if not timezone.is_naive(s.starts_at)]
    last_day = max(slot_days, default=None)
    if last_day is not None and answer_by > last_day:
        errors.append(PasseportError(
            _("La date limite de réponse est après le dernier créneau (%s). Choisissez une date "
              "plus proche.") % date_fr(last_day, "j F Y"),
            code="deadline_after_slots", field="answer_by"))
    PasseportErrors.raise_any(errors)
    org = actor.organisation
    referent = actor.membership
    if referent is None and path.referent_id and path.referent.organisation_id == org.pk:
        referent = path.referent
    raw = "" if path.person.user_id else secrets.token_urlsafe(32)
    invitation = BookingInvitation.objects.create(
        path=path, organisation=org, referent=referent, motive=motive, answer_by=answer_by,
        token_hash=token_hash(raw) if raw else None, created_by=actor.user)
    BookingSlot.objects.bulk_create([
        BookingSlot(invitation=invitation, starts_at=s.starts_at, duration_minutes=s.duration_minutes,
                    mode=s.mode, place=s.place.strip()) for s in sorted(slots, key=lambda s: s.starts_at)])
    TimelineEvent.objects.create(
        path=path, kind=EventKind.NOTE, author=actor.user, organisation=org,
        title=_("Invitation à choisir un rendez-vous (%(n)s créneaux, réponse avant le %(d)s)") % {
            "n": len(slots), "d": date_fr(answer_by, "j F Y")},
        body=motive)
    _audit(actor, invitation, AuditAction.CREATE, "booking_invitation", invitation.pk,
           slots=len(slots), link=bool(raw))
    signals.booking_invited.send(sender=BookingInvitation, invitation=invitation, raw_token=raw,
                                 actor=actor)
    return InvitationCreated(invitation=invitation, raw_token=raw)


def _locked(invitation_id: int) -> BookingInvitation:
    return (BookingInvitation.objects.select_for_update(of=("self",))
            .select_related("path__person", "organisation").get(pk=invitation_id))


def _check_answerable(invitation: BookingInvitation) -> None:
    if invitation.status == BookingStatus.CANCELLED:
        raise Conflict(_("Cette invitation a été annulée. Votre référent vous recontactera."),
                       code="invitation_cancelled")
    if invitation.status != BookingStatus.PENDING:
        raise Conflict(_("Vous avez déjà répondu à cette invitation."), code="already_answered")
    if invitation.is_expired:
        raise Conflict(_("Le délai pour répondre est passé. Contactez votre référent pour "
                         "prendre rendez-vous."), code="invitation_expired")
    if invitation.path.status == PathStatus.CLOSED:
        raise Conflict(_("Ce parcours est terminé."), code="path_closed")


def slot_description(slot: BookingSlot, with_name: str) -> str:
    local = timezone.localtime(slot.starts_at)
    parts = [_("Le %(day)s à %(hour)s, %(min)s minutes, avec %(name)s.") % {
        "day": date_fr(local.date(), "l j F Y"), "hour": f"{local.hour} h {local.minute:02d}",
        "min": slot.duration_minutes, "name": with_name}]
    parts.append(str(BookingMode(slot.mode).label) + (f" : {slot.place}" if slot.place else ""))
    return "\n".join(parts)


def _book(actor: Actor, invitation: BookingInvitation, slot_id: int, via: str) -> TimelineEvent:
    _check_answerable(invitation)
    slot = invitation.slots.filter(pk=slot_id).first()
    if slot is None:
        raise PasseportError(_("Choisissez un des créneaux proposés."), code="invalid_slot",
                             field="slot")
    now = timezone.now()
    if slot.starts_at <= now:
        raise PasseportError(_("Ce créneau est passé. Choisissez un autre créneau."),
                             code="slot_in_past", field="slot")
    title = (_("Rendez-vous choisi : %s") % invitation.motive if invitation.motive
             else _("Rendez-vous choisi par la personne"))
    event = TimelineEvent.objects.create(
        path=invitation.path, kind=EventKind.APPOINTMENT, occurred_at=slot.starts_at,
        title=title[:200], body=slot_description(slot, invitation.with_name),
        author=actor.user, by_person=True, organisation=invitation.organisation,
        appointment_outcome=AppointmentOutcome.PLANNED)
    invitation.status = BookingStatus.BOOKED
    invitation.chosen_slot = slot
    invitation.appointment = event
    invitation.answered_at = now
    invitation.answered_via = via
    invitation.token_used_at = now if invitation.token_hash else None
    invitation.save(update_fields=["status", "chosen_slot", "appointment", "answered_at",
                                   "answered_via", "token_used_at"])
    _audit(actor, invitation, AuditAction.UPDATE, "booking_invitation", invitation.pk,
           answer="booked", via=via, event=event.pk)
    return event


def _decline(actor: Actor, invitation: BookingInvitation, message: str, via: str) -> TimelineEvent:
    _check_answerable(invitation)
    message = message.strip()[:2000]
    now = timezone.now()
    event = TimelineEvent.objects.create(
        path=invitation.path, kind=EventKind.MESSAGE, title=_("Aucun créneau ne me convient"),
        body=message, author=actor.user, by_person=True, organisation=invitation.organisation)
    invitation.status = BookingStatus.DECLINED
    invitation.decline_message = message
    invitation.answered_at = now
    invitation.answered_via = via
    invitation.token_used_at = now if invitation.token_hash else None
    invitation.save(update_fields=["status", "decline_message", "answered_at", "answered_via",
                                   "token_used_at"])
    _audit(actor, invitation, AuditAction.UPDATE, "booking_invitation", invitation.pk,
           answer="declined", via=via)
    return event


def _own(actor: Actor, invitation: BookingInvitation) -> BookingInvitation:
    locked = _locked(invitation.pk)
    if not is_the_person(actor, locked.path):
        raise NotFound(_("Invitation introuvable."))
    return locked


@transaction.atomic
def booking_choose(*, actor: Actor, invitation: BookingInvitation, slot_id: int) -> TimelineEvent:
    """The person, in their space, picks a slot: the appointment is created."""
    return _book(actor, _own(actor, invitation), slot_id, "space")


@transaction.atomic
def booking_decline(*, actor: Actor, invitation: BookingInvitation, message: str = "") -> TimelineEvent:
    """The person, in their space, answers that no slot suits them."""
    return _decline(actor, _own(actor, invitation), message, "space")


def _by_link(raw_token: str) -> BookingInvitation:
    digest = token_hash(raw_token or "")
    invitation = (BookingInvitation.objects.filter(Q(token_hash=digest) | Q(reminder_token_hash=digest))
                  .values_list("pk", flat=True).first())
    if invitation is None:
        raise NotFound(_("Ce lien n'est plus valable."), code="link_invalid")
    locked = _locked(invitation)
    if locked.token_used_at is not None:
        raise NotFound(_("Ce lien a déjà servi."), code="link_used")
    return locked


LINK_ACTOR = Actor(channel="web")  # the person through the link: no account, no organisation


@transaction.atomic
def booking_choose_by_link(*, raw_token: str, slot_id: int) -> TimelineEvent:
    """The person without an account picks a slot through the single-use link."""
    return _book(LINK_ACTOR, _by_link(raw_token), slot_id, "link")


@transaction.atomic
def booking_decline_by_link(*, raw_token: str, message: str = "") -> TimelineEvent:
    return _decline(LINK_ACTOR, _by_link(raw_token), message, "link")


@transaction.atomic
def booking_cancel(*, actor: Actor, invitation: BookingInvitation) -> BookingInvitation:
    """The référent withdraws a pending invitation; its link stops working."""
    ensure_professional(actor, invitation.path)
    invitation = _locked(invitation.pk)
    if invitation.status != BookingStatus.PENDING:
        raise Conflict(_("La personne a déjà répondu à cette invitation."), code="already_answered")
    invitation.status = BookingStatus.CANCELLED
    invitation.token_used_at = timezone.now() if invitation.token_hash else None
    invitation.save(update_fields=["status", "token_used_at"])
    TimelineEvent.objects.create(path=invitation.path, kind=EventKind.NOTE, author=actor.user,
                                 organisation=actor.organisation,
                                 title=_("Invitation à choisir un rendez-vous annulée"))
    _audit(actor, invitation, AuditAction.UPDATE, "booking_invitation", invitation.pk,
           status="cancelled")
    return invitation


@transaction.atomic
def booking_reminder_link(*, invitation_id: int) -> str | None:
    """A new link for the reminder of a pending invitation whose person has no account.

    The first link's raw token was never stored (only its SHA-256), so it cannot be sent
    again: a second token is issued and its hash kept in `reminder_token_hash`. Both links
    work until the deadline, and answering through either burns both. Issuing again (a
    reminder retried after a provider failure) replaces the reminder's token only.

    Returns "" for a person with an account (they answer in their space), None when the
    invitation can no longer be answered by link."""
    invitation = _locked(invitation_id)
    if invitation.path.person.user_id:
        return ""
    if (invitation.status != BookingStatus.PENDING or invitation.is_expired
            or not invitation.token_hash or invitation.token_used_at is not None):
        return None
    raw = secrets.token_urlsafe(32)
    invitation.reminder_token_hash = token_hash(raw)
    invitation.save(update_fields=["reminder_token_hash"])
    _audit(Actor.system(), invitation, AuditAction.UPDATE, "booking_invitation", invitation.pk,
           link="reminder")
    return raw
