"""Rights: the household situation, estimates of the benefits a household may claim
(OpenFisca-France), rights not claimed turned into actions, and caseload screenings.

Every endpoint about a person reads them through the consent check (scope "rights") and
leaves an audit event; another organisation gets 404 `not_found`. Estimates are computed
in the background: a request answers 202 with a `pending` estimate (or the existing
estimate of the very same situation); poll it until its `status` is `done`.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.responses import codes_4xx
from pydantic import Field

from passeport.api.auth import actor
from passeport.api.pagination import MAX_PAGE
from passeport.api.schemas import ErrorOut, Text
from passeport.core.errors import PasseportError
from passeport.rights.catalogue import MISSING, NOTES, RIGHTS
from passeport.rights.enums import (
    CheckStatus,
    DisabilityRate,
    HousingStatus,
    IncomeKind,
    MemberRole,
    ReceivedBenefit,
    RightCode,
    ScreeningStatus,
    Tristate,
)
from passeport.rights.selectors import (
    check_get_for,
    household_input,
    rights_person_get,
    screening_get_for,
    screening_ranked,
    screening_to_verify,
    situation_of,
)
from passeport.rights.services import (
    estimate_request,
    flag_to_action,
    screening_start,
    situation_save,
)

router = Router()

Month = str  # YYYY-MM
MONTH_PATTERN = r"^(19|20)\d{2}-(0[1-9]|1[0-2])$"  # years 1900-2099


# --- Schemas -------------------------------------------------------------------------

class MemberIo(Schema):
    role: MemberRole
    first_name: Text(100) = ""
    birth_date: date
    disability_rate: DisabilityRate = DisabilityRate.UNKNOWN
    student: Tristate = Tristate.UNKNOWN


class IncomeIo(Schema):
    member: int | None = Field(None, description="Index dans `members` ; vide : la personne "
                                                 "accompagnée.")
    kind: IncomeKind
    monthly_amount: Decimal = Field(ge=0, le=100000, description="Montant net par mois (€).")
    start_month: str | None = Field(None, pattern=MONTH_PATTERN,
                                    description="AAAA-MM ; vide : depuis longtemps.")
    end_month: str | None = Field(None, pattern=MONTH_PATTERN,
                                  description="AAAA-MM ; vide : encore maintenant.")
    month: str | None = Field(None, pattern=MONTH_PATTERN,
                              description="Un seul mois (remplace start_month et end_month).")
    hours_per_week: int | None = Field(None, ge=1, le=80)


class SituationIn(Schema):
    """The whole situation (it replaces the previous one). Every field is optional; an
    empty value means "unknown"."""

    couple: Tristate = Tristate.UNKNOWN
    housing_status: HousingStatus = Field(HousingStatus.UNKNOWN,
                                          description="Vide : celui du parcours.")
    rent: Decimal | None = Field(None, ge=0, le=20000, description="Loyer mensuel hors charges.")
    commune_insee: str = Field("", description="Vide : la commune de la personne.")
    disability_rate: DisabilityRate = DisabilityRate.UNKNOWN
    rsdae: Tristate = Tristate.UNKNOWN
    student: Tristate = Tristate.UNKNOWN
    received: list[ReceivedBenefit] | None = Field(
        None, description="Aides reçues ; `null` : celles du parcours.")
    incomes_complete: Tristate = Tristate.UNKNOWN
    members: list[MemberIo] = Field(default_factory=list, max_length=20)
    incomes: list[IncomeIo] = Field(default_factory=list, max_length=60)


class MissingOut(Schema):
    code: str
    label: str


class OriginOut(Schema):
    source: str = Field(description="`person` (déclaré par la personne), `professional` ou "
                                    "`api`.")
    by: str
    organisation: str
    at: datetime


class SituationOut(SituationIn):
    provenance: dict[str, OriginOut] = Field(
        default_factory=dict,
        description="Qui a donné chaque partie de la situation, et quand (household, housing, "
                    "incomes, health, received).")
    effective_housing_status: str = Field(description="Logement retenu (situation ou parcours).")
    effective_commune_insee: str
    effective_received: list[str]
    missing: list[MissingOut] = Field(description="Ce qui manque pour être plus précis.")


class FlagOut(Schema):
    code: RightCode
    label: str
    amount: float = Field(description="Montant mensuel estimé (0 pour la CSS).")
    why: str
    how: str
    claim_url: str


class VerifyOut(Schema):
    code: RightCode
    label: str
    due: bool = Field(description="Le calcul le donne ouvert, avec les informations manquantes "
                                  "comptées à zéro.")
    missing: list[MissingOut]


class EstimateOut(Schema):
    id: int
    status: CheckStatus
    month: str
    requested_at: datetime
    computed_at: datetime | None
    source: str
    legislation_date: date | None = Field(description="Barèmes en vigueur à cette date.")
    engine_version: str = Field(description="Version d'OpenFisca-France.")
    amounts: dict[str, float] = Field(description="Montants mensuels estimés par droit.")
    housing_aid_kind: str
    css: str = Field(description="`free`, `participation` ou `none`.")
    css_participation: Decimal
    received: list[str]
    flags: list[FlagOut] = Field(description="Droits probablement non demandés (calculables "
                                             "avec les informations données).")
    to_verify: list[VerifyOut] = Field(description="Droits à vérifier : leur résultat dépend "
                                                   "d'informations manquantes.")
    flagged_total: Decimal
    notes: list[str]
    missing: list[MissingOut]
    input_hash: str
    error: str
    caveat: str = "Estimation, pas une décision : seul l'organisme payeur décide."

    @staticmethod
    def resolve_month(obj) -> str:
        return obj.month.strftime("%Y-%m")

    @staticmethod
    def resolve_flags(obj) -> list[dict]:
        out = []
        for f in obj.flags:
            r = RIGHTS[f["code"]]
            out.append({"code": f["code"], "label": str(r.name), "amount": f.get("amount", 0),
                        "why": str(r.why), "how": str(r.how), "claim_url": r.claim_url})
        return out

    @staticmethod
    def resolve_to_verify(obj) -> list[dict]:
        return [{"code": v["code"], "label": str(RIGHTS[v["code"]].name), "due": v["due"],
                 "missing": [{"code": m, "label": str(MISSING.get(m, m))} for m in v["missing"]]}
                for v in obj.to_verify or []]

    @staticmethod
    def resolve_notes(obj) -> list[str]:
        return [str(NOTES.get(n, n)) for n in obj.notes]

    @staticmethod
    def resolve_missing(obj) -> list[dict]:
        return [{"code": m, "label": str(MISSING.get(m, m))} for m in obj.missing]


class EstimateIn(Schema):
    month: str | None = Field(None, pattern=MONTH_PATTERN, description="AAAA-MM ; vide : ce "
                                                                       "mois-ci.")


class ActionIn(Schema):
    code: RightCode


class ActionOut(Schema):
    id: int
    title: str
    status: str
    due_on: date | None


class ScreeningIn(EstimateIn):
    pass


class RankedOut(Schema):
    rank: int
    public_id: str
    first_name: str
    last_name: str
    flags: list[FlagOut]
    flagged_total: Decimal
    missing: list[str]
    estimate_id: int


class VerifyPersonOut(Schema):
    public_id: str
    first_name: str
    last_name: str
    to_verify: list[VerifyOut] = Field(description="Les droits à vérifier qui semblent "
                                                   "ouverts, et ce qui manque pour chacun.")
    missing: list[str]
    estimate_id: int


class ScreeningOut(Schema):
    id: int
    status: ScreeningStatus
    month: str
    created_at: datetime
    finished_at: datetime | None
    persons_count: int
    flagged_count: int
    flagged_total: Decimal
    to_verify_count: int = Field(0, description="Personnes avec un droit à vérifier (il manque "
                                                "des informations pour le dire probable).")
    legislation_date: date | None
    ranked: list[RankedOut] = Field(default_factory=list,
                                    description="Droits probablement non demandés, les plus "
                                                "importants d'abord (une page ; avec "
                                                "`list=likely`, par défaut).")
    to_verify: list[VerifyPersonOut] = Field(
        default_factory=list,
        description="Personnes avec un droit à vérifier qui semble ouvert (il manque des "
                    "informations pour le dire probable), par nom (une page ; avec "
                    "`list=to_verify`).")
    page_of: Literal["likely", "to_verify"] = Field(
        "likely", description="La liste que `page` et `pages` paginent.")
    page: int = 1
    pages: int = 1


def _month(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value + "-01")
    except ValueError as exc:
        raise PasseportError(_("Mois invalide : écrivez AAAA-MM, par exemple 2026-03."),
                             code="invalid_month", field="month") from exc


def _situation_out(person, path) -> dict:
    from passeport.rights.selectors import current_month

    s = situation_of(path)
    _household, facts = household_input(person, path, s, current_month())
    out = {
        "effective_housing_status": facts.housing_status,
        "effective_commune_insee": facts.commune,
        "effective_received": facts.received,
        "missing": [{"code": m, "label": str(MISSING.get(m, m))} for m in facts.missing],
        "members": [], "incomes": [], "provenance": (s.provenance or {}) if s else {},
    }
    if s is not None:
        out.update({k: getattr(s, k) for k in ("couple", "housing_status", "rent", "commune_insee",
                                                "disability_rate", "rsdae", "student", "received",
                                                "incomes_complete")})
        rows = list(s.members.all())
        index = {m.pk: i for i, m in enumerate(rows)}
        out["members"] = [{"role": m.role, "first_name": m.first_name, "birth_date": m.birth_date,
                           "disability_rate": m.disability_rate, "student": m.student}
                          for m in rows]
        out["incomes"] = [{
            "member": index.get(line.member_id) if line.member_id else None, "kind": line.kind,
            "monthly_amount": line.monthly_amount,
            "start_month": line.start_month.strftime("%Y-%m") if line.start_month else None,
            "end_month": line.end_month.strftime("%Y-%m") if line.end_month else None,
            "hours_per_week": line.hours_per_week} for line in s.incomes.all()]
    return out


# --- Endpoints -----------------------------------------------------------------------

@router.get("/persons/{public_id}/situation", response={200: SituationOut, codes_4xx: ErrorOut},
            summary="La situation du foyer",
            description="Ce qui est indiqué, ce qui est retenu (avec ce que sait le passeport) et "
                        "ce qui manque pour être plus précis.")
def situation_get(request, public_id: str):
    person, path = rights_person_get(actor(request), public_id)
    return _situation_out(person, path)


@router.put("/persons/{public_id}/situation",
            response={200: SituationOut, codes_4xx: ErrorOut},
            summary="Remplacer la situation du foyer",
            description="Tout ou rien : une situation incomplète ou contradictoire est refusée "
                        "(400, code stable et champ en cause, ex. `rent_without_tenancy`, "
                        "`member_birth_date_required`), rien n'est enregistré. Une nouvelle "
                        "estimation est demandée.")
def situation_put(request, public_id: str, payload: SituationIn):
    a = actor(request)
    person, path = rights_person_get(a, public_id)
    data = payload.model_dump()
    data["received"] = None if payload.received is None else [str(b) for b in payload.received]
    situation_save(actor=a, person=person, path=path, data=data)
    return _situation_out(person, path)


@router.post("/persons/{public_id}/estimates",
             response={202: EstimateOut, codes_4xx: ErrorOut},
             summary="Demander une estimation",
             description="Répond tout de suite (202) avec l'estimation en attente, ou celle, "
                         "déjà faite, de la même situation pour le même mois.")
def estimate_post(request, public_id: str, payload: EstimateIn):
    a = actor(request)
    person, path = rights_person_get(a, public_id)
    check = estimate_request(actor=a, person=person, path=path, month=_month(payload.month))
    check.refresh_from_db()
    return Status(202, check)


@router.get("/persons/{public_id}/estimates", response={200: list[EstimateOut], codes_4xx: ErrorOut},
            summary="L'historique des estimations (les 50 dernières)")
def estimate_list(request, public_id: str,
                  status: Literal["pending", "running", "done", "failed"] | None = None):
    from passeport.rights.models import RightsCheck

    person, _path = rights_person_get(actor(request), public_id)
    qs = RightsCheck.objects.filter(person=person)
    if status:
        qs = qs.filter(status=status)
    return list(qs.order_by("-requested_at", "-id")[:50])


@router.get("/persons/{public_id}/estimates/{estimate_id}",
            response={200: EstimateOut, codes_4xx: ErrorOut}, summary="Une estimation")
def estimate_get(request, public_id: str, estimate_id: int):
    person, _path = rights_person_get(actor(request), public_id)
    return check_get_for(person, estimate_id)


@router.post("/persons/{public_id}/estimates/{estimate_id}/actions",
             response={201: ActionOut, codes_4xx: ErrorOut},
             summary="Transformer un droit non demandé (ou à vérifier) en action du parcours",
             description="Un droit probablement non demandé (`flags`) donne « Demander : … » ; "
                         "un droit à vérifier qui semble ouvert (`to_verify`, `due`) donne "
                         "« Vérifier le droit à … : compléter … ». 400 `not_flagged` pour un "
                         "autre droit ; 409 `action_exists` si une action est déjà en cours pour ce droit ; "
                         "400 `path_consent_required` sans accord « parcours ».")
def estimate_action(request, public_id: str, estimate_id: int, payload: ActionIn):
    a = actor(request)
    person, path = rights_person_get(a, public_id)
    check = check_get_for(person, estimate_id)
    action = flag_to_action(actor=a, person=person, path=path, check=check, code=payload.code)
    return Status(201, action)


@router.post("/screenings", response={202: ScreeningOut, codes_4xx: ErrorOut},
             summary="Lancer le repérage de la file active",
             description="Estime les droits de toutes les personnes suivies avec l'accord "
                         "« droits », en simulations vectorisées par lots.")
def screening_post(request, payload: ScreeningIn):
    run = screening_start(actor=actor(request), month=_month(payload.month))
    run.refresh_from_db()
    return Status(202, _screening_out(request, run, 1))


@router.get("/screenings/{run_id}", response={200: ScreeningOut, codes_4xx: ErrorOut},
            summary="Un repérage et son classement",
            description="`list=likely` (par défaut) : les droits probablement non demandés, "
                        "les plus importants d'abord (`ranked`) ; `list=to_verify` : les "
                        "personnes avec un droit à vérifier, par nom (`to_verify`). 50 par "
                        "page ; seules les personnes qui ouvrent encore leurs droits à la "
                        "structure sont listées (et la lecture est tracée).")
def screening_get(request, run_id: int, page: int = Query(1, ge=1, le=MAX_PAGE),
                  which: Literal["likely", "to_verify"] = Query("likely", alias="list")):
    a = actor(request)
    run = screening_get_for(a, run_id)
    return _screening_out(request, run, page, which)


def _screening_out(request, run, page: int, which: str = "likely") -> dict:
    out = {k: getattr(run, k) for k in ("id", "status", "created_at", "finished_at",
                                        "persons_count", "flagged_count", "flagged_total",
                                        "to_verify_count", "legislation_date")}
    out["month"] = run.month.strftime("%Y-%m")
    out["page_of"] = which
    if run.status == ScreeningStatus.DONE and which == "to_verify":
        result = screening_to_verify(actor(request), run, page, per_page=50)
        out["page"], out["pages"] = result.number, result.paginator.num_pages
        out["to_verify"] = [{
            "public_id": c.person.public_id, "first_name": c.person.first_name,
            "last_name": c.person.last_name,
            "to_verify": [v for v in EstimateOut.resolve_to_verify(c) if v["due"]],
            "missing": c.missing, "estimate_id": c.pk,
        } for c in result.object_list]
    elif run.status == ScreeningStatus.DONE:
        result = screening_ranked(actor(request), run, page, per_page=50)
        out["page"], out["pages"] = result.number, result.paginator.num_pages
        out["ranked"] = [{
            "rank": result.start_index() + i, "public_id": c.person.public_id,
            "first_name": c.person.first_name, "last_name": c.person.last_name,
            "flags": EstimateOut.resolve_flags(c), "flagged_total": c.flagged_total,
            "missing": c.missing, "estimate_id": c.pk,
        } for i, c in enumerate(result.object_list)]
    return out
