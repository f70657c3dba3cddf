"""Reads of the reporting app. Operations are scoped to the actor's organisation; lists
and exports of participants record one audit event per person shown."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from passeport.core.actor import Actor
from passeport.core.enums import AuditAction
from passeport.core.errors import NotFound
from passeport.core.services import audit_record_many
from passeport.people.enums import ConsentScope
from passeport.people.models import Consent, Person

from .enums import SENSITIVE_FIELDS, EntryStatus, FollowUpStatus
from .indicators import complete_q, setting
from .models import Operation, Participation


def operations_for(actor: Actor) -> QuerySet[Operation]:
    return Operation.objects.of(actor.organisation_id).annotate(n_participations=Count("participations"))


def operation_get_for(actor: Actor, pk: int) -> Operation:
    op = Operation.objects.of(actor.organisation_id).filter(pk=pk).first()
    if op is None:
        raise NotFound(_("Opération introuvable."))
    return op


def participation_get_for(actor: Actor, pk: int) -> Participation:
    p = (Participation.objects.select_related("operation", "person")
         .filter(pk=pk, operation__organisation_id=actor.organisation_id).first())
    if p is None:
        raise NotFound(_("Participation introuvable."))
    return p


def audit_shown(actor: Actor, participations, *, action: str = AuditAction.LIST, what: str = "esf_participation"):
    """One audit event per person shown (one bulk insert), with the consent in force."""
    rows = list(participations)
    uids = {p.person.public_id: p.person_id for p in rows}
    consents = dict(Consent.objects.active().filter(
        person_id__in=uids.values(), organisation_id=actor.organisation_id, scope=ConsentScope.PATH,
    ).values_list("person_id", "pk"))
    audit_record_many(actor, action=action, object_type=what,
                      entries=[(uid, consents.get(pid)) for uid, pid in uids.items()])
    return rows


def participations_of(actor: Actor, operation: Operation, *, audit: bool = True) -> list[Participation]:
    rows = list(Participation.objects.filter(operation=operation).select_related("person")
                .order_by("entry_on", "pk"))
    return audit_shown(actor, rows) if audit else rows


PARTICIPANTS_PAGE_SIZE = 50
PARTICIPANT_STATUSES = {"en-cours": Q(exit_on__isnull=True), "sortis": Q(exit_on__isnull=False)}


def participations_page(actor: Actor, operation: Operation, *, search: str = "", status: str = "",
                        page_number=None, per_page: int = PARTICIPANTS_PAGE_SIZE) -> Page:
    """One page of the operation's participants, filtered by name or passport identifier and
    by presence (`en-cours`, `sortis`); only the persons shown are audited."""
    qs = (Participation.objects.filter(operation=operation).select_related("person")
          .order_by("entry_on", "pk"))
    if search.strip():
        qs = qs.filter(person__in=Person.objects.search(search).values("pk"))
    if status in PARTICIPANT_STATUSES:
        qs = qs.filter(PARTICIPANT_STATUSES[status])
    page = Paginator(qs, per_page).get_page(page_number)
    page.object_list = audit_shown(actor, page.object_list)
    return page


def followups_due(actor: Actor, *, today: date | None = None) -> list[Participation]:
    """Participants whose six-month survey is open (exit at least `SIX_MONTHS_MIN_DAYS` ago)
    and not yet answered, with their contact details (audited)."""
    today = today or timezone.localdate()
    rows = list(Participation.objects.filter(
        operation__organisation_id=actor.organisation_id, exit_on__isnull=False,
        exit_on__lte=today - timedelta(days=setting("SIX_MONTHS_MIN_DAYS", 182)),
        followup_status=FollowUpStatus.PENDING,
    ).select_related("person", "operation").order_by("exit_on", "pk"))
    return audit_shown(actor, rows)


CHECKS = {
    "gender": gettext_lazy("Genre manquant"),
    "birth_date": gettext_lazy("Date de naissance manquante"),
    "entry_status": gettext_lazy("Situation à l'entrée manquante"),
    "unemployed_since": gettext_lazy("Durée du chômage manquante"),
    "education_level": gettext_lazy("Niveau de formation manquant"),
    "sensitive": gettext_lazy("Données sensibles non demandées (un refus est une réponse)"),
    "exit_situation": gettext_lazy("Situation à la sortie non renseignée (4 semaines écoulées)"),
    "exit_late": gettext_lazy("Situation à la sortie observée plus de 4 semaines après la sortie"),
    "followup": gettext_lazy("Enquête à six mois non faite"),
    "unemployed_since_not_unemployed": gettext_lazy("Durée de chômage indiquée pour une personne non chômeuse"),
}


def _check_qs(today: date) -> dict[str, Q]:
    upon = setting("UPON_LEAVING_DAYS", 28)
    sensitive = Q()
    for f in SENSITIVE_FIELDS:
        sensitive |= Q(**{f: ""})
    return {
        "gender": Q(gender=""),
        "birth_date": Q(birth_date__isnull=True),
        "entry_status": Q(entry_status=""),
        "unemployed_since": Q(entry_status=EntryStatus.UNEMPLOYED, unemployed_since__isnull=True),
        "education_level": Q(education_level=""),
        "sensitive": sensitive,
        "exit_situation": Q(exit_on__lte=today - timedelta(days=upon), exit_observed_on__isnull=True),
        "exit_late": Q(exit_observed_on__isnull=False) & Q(exit_on__isnull=False)
        & Q(exit_observed_on__gt=_plus_days("exit_on", upon)),
        "followup": Q(exit_on__lte=today - timedelta(days=setting("SIX_MONTHS_MAX_DAYS", 273)),
                      followup_status=FollowUpStatus.PENDING),
        "unemployed_since_not_unemployed": Q(unemployed_since__isnull=False) & ~Q(entry_status=EntryStatus.UNEMPLOYED),
    }


def _plus_days(field_name: str, days: int):
    from django.db.models import DateField, ExpressionWrapper, F

    return ExpressionWrapper(F(field_name) + timedelta(days=days), output_field=DateField())


@dataclass
class QualityReport:
    total: int
    complete: int
    counts: dict[str, int]
    rows: list[tuple[Participation, list[str]]] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        """Completeness rate in percent (complete mandatory entry data), None without data."""
        return round(100 * self.complete / self.total, 1) if self.total else None

    @property
    def lines(self) -> list[tuple[str, str, int]]:
        return [(k, str(CHECKS[k]), self.counts[k]) for k in CHECKS]


def data_quality(actor: Actor, operation: Operation, *, today: date | None = None,
                 with_rows: bool = True) -> QualityReport:
    """Missing or inconsistent data per operation, counted in SQL; the records to fix."""
    today = today or timezone.localdate()
    checks = _check_qs(today)
    qs = Participation.objects.filter(operation=operation)
    agg = qs.aggregate(total=Count("pk"), complete=Count("pk", filter=complete_q()),
                       **{f"n_{k}": Count("pk", filter=q) for k, q in checks.items()})
    report = QualityReport(total=agg.pop("total"), complete=agg.pop("complete"),
                           counts={k: agg[f"n_{k}"] for k in checks})
    if with_rows:
        any_issue = Q()
        for q in checks.values():
            any_issue |= q
        rows = list(qs.filter(any_issue).select_related("person").order_by("entry_on", "pk"))
        flagged = {k: set(qs.filter(q).values_list("pk", flat=True)) for k, q in checks.items()
                   if report.counts[k]}
        report.rows = [(p, [str(CHECKS[k]) for k, ids in flagged.items() if p.pk in ids]) for p in rows]
        audit_shown(actor, rows)
    return report


def incomplete_count(operation: Operation) -> int:
    """How many participations of the operation lack mandatory entry data (a count only:
    no personal data is read)."""
    return Participation.objects.filter(operation=operation).exclude(complete_q()).count()
