"""Writes of the rupture app: the daily refresh of alerts from the signals, the
référent acknowledging or resolving an alert (recorded on the path's timeline), the
e-mail digest, and the référent's preference."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from passeport.core.actor import Actor
from passeport.core.enums import AuditAction
from passeport.core.errors import Conflict, Forbidden, NotFound
from passeport.core.models import Membership
from passeport.core.services import audit_record, bulk_insert
from passeport.paths.enums import EventKind, PathStatus
from passeport.paths.models import Path, TimelineEvent
from passeport.people.enums import ConsentScope
from passeport.people.models import Consent
from passeport.people.selectors import active_consent

from . import detect, texts
from .enums import AlertStatus
from .models import Alert, OrganisationSettings, ReferentPreference
from .signals import alerts_raised


@dataclass
class RefreshResult:
    paths: int = 0
    raised: int = 0
    cleared: int = 0
    batches: int = 0


def followed_paths(today: date):
    """Active paths (not paused, not closed) whose person holds an active consent (path scope) to the path's
    organisation: no signal and no alert for anyone else."""
    consent = Consent.objects.active(today).filter(
        person=OuterRef("person_id"), organisation=OuterRef("organisation_id"),
        scope=ConsentScope.PATH)
    return Path.objects.filter(status=PathStatus.ACTIVE).filter(Exists(consent))


def _batches(today: date, batch_size: int) -> Iterator[list[Path]]:
    last = 0
    base = followed_paths(today).select_related("referent").order_by("pk")
    while True:
        batch = list(base.filter(pk__gt=last)[:batch_size])
        if not batch:
            return
        yield batch
        last = batch[-1].pk


def alerts_refresh(*, today: date | None = None, batch_size: int | None = None) -> RefreshResult:
    """Compute the signals of every followed path, batch by batch (a constant number of
    queries per batch), raise an alert for each new (kind, cause), keep the evidence of
    live ones up to date, and clear the open alerts whose cause has gone. An alert
    acknowledged or resolved is not raised again for the same cause. Alerts of paths
    no longer followed (consent withdrawn, path closed) are cleared."""
    today = today or timezone.localdate()
    size = batch_size or int(getattr(settings, "PASSEPORT_RUPTURE_BATCH_SIZE", 2000))
    thresholds = detect.Thresholds.from_settings()
    result = RefreshResult()
    for batch in _batches(today, size):
        with transaction.atomic():
            _refresh_batch(batch, today, thresholds, result)
    # Paths no longer followed: their open alerts disappear (one query).
    result.cleared += (Alert.objects.filter(status=AlertStatus.OPEN)
                       .exclude(path__in=followed_paths(today))
                       .update(status=AlertStatus.CLEARED, last_seen_on=today))
    return result


def alerts_refresh_path(path_id: int, *, today: date | None = None) -> RefreshResult:
    """The same refresh for one path, run when its timeline or actions change while it
    has live alerts: a contact logged clears "no contact" at once, not the next night."""
    today = today or timezone.localdate()
    result = RefreshResult()
    batch = list(followed_paths(today).filter(pk=path_id).select_related("referent"))
    with transaction.atomic():
        if batch:
            _refresh_batch(batch, today, detect.Thresholds.from_settings(), result)
        else:
            result.cleared += (Alert.objects.filter(path_id=path_id, status=AlertStatus.OPEN)
                               .update(status=AlertStatus.CLEARED, last_seen_on=today))
    return result


def _refresh_batch(batch: list[Path], today: date, thresholds, result: RefreshResult) -> None:
    signals = detect.compute(batch, today, thresholds=thresholds)
    existing = defaultdict(dict)
    for alert in Alert.objects.filter(path_id__in=[p.pk for p in batch]):
        existing[alert.path_id][(alert.kind, alert.cause)] = alert
    new, changed = [], []
    for path in batch:
        seen = set()
        for s in signals[path.pk]:
            key = (s.kind, s.cause)
            seen.add(key)
            alert = existing[path.pk].get(key)
            if alert is None:
                new.append(Alert(path=path, organisation_id=path.organisation_id, kind=s.kind,
                                 cause=s.cause, weight=s.weight, since=s.since, raised_on=today,
                                 last_seen_on=today, evidence=s.evidence))
            elif alert.status == AlertStatus.CLEARED or alert.evidence != s.evidence:
                # Written only when something changed: a daily run over a stable
                # caseload writes nothing (the days are computed from `since`).
                if alert.status == AlertStatus.CLEARED:
                    alert.status = AlertStatus.OPEN  # the same cause is back
                alert.evidence = s.evidence
                alert.last_seen_on = today
                changed.append(alert)
        for key, alert in existing[path.pk].items():
            if key not in seen and alert.status == AlertStatus.OPEN:
                alert.status = AlertStatus.CLEARED
                alert.last_seen_on = today
                changed.append(alert)
                result.cleared += 1
    bulk_insert(Alert, new)
    if new:
        alerts_raised.send(sender=Alert, alerts=new)
    if changed:
        Alert.objects.bulk_update(changed, ["status", "evidence", "last_seen_on"], batch_size=1000)
    result.paths += len(batch)
    result.raised += len(new)
    result.batches += 1


def _ensure_member(actor: Actor, alert: Alert) -> None:
    if (actor.organisation_id is None or alert.organisation_id != actor.organisation_id
            or active_consent(alert.path.person, actor.organisation_id, ConsentScope.PATH) is None):
        raise NotFound(_("Alerte introuvable."))


@transaction.atomic
def alert_handle(*, actor: Actor, alert: Alert, status: str, note: str = "") -> Alert:
    """Acknowledge or resolve an alert; the change is written on the path's timeline
    (visible to the professionals following the path) and in the audit log."""
    _ensure_member(actor, alert)
    status = AlertStatus(status)
    if status not in (AlertStatus.ACKNOWLEDGED, AlertStatus.RESOLVED):
        raise Conflict(_("Une alerte est prise en compte ou résolue."), code="invalid_status",
                       field="status")
    if alert.status in (AlertStatus.RESOLVED, AlertStatus.CLEARED):
        raise Conflict(_("Cette alerte est déjà close."), code="alert_closed")
    alert.status = status
    alert.handled_by = actor.user
    alert.handled_at = timezone.now()
    alert.note = note.strip()[:250]
    alert.save(update_fields=["status", "handled_by", "handled_at", "note"])
    what = texts.explain(alert.kind, detect.days_of(alert.kind, alert.since), alert.evidence)
    title = (_("Alerte prise en compte : %s") if status == AlertStatus.ACKNOWLEDGED
             else _("Alerte résolue : %s")) % what
    TimelineEvent.objects.create(path=alert.path, kind=EventKind.ALERT, title=title[:200],
                                 body=alert.note, author=actor.user,
                                 organisation=actor.organisation)
    consent = active_consent(alert.path.person, actor.organisation_id, ConsentScope.PATH)
    audit_record(actor, action=AuditAction.UPDATE, object_type="rupture_alert",
                 object_id=alert.pk, person_uid=alert.path.person.public_id,
                 consent_id=consent.pk if consent else None, detail={"status": status})
    return alert


def preference_set(*, actor: Actor, digest: bool) -> ReferentPreference:
    pref, _created = ReferentPreference.objects.update_or_create(
        membership=actor.membership, defaults={"digest": digest})
    return pref


def digest_send(*, today: date | None = None) -> int:
    """E-mail each référent who chose it the alerts raised since their last digest on
    the paths they follow (only the kind of signal and the person's public id: no
    personal detail leaves by e-mail). Returns the number of e-mails sent."""
    today = today or timezone.localdate()
    members = (Membership.objects.filter(is_active=True, rupture_preference__digest=True)
               .select_related("user", "organisation"))
    messages, sent_ids = [], []
    for member in members:
        alerts = list(Alert.objects.filter(
            status=AlertStatus.OPEN, digested_at__isnull=True, path__referent=member,
            organisation_id=member.organisation_id).filter(
            path__in=followed_paths(today)).select_related("path__person").order_by("-weight", "since"))
        if not alerts or not member.user.email:
            continue
        lines = [{"public_id": a.path.person.public_id,
                  "label": a.get_kind_display()} for a in alerts]
        body = render_to_string("rupture/digest.txt", {"member": member, "lines": lines,
                                                       "site": getattr(settings, "PASSEPORT_BASE_URL", "")})
        subject = _("Passeport : %(n)d nouvelle(s) alerte(s) dans votre file active") % {"n": len(alerts)}
        messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, [member.user.email]))
        sent_ids += [a.pk for a in alerts]
    if messages:
        send_mass_mail(messages, fail_silently=False)
        Alert.objects.filter(pk__in=sent_ids).update(digested_at=timezone.now())
    return len(messages)


SETTINGS_FIELDS = ("no_contact_days", "reminders_enabled", "appointment_reminder_days",
                   "action_reminder_days", "reminder_hour")


@transaction.atomic
def organisation_settings_set(*, actor: Actor, **values) -> OrganisationSettings:
    """A manager or administrator sets the organisation's threshold and reminders."""
    if actor.membership is None or not actor.membership.sees_whole_caseload:
        raise Forbidden(_("Seuls les responsables et les administrateurs de la structure "
                          "peuvent changer ces réglages."))
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"unknown settings: {sorted(unknown)}")
    conf, _created = OrganisationSettings.objects.get_or_create(organisation_id=actor.organisation_id)
    for name, value in values.items():
        setattr(conf, name, value)
    conf.full_clean()
    conf.save()
    audit_record(actor, action=AuditAction.UPDATE, object_type="rupture_settings",
                 object_id=conf.pk, detail={k: values[k] for k in sorted(values)})
    return conf
