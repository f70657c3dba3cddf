"""The household situation: checked whole, saved all or nothing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from passeport.core.actor import Actor
from passeport.core.enums import AuditAction
from passeport.core.errors import NotFound, PasseportError, PasseportErrors
from passeport.core.models import INSEE_CODE_RE
from passeport.paths.enums import PathStatus
from passeport.paths.models import Path
from passeport.paths.selectors import current_path
from passeport.paths.signals import situation_declared
from passeport.people.models import Person

from ..catalogue import plain_list
from ..engine.household import add_months
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
from ..perms import ensure_professional, is_the_person, rights_consent
from .common import _audit, _source
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
    member_errors: list[PasseportError] = []  # every member in error at once
    for i, m in enumerate(data.get("members") or []):
        prefix = f"members.{i}."
        role = _choice(m, "role", MemberRole)
        if not role:
            member_errors.append(_error(_("Indiquez le lien avec la personne."),
                                        "member_role_required", prefix + "role"))
        try:
            birth = _date(m.get("birth_date"), prefix + "birth_date")
        except PasseportError as exc:
            member_errors.append(exc)
            continue
        if birth is None:
            member_errors.append(_error(_("Indiquez la date de naissance de chaque personne du foyer."),
                                        "member_birth_date_required", prefix + "birth_date"))
        elif birth > today:
            member_errors.append(_error(_("La date de naissance est dans le futur."),
                                        "future_birth_date", prefix + "birth_date"))
        elif birth.year < today.year - 120:
            member_errors.append(_error(_("La date de naissance est trop ancienne."),
                                        "old_birth_date", prefix + "birth_date"))
        if member_errors:
            continue
        members.append({
            "role": role, "birth_date": birth,
            "first_name": (m.get("first_name") or "").strip()[:100],
            "disability_rate": _choice(m, "disability_rate", DisabilityRate),
            "student": _choice(m, "student", Tristate),
        })
    PasseportErrors.raise_any(member_errors)
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


# The parts of a situation whose origin is recorded (who gave them, when).
SECTIONS: dict[str, tuple[str, ...]] = {
    "household": ("couple", "members"),
    "housing": ("housing_status", "rent", "commune_insee"),
    "incomes": ("incomes", "incomes_complete"),
    "health": ("disability_rate", "rsdae", "student"),
    "received": ("received",),
}
SCALARS = ("couple", "housing_status", "rent", "commune_insee", "disability_rate", "rsdae",
           "student", "incomes_complete", "received")


def situation_data(situation: HouseholdSituation | None) -> dict[str, Any]:
    """A stored situation in the services' input format (incomes point to members by
    their index)."""
    if situation is None:
        return {}
    rows = list(situation.members.all())
    index = {m.pk: i for i, m in enumerate(rows)}
    data: dict[str, Any] = {key: getattr(situation, key) for key in SCALARS}
    data["members"] = [{"role": m.role, "first_name": m.first_name, "birth_date": m.birth_date,
                        "disability_rate": m.disability_rate, "student": m.student}
                       for m in rows]
    data["incomes"] = [{"member": index.get(line.member_id) if line.member_id else None,
                        "kind": line.kind, "monthly_amount": line.monthly_amount,
                        "start_month": line.start_month, "end_month": line.end_month,
                        "hours_per_week": line.hours_per_week}
                       for line in situation.incomes.all() if not line.member_id
                       or line.member_id in index]
    return data


def _section_values(clean: dict[str, Any]) -> dict[str, Any]:
    return {name: [clean.get(key) for key in keys] for name, keys in SECTIONS.items()}


def _stamp(actor: Actor) -> dict[str, str]:
    user, organisation = actor.user, actor.organisation
    return {"source": _source(actor),
            "by": (user.get_full_name() or user.email) if user is not None else "",
            "organisation": organisation.name if organisation is not None else "",
            "at": timezone.now().isoformat()}


def _write(situation: HouseholdSituation, clean: dict[str, Any], actor: Actor,
           sections: list[str]) -> None:
    """Store a checked situation whole (members and incomes replaced), and record who
    gave the `sections`."""
    for key in SCALARS:
        setattr(situation, key, clean[key])
    situation.updated_by = actor.user
    stamp = _stamp(actor)
    situation.provenance = {**(situation.provenance or {}),
                            **dict.fromkeys(sections, stamp)}
    situation.save()
    situation.members.all().delete()
    situation.incomes.all().delete()
    rows = [HouseholdMember(situation=situation, position=i, **m)
            for i, m in enumerate(clean["members"])]
    for row in rows:
        row.save()
    lines = []
    for line in clean["incomes"]:
        line = dict(line)
        member = line.pop("member")
        lines.append(IncomeLine(situation=situation, member=None if member is None else rows[member],
                                **line))
    IncomeLine.objects.bulk_create(lines)


@transaction.atomic
def situation_save(*, actor: Actor, person: Person, path: Path | None,
                   data: dict[str, Any], request_estimate: bool = True) -> HouseholdSituation:
    """Replace the household situation attached to the person's path (all or nothing),
    then ask for a new estimate. The parts that change are recorded as given by the
    professional (or the API); the others keep their origin (e.g. the person's)."""
    consent = ensure_professional(actor, person)
    if path is None or path.person_id != person.pk:
        raise PasseportError(_("Cette personne n'a pas encore de parcours : ouvrez-le d'abord."),
                             code="no_path")
    clean = _clean_situation(person, data)
    situation, created = HouseholdSituation.objects.select_for_update().get_or_create(path=path)
    try:
        before = None if created else _section_values(
            _clean_situation(person, situation_data(situation)))
    except PasseportError:  # stored before a rule was added: every part is new
        before = None
    after = _section_values(clean)
    changed = [name for name in SECTIONS if before is None or before[name] != after[name]]
    _write(situation, clean, actor, changed)
    _audit(actor, person, AuditAction.UPDATE, "household_situation", situation.pk, consent,
           sections=changed)
    if request_estimate:
        estimate_request(actor=actor, person=person, path=path)
    return situation


# --- The person declares their own situation ------------------------------------------

DECLARABLE = {"couple", "members", "housing_status", "rent", "commune_insee", "resources",
              "incomes_complete", "disability_rate", "rsdae", "student"}
WHO = ("self", "partner")


def _now_amount(lines: list[dict], month: date) -> Decimal:
    """What the lines give for `month`."""
    return sum((line["monthly_amount"] for line in lines
                if (line["start_month"] is None or line["start_month"] <= month)
                and (line["end_month"] is None or line["end_month"] >= month)), Decimal("0"))


def _merge_members(current: dict[str, Any], declared: list[dict]) -> tuple[list, list]:
    """The declared partner and children replace the stored ones; other members are kept.
    Incomes follow their member (the partner, a child with the same birth date), or are
    dropped with them."""
    old = current.get("members") or []
    kept = [m for m in old if m["role"] == MemberRole.OTHER]
    members = [dict(m) for m in declared if m.get("role") != MemberRole.OTHER] + kept

    def new_index(i: int) -> int | None:
        m = old[i]
        if m["role"] == MemberRole.OTHER:
            return members.index(m)
        for j, n in enumerate(members):
            if n.get("role") == m["role"] and (
                    m["role"] == MemberRole.PARTNER
                    or str(n.get("birth_date")) == m["birth_date"].isoformat()):
                return j
        return None

    incomes = []
    for line in current.get("incomes") or []:
        if line["member"] is None:
            incomes.append(line)
            continue
        j = new_index(line["member"])
        if j is not None:
            incomes.append({**line, "member": j})
    return members, incomes


def _merge_resources(current_incomes: list[dict], members: list[dict],
                     resources: dict[str, dict[str, Any]]) -> list[dict]:
    """`resources`: {"self"|"partner": {kind: net amount per month now, or empty}}. A
    kind whose amount did not change keeps its lines (their months and hours); a changed
    one keeps the lines ended before this month and continues with the new amount."""
    month = timezone.localdate().replace(day=1)
    partner = next((i for i, m in enumerate(members) if m.get("role") == MemberRole.PARTNER),
                   None)
    incomes = list(current_incomes)
    for who, by_kind in resources.items():
        if who not in WHO:
            raise _error(_("Cette personne ne fait pas partie du foyer."),
                         "income_member_unknown", f"resources.{who}")
        member = None if who == "self" else partner
        for kind, value in (by_kind or {}).items():
            field = f"resources.{who}.{kind}"
            if kind not in IncomeKind.values:
                raise _error(_("Type de revenu inconnu."), "invalid_choice", field)
            amount = _amount(value, field, 100000) or Decimal("0")
            if who == "partner" and partner is None:
                if amount:
                    raise _error(_("Indiquez d'abord votre conjoint ou conjointe dans « Qui "
                                   "vit avec vous »."), "no_partner", field)
                continue
            lines = [line for line in incomes
                     if line["member"] == member and line["kind"] == kind]
            if _now_amount(lines, month) == amount:
                continue
            past = [line for line in lines
                    if line["end_month"] is not None and line["end_month"] < month]
            incomes = [line for line in incomes if not any(line is x for x in lines)] + past
            if amount:
                start = max((line["end_month"] for line in past), default=None)
                incomes.append({"member": member, "kind": kind, "monthly_amount": amount,
                                "start_month": add_months(start, 1) if start else None,
                                "end_month": None, "hours_per_week": None})
    return incomes


@transaction.atomic
def situation_declare(*, actor: Actor, person: Person, data: dict[str, Any]
                      ) -> HouseholdSituation:
    """The person gives or corrects part of their own situation (their household, housing,
    resources...): the parts given are merged into the stored situation, checked whole and
    saved all or nothing, recorded as declared by the person (with the date) and audited;
    then a new estimate is asked for. Only the person themselves declares (NotFound
    otherwise: a professional uses `situation_save`).

    `data` holds any of: couple, members (the partner and children: they replace the
    stored ones), housing_status, rent, commune_insee, resources ({"self"|"partner":
    {income kind: net amount per month now}}), incomes_complete, disability_rate, rsdae,
    student."""
    if not is_the_person(actor, person):
        raise NotFound(_("Passeport introuvable."))
    unknown = sorted(set(data) - DECLARABLE)
    if unknown:
        raise _error(_("Information inconnue : %s") % ", ".join(unknown), "invalid_field",
                     unknown[0])
    path = current_path(person)
    if path is None or path.status == PathStatus.CLOSED:
        raise PasseportError(_("Votre parcours n'est pas ouvert : votre référent pourra "
                               "compléter votre situation avec vous."), code="no_path")
    situation, _created = HouseholdSituation.objects.select_for_update().get_or_create(path=path)
    merged = situation_data(situation)
    merged.setdefault("members", [])
    merged.setdefault("incomes", [])
    if "members" in data:
        merged["members"], merged["incomes"] = _merge_members(merged, data["members"] or [])
    if "resources" in data:
        merged["incomes"] = _merge_resources(merged["incomes"], merged["members"],
                                             data["resources"] or {})
    for key in DECLARABLE - {"members", "resources"}:
        if key in data:
            merged[key] = data[key]
    clean = _clean_situation(person, merged)
    touched = {"resources": "incomes"}
    sections = sorted({name for name, keys in SECTIONS.items()
                       for key in data if touched.get(key, key) in keys})
    try:
        before = None if _created else _section_values(
            _clean_situation(person, situation_data(situation)))
    except PasseportError:  # stored before a rule was added: every part is new
        before = None
    after = _section_values(clean)
    changed = [name for name in sections if before is None or before[name] != after[name]]
    _write(situation, clean, actor, sections)
    _audit(actor, person, AuditAction.UPDATE, "household_situation", situation.pk, None,
           sections=sections, changed=changed, source="person")
    _timeline(actor, person, path, sections, changed)
    estimate_request(actor=actor, person=person, path=path)
    return situation


# The parts of the situation, as the path's timeline says them (never an amount).
TIMELINE_PARTS = {"household": gettext_lazy("le foyer"), "housing": gettext_lazy("le logement"),
                  "incomes": gettext_lazy("les ressources"),
                  "health": gettext_lazy("la santé et les études"),
                  "received": gettext_lazy("les aides reçues")}


def _timeline(actor: Actor, person: Person, path: Path, sections: list[str],
              changed: list[str]) -> None:
    """Tell the référent, on the path's timeline, which parts the person gave or
    corrected (or confirmed unchanged): the parts only, no amount."""
    if not sections:
        return
    if changed:
        title = (_("%(name)s a mis à jour sa situation dans « Mes droits » : %(parts)s")
                 % {"name": person.first_name,
                    "parts": plain_list(TIMELINE_PARTS[s] for s in changed)})
    else:
        title = (_("%(name)s a confirmé sa situation dans « Mes droits », sans changement : "
                   "%(parts)s") % {"name": person.first_name,
                                    "parts": plain_list(TIMELINE_PARTS[s] for s in sections)})
    situation_declared.send(
        sender=Path, path=path, title=title, author=actor.user, occurred_at=timezone.now(),
        body=_("Le détail est sur la page « Droits » du passeport ; une nouvelle estimation "
               "est calculée."))


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


