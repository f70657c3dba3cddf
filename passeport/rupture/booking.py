"""The message that invites a person to choose an appointment slot (booking invitations
are written by `passeport.paths.booking_services`, which announces them with the
`booking_invited` signal heard in `receivers.py`).

Sent after the commit, by SMS to a French mobile number and by e-mail, following the
person's reminder choice ("Mes rappels"), and only while the person's consent (path
scope) to the inviting organisation is active. A person without an account gets the
single-use link; a person with an account is told to open their space. The text says the
organisation and the deadline, never the motive. Each message sent leaves an audit event;
a provider failure is logged and does not undo the invitation.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _

from passeport.core.actor import Actor
from passeport.core.enums import AuditAction
from passeport.core.services import audit_record_many
from passeport.core.sms import SmsError, send_sms
from passeport.core.text import date_fr
from passeport.paths.models import BookingInvitation
from passeport.people.enums import ConsentScope
from passeport.people.selectors import active_consent

from .enums import ReminderChannel
from .models import ReminderChoice
from .reminders import _channels

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
