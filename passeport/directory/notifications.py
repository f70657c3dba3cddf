"""E-mails about orientations, sent through Django's mail backend once the transaction
is committed (console in development, SMTP in production).

They carry no personal data about the person oriented (an e-mail may be read by anyone
with access to a shared mailbox): only the service, the organisations, and a link to
the orientation, where access is checked."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from passeport.core.enums import Role
from passeport.core.models import Membership, Organisation

from .models import Orientation


def _base_url() -> str:
    return getattr(settings, "PASSEPORT_BASE_URL", "http://127.0.0.1:8000").rstrip("/")


def orientation_url(orientation: Orientation) -> str:
    return _base_url() + reverse("directory:orientation_detail", args=[orientation.pk])


def organisation_recipients(organisation: Organisation) -> list[str]:
    """The organisation's contact address, else its managers' and administrators', else
    every active member's."""
    if organisation.email:
        return [organisation.email]
    members = Membership.objects.active().filter(organisation=organisation).select_related("user")
    leads = [m.user.email for m in members if m.role in (Role.MANAGER, Role.ADMIN)]
    return sorted(set(leads or [m.user.email for m in members]))


def sender_recipients(orientation: Orientation) -> list[str]:
    if orientation.sent_by_id and orientation.sent_by.email and orientation.sent_by.is_active:
        return [orientation.sent_by.email]
    return organisation_recipients(orientation.sender)


def _send(recipients: list[str], subject: str, body: str) -> None:
    recipients = [r for r in recipients if r]
    if recipients:
        transaction.on_commit(lambda: send_mail(subject, body, None, recipients,
                                                fail_silently=False))


def _footer(orientation: Orientation) -> str:
    return _("\nVoir l'orientation : %(url)s\n\n— Passeport") % {"url": orientation_url(orientation)}


def notify_created(orientation: Orientation) -> None:
    subject = _("Nouvelle orientation vers « %(service)s »") % {"service": orientation.service.nom}
    body = _("Bonjour,\n\n%(sender)s vous oriente une personne vers votre service "
             "« %(service)s ».\nMerci de lui répondre : accepter, refuser ou demander un "
             "complément.\n") % {"sender": orientation.sender.name,
                                 "service": orientation.service.nom}
    _send(organisation_recipients(orientation.partner), subject, body + _footer(orientation))


def notify_answered(orientation: Orientation) -> None:
    """To the sender: the partner accepted, refused or asked for information."""
    what = {
        "accepted": _("a accepté"),
        "refused": _("a refusé"),
        "info_requested": _("demande un complément sur"),
    }[orientation.status]
    subject = _("Orientation vers « %(service)s » : %(status)s") % {
        "service": orientation.service.nom, "status": orientation.get_status_display().lower()}
    body = _("Bonjour,\n\n%(partner)s %(what)s l'orientation que vous avez envoyée vers "
             "« %(service)s ».\n") % {"partner": orientation.partner.name, "what": what,
                                     "service": orientation.service.nom}
    _send(sender_recipients(orientation), subject, body + _footer(orientation))


def notify_info_provided(orientation: Orientation) -> None:
    subject = _("Complément reçu : orientation vers « %(service)s »") % {
        "service": orientation.service.nom}
    body = _("Bonjour,\n\n%(sender)s a répondu à votre demande de complément. "
             "L'orientation attend votre réponse.\n") % {"sender": orientation.sender.name}
    _send(organisation_recipients(orientation.partner), subject, body + _footer(orientation))


def notify_cancelled(orientation: Orientation) -> None:
    subject = _("Orientation annulée : « %(service)s »") % {"service": orientation.service.nom}
    body = _("Bonjour,\n\n%(sender)s a annulé l'orientation vers votre service "
             "« %(service)s ». Vous n'avez plus rien à faire.\n") % {
        "sender": orientation.sender.name, "service": orientation.service.nom}
    _send(organisation_recipients(orientation.partner), subject, body + _footer(orientation))


def notify_reminder(orientation: Orientation, days: int) -> None:
    """To whoever must act: the partner (to answer) or the sender (to complete)."""
    if orientation.status == "info_requested":
        recipients = sender_recipients(orientation)
        subject = _("Relance : complément attendu pour « %(service)s »") % {
            "service": orientation.service.nom}
        body = _("Bonjour,\n\n%(partner)s attend depuis %(days)s jours le complément demandé "
                 "sur votre orientation vers « %(service)s ».\n") % {
            "partner": orientation.partner.name, "days": days, "service": orientation.service.nom}
    else:
        recipients = organisation_recipients(orientation.partner)
        subject = _("Relance : orientation sans réponse vers « %(service)s »") % {
            "service": orientation.service.nom}
        body = _("Bonjour,\n\n%(sender)s attend depuis %(days)s jours votre réponse à une "
                 "orientation vers « %(service)s ».\n") % {
            "sender": orientation.sender.name, "days": days, "service": orientation.service.nom}
    _send(recipients, subject, body + _footer(orientation))


def notify_expired(orientation: Orientation) -> None:
    subject = _("Orientation expirée : « %(service)s »") % {"service": orientation.service.nom}
    body = _("Bonjour,\n\nL'orientation vers « %(service)s » (%(partner)s) a expiré sans "
             "réponse. Les parties du passeport partagées pour elle ne le sont plus. Vous "
             "pouvez orienter la personne à nouveau.\n") % {
        "service": orientation.service.nom, "partner": orientation.partner.name}
    _send(sender_recipients(orientation) + organisation_recipients(orientation.partner),
          subject, body + _footer(orientation))
