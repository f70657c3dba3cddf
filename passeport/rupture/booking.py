"""The message that invites a person to choose an appointment slot (booking invitations
are written by `passeport.paths.booking_services`, which announces them with the
`booking_invited` signal heard in `receivers.py`).

Sent after the commit, by SMS to a French mobile number and by e-mail, following the
person's reminder choice ("Mes rappels"), and only while the person's consent (path
scope) to the inviting organisation is active. A person without an account gets the
single-use link; a person with an account is told to open their space. The text says the
organisation and the deadline, never the motive. Each message sent leaves an audit event;
a provider failure is logged and does not undo the invitation.

The day before the deadline of an invitation still unanswered, `booking_reminders_send`
(run hourly by `manage.py rupture_reminders`, at the organisation's reminder hour) sends
one reminder per channel, with the same consent and channel checks. It names only the
organisation and the deadline; a person without an account gets a new link (the first
token was never stored: `paths.booking_services.booking_reminder_link`). Each reminder is
a `Reminder` row (kind booking, unique per invitation, deadline and channel): re-running
never sends twice, and a failed one is retried at the next run.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from passeport.core.actor import Actor
from passeport.core.enums import AuditAction
from passeport.core.services import audit_record_many
from passeport.core.sms import SmsError, send_sms
from passeport.core.text import date_fr
from passeport.paths.booking_services import booking_reminder_link
from passeport.paths.enums import BookingStatus, PathStatus
from passeport.paths.models import BookingInvitation
from passeport.people.enums import ConsentScope
from passeport.people.selectors import active_consent

from .enums import ReminderChannel, ReminderKind, ReminderStatus
from .models import Reminder, ReminderChoice
from .reminders import SendResult, _channels, org_settings

log = logging.getLogger(__name__)


def booking_link(raw_token: str) -> str:
    base = getattr(settings, "PASSEPORT_BASE_URL", "").rstrip("/")
    if raw_token:
        return base + reverse("booking:link", kwargs={"token": raw_token})
    return base + reverse("me:home")


def booking_text(invitation: BookingInvitation, raw_token: str) -> str:
    person = invitation.path.person
    values = {"name": person.first_name, "org": invitation.organisation.name,
              "day": date_fr(invitation.answer_by, "l j F"), "link": booking_link(raw_token)}
    if raw_token:
        return _("Bonjour %(name)s, %(org)s vous propose de choisir le jour et l'heure de votre "
                 "prochain rendez-vous. Choisissez avant le %(day)s : %(link)s") % values
    return _("Bonjour %(name)s, %(org)s vous propose de choisir le jour et l'heure de votre "
             "prochain rendez-vous. Choisissez avant le %(day)s dans votre passeport : "
             "%(link)s") % values


def booking_message_send(invitation_id: int, raw_token: str) -> int:
    """Send the invitation's message; returns how many messages left."""
    invitation = (BookingInvitation.objects.select_related("path__person", "organisation")
                  .filter(pk=invitation_id).first())
    if invitation is None:
        return 0
    person = invitation.path.person
    consent = active_consent(person, invitation.organisation_id, ConsentScope.PATH)
    if consent is None:
        return 0
    choice = ReminderChoice.objects.filter(person=person).first()
    text = booking_text(invitation, raw_token)
    sent = 0
    for channel, address in _channels(person, choice):
        try:
            if channel == ReminderChannel.SMS:
                send_sms(address, text, tag="passeport-booking")
            else:
                send_mail(_("Choisissez votre rendez-vous"), text, settings.DEFAULT_FROM_EMAIL,
                          [address])
        except (SmsError, OSError) as exc:
            log.warning("booking invitation %s: %s failed: %s", invitation.pk, channel, exc)
            continue
        sent += 1
    if sent:
        audit_record_many(Actor.system(), action=AuditAction.VIEW, object_type="booking_message",
                          entries=[(person.public_id, consent.pk)] * sent,
                          detail={"purpose": "invitation à choisir un rendez-vous"})
    return sent


def booking_reminder_text(invitation: BookingInvitation, raw_token: str) -> str:
    """Only the organisation and the deadline (and the link for a person without an
    account): no name, no motive, no slot."""
    values = {"org": invitation.organisation.name, "day": date_fr(invitation.answer_by, "l j F")}
    if raw_token:
        values["link"] = booking_link(raw_token)
        return _("Rappel : %(org)s vous propose de choisir la date de votre prochain "
                 "rendez-vous. Vous pouvez choisir jusqu'au %(day)s : %(link)s") % values
    return _("Rappel : %(org)s vous propose de choisir la date de votre prochain rendez-vous. "
             "Vous pouvez choisir jusqu'au %(day)s, dans votre passeport.") % values


def booking_reminders_send(*, now: datetime | None = None) -> SendResult:
    """Remind the persons whose invitation is still unanswered the day before its
    deadline, at the inviting organisation's reminder hour, once per channel."""
    now = now or timezone.now()
    local_now = timezone.localtime(now)
    today = local_now.date()
    result = SendResult()
    invitations = list(
        BookingInvitation.objects.filter(status=BookingStatus.PENDING,
                                         answer_by=today + timedelta(days=1),
                                         created_at__date__lt=today)  # not sent today
        .exclude(path__status=PathStatus.CLOSED)
        .select_related("path__person", "organisation"))
    if not invitations:
        return result
    conf = org_settings({i.organisation_id for i in invitations})
    choices = {c.person_id: c for c in ReminderChoice.objects.filter(
        person_id__in={i.path.person_id for i in invitations})}
    done = {(r.booking_id, r.channel): r for r in Reminder.objects.filter(
        booking__in=invitations, kind=ReminderKind.BOOKING)}
    audited = []
    for invitation in invitations:
        c = conf[invitation.organisation_id]
        if not c.reminders_enabled or local_now.hour < c.reminder_hour:
            continue
        person = invitation.path.person
        consent = active_consent(person, invitation.organisation_id, ConsentScope.PATH)
        if consent is None:
            continue
        channels = _channels(person, choices.get(person.pk))
        if not channels:
            result.not_reachable += 1
            continue
        todo = [(channel, address) for channel, address in channels
                if getattr(done.get((invitation.pk, channel)), "status", None) != ReminderStatus.SENT]
        if not todo:
            continue
        raw = booking_reminder_link(invitation_id=invitation.pk)
        if raw is None:  # answered or cancelled meanwhile
            continue
        text = booking_reminder_text(invitation, raw)
        for channel, address in todo:
            status, error, ref = ReminderStatus.SENT, "", ""
            try:
                if channel == ReminderChannel.SMS:
                    ref = send_sms(address, text, tag="passeport-booking-reminder")
                else:
                    send_mail(_("Rappel : choisissez votre rendez-vous"), text,
                              settings.DEFAULT_FROM_EMAIL, [address])
                    ref = "email"
            except SmsError as exc:
                status, error = ReminderStatus.FAILED, f"{exc.code}: {exc}"[:250]
            except OSError as exc:  # the mail server
                status, error = ReminderStatus.FAILED, f"email_failed: {exc}"[:250]
            values = {"status": status, "error": error, "provider_ref": ref[:64], "sent_at": now}
            previous = done.get((invitation.pk, channel))
            if previous is not None:
                Reminder.objects.filter(pk=previous.pk).update(**values)
            else:
                Reminder.objects.create(path=invitation.path, organisation=invitation.organisation,
                                        kind=ReminderKind.BOOKING, booking=invitation,
                                        target_on=invitation.answer_by, channel=channel, **values)
            if status == ReminderStatus.SENT:
                result.sent += 1
                audited.append((person.public_id, consent.pk))
            else:
                result.failed += 1
                result.errors.append(error)
    if audited:
        audit_record_many(Actor.system(), action=AuditAction.VIEW, object_type="booking_message",
                          entries=audited,
                          detail={"purpose": "rappel de l'invitation à choisir un rendez-vous"})
    return result
