"""The household situation: checked whole, saved all or nothing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from passeport.core.actor import Actor
from passeport.core.enums import AuditAction
from passeport.core.errors import PasseportError
from passeport.core.models import INSEE_CODE_RE
from passeport.paths.models import Path
from passeport.people.models import Person

from ..enums import (
    DisabilityRate,
    HousingStatus,
    IncomeKind,
    MemberRole,
    ReceivedBenefit,
    Tristate,
)
from ..models import (
    HouseholdMember,
    HouseholdSituation,
    IncomeLine,
    RightsCheck,
)
from ..perms import ensure_professional, rights_consent
from .common import _audit
from .estimates import estimate_request

# --- The household situation -----------------------------------------------------------

def _error(message: str, code: str, field: str | None = None) -> PasseportError:
    return PasseportError(message, code=code, field=field)


def _choice(data: dict, key: str, choices, default: str = "") -> str:
    value = data.get(key)
    if value is None:
        return default
    value = str(value)
    if value not in choices.values:
        raise _error(_("Valeur inconnue : « %s ».") % value, "invalid_choice", key)
    return value


def _month(value: Any, field: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value.replace(day=1)
    try:
        text = str(value)
        return date.fromisoformat(text if len(text) == 10 else f"{text}-01").replace(day=1)
    except ValueError as exc:
        raise _error(_("Mois invalide : indiquez l'année et le mois (AAAA-MM)."),
                     "invalid_month", field) from exc


def _date(value: Any, field: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise _error(_("Date invalide (AAAA-MM-JJ)."), "invalid_date", field) from exc


def _amount(value: Any, field: str, maximum: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as exc:
        raise _error(_("Indiquez un montant en euros."), "invalid_amount", field) from exc
    if amount < 0:
        raise _error(_("Le montant ne peut pas être négatif."), "invalid_amount", field)
    if amount > maximum:
        raise _error(_("Ce montant paraît trop élevé : vérifiez-le."), "invalid_amount", field)
    return amount


def _clean_situation(person: Person, data: dict[str, Any]) -> dict[str, Any]:
    """Check a whole situation; a clear error naming the first field to fix."""
    today = timezone.localdate()
    out: dict[str, Any] = {
        "couple": _choice(data, "couple", Tristate),
        "housing_status": _choice(data, "housing_status", HousingStatus),
        "rent": _amount(data.get("rent"), "rent", 20000),
        "commune_insee": (data.get("commune_insee") or "").strip().upper(),
        "disability_rate": _choice(data, "disability_rate", DisabilityRate),
        "rsdae": _choice(data, "rsdae", Tristate),
        "student": _choice(data, "student", Tristate),
        "incomes_complete": _choice(data, "incomes_complete", Tristate),
    }
    if out["commune_insee"] and not INSEE_CODE_RE.match(out["commune_insee"]):
        raise _error(_("Le code commune INSEE a 5 caractères (ex. 29019 pour Brest)."),
                     "invalid_insee", "commune_insee")
    received = data.get("received")
    if received is not None:
        unknown = [b for b in received if b not in ReceivedBenefit.values]
        if unknown:
            raise _error(_("Aide inconnue : %s") % ", ".join(map(str, unknown)),
                         "invalid_benefit", "received")
        received = sorted(set(received))
    out["received"] = received
    if out["rent"] is not None and out["housing_status"] in (
            HousingStatus.OWNER, HousingStatus.HOSTED, HousingStatus.HOMELESS):
        raise _error(_("Un loyer est indiqué, mais la personne n'est pas locataire : "
                       "corrigez le logement ou retirez le loyer."), "rent_without_tenancy",
                     "rent")
    if out["rsdae"] == Tristate.YES and out["disability_rate"] in (DisabilityRate.NONE,):
        raise _error(_("Une restriction d'accès à l'emploi est indiquée sans taux "
                       "d'incapacité : indiquez le taux (50 % ou plus)."),
                     "rsdae_without_rate", "disability_rate")

    members = []
    for i, m in enumerate(data.get("members") or []):
        prefix = f"members.{i}."
        role = _choice(m, "role", MemberRole)
        if not role:
            raise _error(_("Indiquez le lien avec la personne."), "member_role_required",
                         prefix + "role")
        birth = _date(m.get("birth_date"), prefix + "birth_date")
        if birth is None:
            raise _error(_("Indiquez la date de naissance de chaque personne du foyer."),
                         "member_birth_date_required", prefix + "birth_date")
        if birth > today:
            raise _error(_("La date de naissance est dans le futur."), "future_birth_date",
                         prefix + "birth_date")
        if birth.year < today.year - 120:
            raise _error(_("La date de naissance est trop ancienne."), "old_birth_date",
                         prefix + "birth_date")
        members.append({
            "role": role, "birth_date": birth,
            "first_name": (m.get("first_name") or "").strip()[:100],
            "disability_rate": _choice(m, "disability_rate", DisabilityRate),
            "student": _choice(m, "student", Tristate),
        })
    partners = sum(1 for m in members if m["role"] == MemberRole.PARTNER)
    if partners > 1:
        raise _error(_("Un seul conjoint ou une seule conjointe par foyer."),
                     "several_partners", "members")
    if partners and out["couple"] == Tristate.NO:
        raise _error(_("Un conjoint est indiqué, mais la personne ne vit pas en couple : "
                       "corrigez l'un ou l'autre."), "partner_but_single", "couple")
    if partners:
        out["couple"] = Tristate.YES
    out["members"] = members

    incomes = []
    for i, line in enumerate(data.get("incomes") or []):
        prefix = f"incomes.{i}."
        kind = _choice(line, "kind", IncomeKind)
        if not kind:
            raise _error(_("Indiquez le type de revenu."), "income_kind_required", prefix + "kind")
        amount = _amount(line.get("monthly_amount", line.get("amount")), prefix + "monthly_amount",
                         100000)
        if amount is None:
            raise _error(_("Indiquez le montant net par mois."), "income_amount_required",
                         prefix + "monthly_amount")
        month = _month(line.get("month"), prefix + "month")
        start = month or _month(line.get("start_month"), prefix + "start_month")
        end = month or _month(line.get("end_month"), prefix + "end_month")
        if start and end and end < start:
            raise _error(_("Le mois de fin est avant le mois de début."), "income_end_before_start",
                         prefix + "end_month")
        if start and start > today.replace(day=1) + timedelta(days=31):
            raise _error(_("Le revenu commence dans le futur."), "income_in_future",
                         prefix + "start_month")
        member = line.get("member")
        if member not in (None, "", "self"):
            try:
                member = int(member)
                members[member]  # noqa: B018 - the index must exist
            except (ValueError, TypeError, IndexError) as exc:
                raise _error(_("Cette personne ne fait pas partie du foyer."),
                             "income_member_unknown", prefix + "member") from exc
        else:
            member = None
        hours = line.get("hours_per_week")
        if hours not in (None, ""):
            try:
                hours = int(hours)
            except (TypeError, ValueError) as exc:
                raise _error(_("Indiquez un nombre d'heures."), "invalid_hours",
                             prefix + "hours_per_week") from exc
            if not 0 < hours <= 80:
                raise _error(_("Indiquez entre 1 et 80 heures par semaine."), "invalid_hours",
                             prefix + "hours_per_week")
        else:
            hours = None
        incomes.append({"member": member, "kind": kind, "monthly_amount": amount,
                        "start_month": start, "end_month": end, "hours_per_week": hours})
    out["incomes"] = incomes
    return out


@transaction.atomic
def situation_save(*, actor: Actor, person: Person, path: Path | None,
                   data: dict[str, Any], request_estimate: bool = True) -> HouseholdSituation:
    """Replace the household situation attached to the person's path (all or nothing),
    then ask for a new estimate."""
    consent = ensure_professional(actor, person)
    if path is None or path.person_id != person.pk:
        raise PasseportError(_("Cette personne n'a pas encore de parcours : ouvrez-le d'abord."),
                             code="no_path")
    clean = _clean_situation(person, data)
    situation, _created = HouseholdSituation.objects.select_for_update().get_or_create(path=path)
    for key in ("couple", "housing_status", "rent", "commune_insee", "disability_rate", "rsdae",
                "student", "incomes_complete", "received"):
        setattr(situation, key, clean[key])
    situation.updated_by = actor.user
    situation.save()
    situation.members.all().delete()
    situation.incomes.all().delete()
    rows = [HouseholdMember(situation=situation, position=i, **m)
            for i, m in enumerate(clean["members"])]
    for row in rows:
        row.save()
    lines = []
    for line in clean["incomes"]:
        member = line.pop("member")
        lines.append(IncomeLine(situation=situation, member=None if member is None else rows[member],
                                **line))
    IncomeLine.objects.bulk_create(lines)
    _audit(actor, person, AuditAction.UPDATE, "household_situation", situation.pk, consent)
    if request_estimate:
        estimate_request(actor=actor, person=person, path=path)
    return situation


@transaction.atomic
def received_mark(*, actor: Actor, person: Person, path: Path | None, code: str,
                  received: bool) -> RightsCheck:
    """The person (or their référent) says a right is already received, or not: the
    declared benefits change and a new estimate is asked for."""
    consent = rights_consent(actor, person)
    if code not in ReceivedBenefit.values:
        raise PasseportError(_("Aide inconnue."), code="invalid_benefit", field="code")
    if path is None:
        raise PasseportError(_("Cette personne n'a pas encore de parcours."), code="no_path")
    situation, _created = HouseholdSituation.objects.select_for_update().get_or_create(path=path)
    current = situation.received
    if current is None:
        current = [b for b in (path.benefits or []) if b in ReceivedBenefit.values]
    values = set(current)
    (values.add if received else values.discard)(code)
    situation.received = sorted(values)
    situation.save(update_fields=["received", "updated_at"])
    _audit(actor, person, AuditAction.UPDATE, "household_situation", situation.pk, consent,
           received={code: received})
    return estimate_request(actor=actor, person=person, path=path)


