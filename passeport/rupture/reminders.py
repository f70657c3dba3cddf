"""Reminders to the person: appointments and actions due, by SMS and by e-mail, in plain
French, at the time each organisation sets; and the real no-show figures (with and
without a reminder) that the dashboard shows once appointments have an outcome.

Run every hour by `manage.py rupture_reminders` (or the task `rupture_reminders_task`):
each organisation's hour decides when its reminders leave; a reminder is sent at most
once per appointment (or action), date and channel, and a failed one is retried at the
next run. A reminder says only the organisation, the day and the hour (or that something
is planned): never the subject of the appointment nor the title of the action, which may
be sensitive. Only persons whose consent (path scope) to the organisation is active get
one, and each sent reminder leaves an audit event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from passeport.core.actor import Actor
from passeport.core.enums import AuditAction
from passeport.core.models import Organisation
from passeport.core.services import audit_record_many
from passeport.core.sms import SmsError, mobile_number, send_sms
from passeport.core.text import date_fr
from passeport.paths.enums import ActionStatus, AppointmentOutcome, EventKind
from passeport.paths.models import Action, BookingInvitation, TimelineEvent
from passeport.people.enums import ConsentScope
from passeport.people.models import Consent, Person

from .enums import ReminderChannel, ReminderKind, ReminderStatus
from .models import OrganisationSettings, Reminder, ReminderChoice
from .services import followed_paths

MAX_APPOINTMENT_DAYS = 14
MAX_ACTION_DAYS = 30


@dataclass
class SendResult:
    sent: int = 0
    failed: int = 0
    not_reachable: int = 0  # no mobile number nor e-mail, or the person said no
    errors: list[str] = field(default_factory=list)


def org_settings(org_ids) -> dict[int, OrganisationSettings]:
    found = {s.organisation_id: s for s in OrganisationSettings.objects.filter(organisation_id__in=org_ids)}
    return {pk: found.get(pk) or OrganisationSettings(organisation_id=pk) for pk in org_ids}


def _channels(person: Person, choice: ReminderChoice | None) -> list[tuple[str, str]]:
    out = []
    number = mobile_number(person.phone)
    if number and (choice is None or choice.by_sms):
        out.append((ReminderChannel.SMS, number))
    if person.email and (choice is None or choice.by_email):
        out.append((ReminderChannel.EMAIL, person.email))
    return out


def _when(moment: datetime) -> tuple[str, str]:
    local = timezone.localtime(moment)
    hour = f"{local.hour} h {local.minute:02d}" if local.minute else f"{local.hour} h"
    return date_fr(local.date(), "l j F"), hour


def appointment_text(person: Person, org: Organisation, moment: datetime) -> str:
    day, hour = _when(moment)
    text = _("Bonjour %(name)s, rappel : vous avez rendez-vous avec %(org)s le %(day)s à %(hour)s.") % {
        "name": person.first_name, "org": org.name, "day": day, "hour": hour}
    if org.phone:
        text += " " + _("Si vous ne pouvez pas venir, appelez le %(phone)s.") % {"phone": org.phone}
    else:
        text += " " + _("Si vous ne pouvez pas venir, prévenez votre référent.")
    return text


def action_text(person: Person, org: Organisation, due_on: date) -> str:
    return _("Bonjour %(name)s, rappel : une chose de votre parcours avec %(org)s est prévue "
             "pour le %(day)s. Vous la trouvez dans votre passeport. Besoin d'aide ? Parlez-en "
             "à votre référent.") % {"name": person.first_name, "org": org.name,
                                     "day": date_fr(due_on, "l j F")}


def _deliver(channel: str, address: str, text: str, tag: str) -> str:
    if channel == ReminderChannel.SMS:
        return send_sms(address, text, tag=tag)
    base = getattr(settings, "PASSEPORT_BASE_URL", "").rstrip("/")
    body = text + "\n\n" + _("Votre passeport : %(url)s") % {"url": base + reverse("me:home")}
    send_mail(_("Rappel de votre parcours"), body, settings.DEFAULT_FROM_EMAIL, [address])
    return "email"


def reminders_send(*, now: datetime | None = None) -> SendResult:
    now = now or timezone.now()
    local_now = timezone.localtime(now)
    today = local_now.date()
    result = SendResult()
    followed = followed_paths(today).values("pk")

    events = list(
        TimelineEvent.objects.filter(
            kind=EventKind.APPOINTMENT, appointment_outcome=AppointmentOutcome.PLANNED,
            occurred_at__gte=now, occurred_at__lt=now + timedelta(days=MAX_APPOINTMENT_DAYS + 1),
            path__in=followed)
        .select_related("path__person", "path__organisation", "organisation"))
    actions = list(
        Action.objects.filter(status__in=ActionStatus.open(), due_on__gte=today,
                              due_on__lte=today + timedelta(days=MAX_ACTION_DAYS), path__in=followed)
        .select_related("path__person", "path__organisation"))

    todo = []  # (kind, object, org, target_on, text)
    orgs = {(e.organisation or e.path.organisation).pk for e in events} | {a.path.organisation_id for a in actions}
    conf = org_settings(orgs)
    for e in events:
        org = e.organisation or e.path.organisation
        c = conf[org.pk]
        target = timezone.localtime(e.occurred_at).date()
        if c.reminders_enabled and local_now.hour >= c.reminder_hour and (target - today).days <= c.appointment_reminder_days:
            todo.append((ReminderKind.APPOINTMENT, e, org, target,
                         appointment_text(e.path.person, org, e.occurred_at)))
    for a in actions:
        org = a.path.organisation
        c = conf[org.pk]
        if c.reminders_enabled and local_now.hour >= c.reminder_hour and (a.due_on - today).days <= c.action_reminder_days:
            todo.append((ReminderKind.ACTION, a, org, a.due_on, action_text(a.path.person, org, a.due_on)))
    if not todo:
        return result

    # An appointment held by a partner organisation: the person's consent to it too.
    person_ids = {item[1].path.person_id for item in todo}
    consented = {(person_id, org_id): pk for person_id, org_id, pk in (
        Consent.objects.active(today).filter(person_id__in=person_ids, scope=ConsentScope.PATH)
        .values_list("person_id", "organisation_id", "pk"))}
    choices = {c.person_id: c for c in ReminderChoice.objects.filter(person_id__in=person_ids)}
    done = {}
    event_ids = [item[1].pk for item in todo if item[0] == ReminderKind.APPOINTMENT]
    action_ids = [item[1].pk for item in todo if item[0] == ReminderKind.ACTION]
    for r in Reminder.objects.filter(Q(event_id__in=event_ids) | Q(action_id__in=action_ids)):
        done[(r.kind, r.event_id or r.action_id, r.target_on, r.channel)] = r

    audited = []
    for kind, obj, org, target, text in todo:
        person = obj.path.person
        if (person.pk, org.pk) not in consented:
            continue
        channels = _channels(person, choices.get(person.pk))
        if not channels:
            result.not_reachable += 1
            continue
        for channel, address in channels:
            previous = done.get((kind, obj.pk, target, channel))
            if previous is not None and previous.status == ReminderStatus.SENT:
                continue
            status, error, ref = ReminderStatus.SENT, "", ""
            try:
                ref = _deliver(channel, address, text, tag=f"passeport-{kind}")
            except SmsError as exc:
                status, error = ReminderStatus.FAILED, f"{exc.code}: {exc}"[:250]
            except OSError as exc:  # the mail server
                status, error = ReminderStatus.FAILED, f"email_failed: {exc}"[:250]
            values = {"status": status, "error": error, "provider_ref": ref[:64], "sent_at": now}
            if previous is not None:
                Reminder.objects.filter(pk=previous.pk).update(**values)
            else:
                Reminder.objects.create(
                    path=obj.path, organisation=org, kind=kind, target_on=target, channel=channel,
                    event=obj if kind == ReminderKind.APPOINTMENT else None,
                    action=obj if kind == ReminderKind.ACTION else None, **values)
            if status == ReminderStatus.SENT:
                result.sent += 1
                audited.append((person.public_id, consented[(person.pk, org.pk)]))
            else:
                result.failed += 1
                result.errors.append(error)
    if audited:
        audit_record_many(Actor.system(), action=AuditAction.VIEW, object_type="reminder",
                          entries=audited, detail={"purpose": "rappel"})
    return result


@dataclass
class NoShowFigures:
    with_reminder: int
    with_reminder_missed: int
    without_reminder: int
    without_reminder_missed: int
    days: int
    # Slots chosen by the person (booking invitations) vs fixed by the référent.
    chosen: int = 0
    chosen_missed: int = 0
    fixed: int = 0
    fixed_missed: int = 0

    @staticmethod
    def _rate(missed: int, total: int) -> float | None:
        return round(100 * missed / total, 1) if total else None

    @property
    def rate_with(self) -> float | None:
        return self._rate(self.with_reminder_missed, self.with_reminder)

    @property
    def rate_without(self) -> float | None:
        return self._rate(self.without_reminder_missed, self.without_reminder)

    @property
    def rate_chosen(self) -> float | None:
        return self._rate(self.chosen_missed, self.chosen)

    @property
    def rate_fixed(self) -> float | None:
        return self._rate(self.fixed_missed, self.fixed)

    @property
    def total(self) -> int:
        return self.with_reminder + self.without_reminder


def noshow_figures(organisation_id: int, *, today: date | None = None, days: int = 90) -> NoShowFigures:
    """Appointments of the organisation in the last `days` days whose outcome is known
    (held or missed; excused and cancelled do not count), with and without a reminder, and
    chosen by the person (through a booking invitation) or fixed by the référent."""
    today = today or timezone.localdate()
    reminded = Reminder.objects.filter(event=OuterRef("pk"), status=ReminderStatus.SENT)
    chosen = BookingInvitation.objects.filter(appointment=OuterRef("pk"))
    base = (TimelineEvent.objects
            .filter(kind=EventKind.APPOINTMENT,
                    appointment_outcome__in=[AppointmentOutcome.HELD, AppointmentOutcome.MISSED],
                    occurred_at__date__gte=today - timedelta(days=days), occurred_at__date__lte=today)
            .filter(Q(organisation_id=organisation_id)
                    | Q(organisation__isnull=True, path__organisation_id=organisation_id))
            .annotate(reminded=Exists(reminded), chosen=Exists(chosen)))
    rows = list(base.order_by().values("reminded", "chosen", "appointment_outcome")
                .annotate(n=Count("pk")).values_list("reminded", "chosen", "appointment_outcome", "n"))

    def count(reminded=None, chosen=None, outcome=None) -> int:
        return sum(n for r, c, o, n in rows
                   if (reminded is None or r == reminded) and (chosen is None or c == chosen)
                   and (outcome is None or o == outcome))

    return NoShowFigures(
        with_reminder=count(reminded=True),
        with_reminder_missed=count(reminded=True, outcome="missed"),
        without_reminder=count(reminded=False),
        without_reminder_missed=count(reminded=False, outcome="missed"),
        days=days,
        chosen=count(chosen=True), chosen_missed=count(chosen=True, outcome="missed"),
        fixed=count(chosen=False), fixed_missed=count(chosen=False, outcome="missed"))


def choice_set(*, actor: Actor, person: Person, by_sms: bool, by_email: bool) -> ReminderChoice:
    """The person (in their space) chooses how to be reminded."""
    choice, _created = ReminderChoice.objects.update_or_create(
        person=person, defaults={"by_sms": by_sms, "by_email": by_email})
    return choice
