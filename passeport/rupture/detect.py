"""Computation of the signals of rupture for a batch of paths, as of a given day.

Pure reads, in a constant number of queries per batch (one per source: contacts,
appointments, orientations, actions, work hours, diagnostic, documents and shares),
whatever the batch size. Each signal carries its date, its cause (what identifies it,
so that an alert is not raised twice for the same cause) and its evidence (what the
explanation texts show). The thresholds come from the settings (see `Thresholds`) and,
for the days without contact, from the organisation's own setting.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone

from passeport.directory.enums import OrientationStatus
from passeport.directory.models import Orientation
from passeport.paths.enums import ActionStatus, AppointmentOutcome, EventKind
from passeport.paths.models import (
    Action,
    BookingInvitation,
    DiagnosticEntry,
    Path,
    TimelineEvent,
    WorkHoursStep,
)
from passeport.vault.enums import DocumentCategory
from passeport.vault.models import Document, Share

from .enums import WEIGHTS, SignalKind
from .models import OrganisationSettings

# Categories of the safe whose papers prove a right, so that their end date is the right's.
RIGHT_CATEGORIES = (DocumentCategory.RESOURCES, DocumentCategory.HEALTH, DocumentCategory.HOUSING)


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, f"PASSEPORT_RUPTURE_{name}", default))


@dataclass(frozen=True)
class Thresholds:
    no_contact_days: int = 45  # days since the last contact (organisation may override)
    missed_in_row: int = 2  # missed appointments in a row, with no appointment held since
    orientation_wait_days: int = 15  # orientation sent, no answer
    orientation_refused_days: int = 7  # refused, no other orientation or action since
    action_overdue_days: int = 14  # open action past its due date
    ending_within_days: int = 30  # contract/step ends within, nothing planned after
    document_within_days: int = 30  # identity or residence paper expires within
    hours_down_days: int = 60  # a decrease of weekly hours started within
    severe_frein_days: int = 14  # blocking frein assessed, no action on its theme

    @classmethod
    def from_settings(cls) -> Thresholds:
        base = cls()
        return cls(**{name: _setting(name.upper(), getattr(base, name))
                      for name in cls.__dataclass_fields__})


@dataclass
class Signal:
    kind: str
    cause: str
    since: date
    days: int  # days since `since` (or, for what is coming, days left)
    evidence: dict = field(default_factory=dict)

    @property
    def weight(self) -> int:
        return WEIGHTS[self.kind]


def _end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def _local(dt: datetime) -> date:
    return timezone.localdate(dt)


def compute(paths: list[Path], today: date | None = None, *, thresholds: Thresholds | None = None,
            for_person: bool = False) -> dict[int, list[Signal]]:
    """Signals of each path, by path id, sorted by weight. `paths` need `referent`
    selected; with `for_person`, the person's own papers count even if not shared."""
    today = today or timezone.localdate()
    t = thresholds or Thresholds.from_settings()
    out: dict[int, list[Signal]] = {p.pk: [] for p in paths}
    if not paths:
        return out
    ids = [p.pk for p in paths]
    # The batch is read by its range of path ids (no long IN list to send and plan):
    # rows of paths in the range but not in the batch are ignored below.
    lo, hi = min(ids), max(ids)
    in_batch = {"path_id__gte": lo, "path_id__lte": hi}
    person_ids = Path.objects.filter(pk__gte=lo, pk__lte=hi).values("person_id")
    end = _end_of(today)
    own_limits = dict(OrganisationSettings.objects.filter(
        no_contact_days__isnull=False)
        .values_list("organisation_id", "no_contact_days"))

    # 1. No contact: a contact, an appointment held, or anything the person wrote.
    last = dict(
        TimelineEvent.objects.filter(**in_batch, occurred_at__lt=end)
        .filter(Q(kind=EventKind.CONTACT) | Q(kind=EventKind.MESSAGE) | Q(by_person=True)
                | Q(kind=EventKind.APPOINTMENT, appointment_outcome=AppointmentOutcome.HELD))
        .order_by().values("path_id").annotate(at=Max("occurred_at")).values_list("path_id", "at"))
    for p in paths:
        last_on = _local(last[p.pk]) if p.pk in last else p.opened_on
        limit = own_limits.get(p.organisation_id) or t.no_contact_days
        days = (today - last_on).days
        if days >= limit:
            out[p.pk].append(Signal(SignalKind.NO_CONTACT, f"last:{last_on.isoformat()}", last_on,
                                    days, {"last_contact": last_on.isoformat(), "limit": limit}))

    # 2. Missed appointments in a row (held or missed, the most recent first).
    appts = defaultdict(list)
    for path_id, outcome, at, title in (
            TimelineEvent.objects.filter(
                **in_batch, kind=EventKind.APPOINTMENT, occurred_at__lt=end,
                occurred_at__gte=end - timedelta(days=365),
                appointment_outcome__in=[AppointmentOutcome.HELD, AppointmentOutcome.MISSED])
            .order_by("path_id", "-occurred_at", "-id")
            .values_list("path_id", "appointment_outcome", "occurred_at", "title")):
        appts[path_id].append((outcome, at, title))
    for path_id, rows in appts.items():
        if path_id not in out:
            continue
        run = []
        for outcome, at, _title in rows:
            if outcome != AppointmentOutcome.MISSED:
                break
            run.append(at)
        if len(run) >= t.missed_in_row:
            first = _local(run[-1])
            out[path_id].append(Signal(
                SignalKind.MISSED_APPOINTMENTS, f"first:{run[-1].isoformat()}", first,
                (today - first).days, {"count": len(run), "last": _local(run[0]).isoformat()}))

    # 3. Orientations: unanswered, or refused with nothing after.
    by_person = defaultdict(list)
    for o in (Orientation.objects.filter(person_id__in=person_ids)
              .filter(Q(status__in=OrientationStatus.open())
                      | Q(status=OrientationStatus.REFUSED,
                          answered_at__gte=end - timedelta(days=120)))
              .select_related("service", "partner").order_by("created_at")):
        by_person[o.person_id].append(o)
    later_actions = defaultdict(list)
    if by_person:
        for path_id, created in (Action.objects.filter(**in_batch)
                                 .exclude(status=ActionStatus.CANCELLED)
                                 .values_list("path_id", "created_at")):
            later_actions[path_id].append(created)
    all_orientations = defaultdict(list)
    for p in paths:
        for o in by_person.get(p.person_id, []):
            if o.sender_id == p.organisation_id:
                all_orientations[p.pk].append(o)
    for p in paths:
        mine = all_orientations[p.pk]
        for o in mine:
            brief = {"orientation": o.pk, "service": o.service.nom, "partner": o.partner.name}
            if o.status in OrientationStatus.open():
                since = _local(o.waiting_since)
                days = (today - since).days
                if o.created_at < end and days >= t.orientation_wait_days:
                    out[p.pk].append(Signal(SignalKind.ORIENTATION_UNANSWERED,
                                            f"o{o.pk}:{o.status}:{since.isoformat()}", since, days,
                                            brief))
            elif o.status == OrientationStatus.REFUSED and o.answered_at:
                since = _local(o.answered_at)
                days = (today - since).days
                followed = (any(x.created_at > o.answered_at for x in mine if x.pk != o.pk)
                            or any(c > o.answered_at for c in later_actions[p.pk]))
                if days >= t.orientation_refused_days and not followed:
                    out[p.pk].append(Signal(SignalKind.ORIENTATION_REFUSED, f"o{o.pk}:refused",
                                            since, days, brief))

    # 4. Overdue actions (the oldest is the cause; the count is evidence).
    overdue = defaultdict(list)
    for path_id, pk, title, due in (
            Action.objects.open().filter(**in_batch,
                                         due_on__lte=today - timedelta(days=t.action_overdue_days))
            .order_by("path_id", "due_on", "id").values_list("path_id", "pk", "title", "due_on")):
        overdue[path_id].append((pk, title, due))
    for path_id, rows in overdue.items():
        if path_id not in out:
            continue
        pk, title, due = rows[0]
        out[path_id].append(Signal(SignalKind.ACTION_OVERDUE, f"a{pk}", due, (today - due).days,
                                   {"action": pk, "title": title, "count": len(rows)}))

    # 5 and 6. Work hours: the end of a contract with nothing after; hours going down.
    steps = defaultdict(list)
    for s in WorkHoursStep.objects.filter(**in_batch).order_by("path_id", "starts_on", "id"):
        steps[s.path_id].append(s)
    open_due = defaultdict(list)
    for path_id, due in (Action.objects.open().filter(**in_batch, due_on__gte=today)
                         .values_list("path_id", "due_on")):
        open_due[path_id].append(due)
    for path_id, rows in steps.items():
        if path_id not in out:
            continue
        started = [s for s in rows if s.starts_on <= today]
        latest = rows[-1]
        if (latest.ends_on is not None and today <= latest.ends_on
                and (latest.ends_on - today).days <= t.ending_within_days
                and not open_due[path_id]):
            out[path_id].append(Signal(
                SignalKind.CONTRACT_ENDING, f"s{latest.pk}:{latest.ends_on.isoformat()}",
                latest.ends_on, (latest.ends_on - today).days,
                {"ends_on": latest.ends_on.isoformat(), "contract": latest.get_contract_display(),
                 "employer": latest.employer_name}))
        if len(started) >= 2:
            cur, prev = started[-1], started[-2]
            if (cur.hours_per_week < prev.hours_per_week
                    and (today - cur.starts_on).days <= t.hours_down_days):
                out[path_id].append(Signal(
                    SignalKind.WORK_HOURS_DOWN, f"s{cur.pk}", cur.starts_on,
                    (today - cur.starts_on).days,
                    {"from": prev.hours_per_week, "to": cur.hours_per_week}))

    # 7. Papers of the safe: identity or residence permit expiring (or just expired), and
    # the papers that prove a right (resources, health, housing: a notification of RSA, AAH
    # or housing aid, a complémentaire santé solidaire certificate) reaching their end date.
    docs = defaultdict(list)
    for d in Document.objects.filter(
            person_id__in=person_ids, category__in=[DocumentCategory.IDENTITY, *RIGHT_CATEGORIES],
            expires_on__lte=today + timedelta(days=t.document_within_days),
            expires_on__gte=today - timedelta(days=90)).order_by("expires_on", "id"):
        docs[d.person_id].append(d)
    shares: set = set()
    if docs and not for_person:
        for person_id, org_id, doc_id, category in (
                Share.objects.active(today).filter(person_id__in=person_ids)
                .values_list("person_id", "organisation_id", "document_id", "category")):
            shares.add((person_id, org_id, doc_id or category))
    for p in paths:
        for d in docs.get(p.person_id, []):
            if not for_person and not ({(p.person_id, p.organisation_id, d.pk),
                                        (p.person_id, p.organisation_id, d.category)} & shares):
                continue
            kind = (SignalKind.DOCUMENT_EXPIRING if d.category == DocumentCategory.IDENTITY
                    else SignalKind.RIGHT_ENDING)
            out[p.pk].append(Signal(
                kind, f"d{d.pk}:{d.expires_on.isoformat()}", d.expires_on,
                (d.expires_on - today).days,
                {"document": str(d.uid), "title": d.title, "expires_on": d.expires_on.isoformat(),
                 "category": d.category}))

    # 8. No référent, or a référent who left the organisation.
    for p in paths:
        if p.referent_id is None:
            out[p.pk].append(Signal(SignalKind.NO_REFERENT, "none", p.opened_on, 0, {}))
        elif not p.referent.is_active:
            out[p.pk].append(Signal(SignalKind.NO_REFERENT, f"left:{p.referent_id}", p.opened_on,
                                    0, {"referent_left": True}))

    # 9. A blocking frein, assessed a while ago, with no action on its theme.
    severe = list(DiagnosticEntry.objects.filter(
        **in_batch, is_current=True, severity__gte=3,
        assessed_on__lte=today - timedelta(days=t.severe_frein_days)).order_by("path_id", "theme"))
    if severe:
        covered = set(Action.objects.filter(**in_batch)
                      .exclude(status=ActionStatus.CANCELLED).exclude(theme="")
                      .values_list("path_id", "theme"))
        for e in severe:
            if e.path_id in out and (e.path_id, e.theme) not in covered:
                out[e.path_id].append(Signal(
                    SignalKind.SEVERE_FREIN, f"f{e.pk}", e.assessed_on,
                    (today - e.assessed_on).days,
                    {"theme": e.theme, "theme_label": str(e.get_theme_display())}))

    # 10. An invitation to choose an appointment slot, still without answer after its
    # deadline (the oldest is the cause; answering or cancelling it clears the signal).
    for path_id, pk, answer_by, org_name in (
            BookingInvitation.objects.filter(**in_batch, status="pending", answer_by__lt=today)
            .order_by("path_id", "answer_by", "id")
            .values_list("path_id", "pk", "answer_by", "organisation__name")):
        if path_id in out and not any(s.kind == SignalKind.BOOKING_UNANSWERED for s in out[path_id]):
            since = answer_by + timedelta(days=1)
            out[path_id].append(Signal(SignalKind.BOOKING_UNANSWERED, f"b{pk}", since,
                                       (today - since).days,
                                       {"invitation": pk, "answer_by": answer_by.isoformat(),
                                        "organisation": org_name}))

    for signals in out.values():
        signals.sort(key=lambda s: (-s.weight, s.since))
    return out


def days_of(kind: str, since: date, today: date | None = None) -> int:
    """The days a signal shows: days left before an end or an expiry, days since the
    cause otherwise (signals keep `since`; the days are recomputed when shown)."""
    today = today or timezone.localdate()
    if kind in (SignalKind.CONTRACT_ENDING, SignalKind.DOCUMENT_EXPIRING, SignalKind.RIGHT_ENDING):
        return (since - today).days
    if kind == SignalKind.NO_REFERENT:
        return 0
    return (today - since).days


def priority(signals: list[Signal]) -> int:
    """The documented score: the sum of the weights of the active signals."""
    return sum(s.weight for s in signals)
