"""Jobs, immersions and matching.

- Referential: appellation autocomplete (accent-insensitive), a fiche's skills.
- Offers: list and read (open offers are visible to every professional), create and
  change (the employer's members and API tokens: 403 `not_an_employer` otherwise);
  skills not given are prefilled from the fiche métier.
- Matching: the offers for a person (consent « jobs » of your organisation, else 404
  `not_found`) and the persons for an offer (only those who gave your organisation
  their consent « jobs »), each result with its plain-French explanation.
- Proposals: propose a person to an offer's employer (the person's agreement is
  required: 400 `person_agreement_required`), the employer's answer (interview, hired,
  refused with a coded reason; 409 `invalid_transition`, 403 `not_your_side`).
- Immersions (PMSMP): create, validate (prescriber), assess (host employer).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.responses import codes_4xx
from pydantic import Field

from passeport.api.auth import actor
from passeport.api.schemas import ErrorOut
from passeport.core.errors import NotFound, PasseportError
from passeport.core.models import Organisation
from passeport.directory.selectors import commune_get
from passeport.jobs.enums import (
    ApplicationStatus,
    Constraint,
    ContractType,
    InclusiveKind,
    RefusalReason,
    TransportMode,
)
from passeport.jobs.selectors import (
    appellation_get,
    appellations_search,
    application_get_for,
    applications_received,
    employer_profile_of,
    fiche_skills,
    immersion_get_for,
    offer_get_for,
    offer_get_own,
    offers_for_person,
    offers_search,
    persons_for_offer,
    profile_get_for,
)
from passeport.jobs.services import (
    application_answer,
    application_propose,
    employer_contact_add,
    employer_profile_save,
    immersion_assess,
    immersion_create,
    immersion_validate,
    offer_create,
    offer_set_status,
    offer_update,
    profile_save,
)
from passeport.people.enums import ConsentScope
from passeport.people.selectors import person_get_for

router = Router()


class AppellationOut(Schema):
    code_ogr: int
    label: str
    code_rome: str
    fiche: str


class SkillOut(Schema):
    code_ogr: int
    label: str
    kind: str


class OfferIn(Schema):
    kind: Literal["job", "immersion"] = "job"
    appellation: int = Field(description="Code OGR de l'appellation ROME.")
    title: str = Field("", max_length=250, description="Par défaut, l'appellation.")
    description: str = ""
    contract_type: Literal[tuple(ContractType.values)]  # type: ignore[valid-type]
    hours_per_week: int = Field(ge=1, le=48)
    commune: str = Field(description="Code INSEE de la commune du lieu de travail.",
                         pattern=r"^[0-9][0-9AB][0-9]{3}$")
    starts_on: date | None = None
    ends_on: date | None = None
    positions: int = Field(1, ge=1, le=999)
    skills_required: list[int] | None = Field(None, description="Codes OGR ; par défaut, la fiche métier.")
    skills_wished: list[int] | None = None
    constraints: list[Literal[tuple(Constraint.values)]] = []  # type: ignore[valid-type]


class OfferPatch(Schema):
    status: Literal["open", "filled", "closed"] | None = None
    title: str | None = Field(None, max_length=250)
    hours_per_week: int | None = Field(None, ge=1, le=48)
    positions: int | None = Field(None, ge=1, le=999)
    skills_required: list[int] | None = None
    skills_wished: list[int] | None = None
    constraints: list[Literal[tuple(Constraint.values)]] | None = None  # type: ignore[valid-type]


class OfferOut(Schema):
    id: int
    kind: str
    title: str
    employer: str
    employer_id: int
    appellation: int
    code_rome: str
    contract_type: str
    hours_per_week: int
    commune: str
    commune_name: str
    starts_on: date | None
    ends_on: date | None
    positions: int
    skills_required: list[int]
    skills_wished: list[int]
    constraints: list[str]
    status: str
    created_at: datetime


def _offer(o) -> dict:
    return {"id": o.pk, "kind": o.kind, "title": o.title, "employer": o.employer.name,
            "employer_id": o.employer_id, "appellation": o.appellation_id, "code_rome": o.fiche_id,
            "contract_type": o.contract_type, "hours_per_week": o.hours_per_week,
            "commune": o.commune_id, "commune_name": o.commune.name, "starts_on": o.starts_on,
            "ends_on": o.ends_on, "positions": o.positions, "skills_required": o.skills_required,
            "skills_wished": o.skills_wished, "constraints": o.constraints, "status": o.status,
            "created_at": o.created_at}


class MissingSkillOut(Schema):
    code_ogr: int
    label: str


class ExplanationOut(Schema):
    score: float = Field(description="0 à 1 ; voir docs/jobs.md pour les poids.")
    skills_score: float
    rome_link: str = Field(description="`target`, `experience`, `mobility` ou vide.")
    distance_km: float | None
    travel_minutes: int | None
    skills_matched: list[str]
    skills_partial: list[str]
    skills_missing: list[MissingSkillOut]
    warnings: list[str]
    congested: bool
    sentences: list[str]


class OfferMatchOut(Schema):
    offer: OfferOut
    explanation: ExplanationOut
    already_proposed: bool


class OffersForPersonOut(Schema):
    public_id: str
    results: list[OfferMatchOut]
    left_out: dict[str, int] = Field(description="Offres écartées car infaisables, par motif.")


class PersonMatchOut(Schema):
    public_id: str
    first_name: str
    last_name: str
    explanation: ExplanationOut
    already_proposed: bool


class ProfileIn(Schema):
    commune: str | None = Field(None, pattern=r"^[0-9][0-9AB][0-9]{3}$")
    career_change: bool = False
    max_distance_km: int = Field(20, ge=1, le=200)
    max_travel_minutes: int | None = Field(None, ge=5, le=180)
    transport_mode: Literal[tuple(TransportMode.values)] = "public"  # type: ignore[valid-type]
    has_driving_licence: bool = False
    has_vehicle: bool = False
    max_hours_per_week: int = Field(35, ge=1, le=48)
    childcare_constraint: bool = False
    night_work_ok: bool = False
    weekend_work_ok: bool = True
    target_appellations: list[int] = []
    experience_appellations: list[int] = []
    skills: list[int] | None = None
    skills_source: Literal["declared", "evaluated"] = "declared"


class ProfileOut(Schema):
    public_id: str
    commune: str | None
    career_change: bool
    max_distance_km: int
    max_travel_minutes: int | None
    transport_mode: str
    has_driving_licence: bool
    has_vehicle: bool
    max_hours_per_week: int
    childcare_constraint: bool
    night_work_ok: bool
    weekend_work_ok: bool
    target_appellations: list[int]
    experience_appellations: list[int]
    skills: dict[str, list[int]]
    freins: dict[str, int]


class ProposeIn(Schema):
    public_id: str
    message: str = Field("", max_length=2000)
    consent_method: Literal["oral", "written"]
    person_agreed: bool


class ApplicationOut(Schema):
    id: int
    offer: int
    public_id: str
    status: str
    refusal_reason: str
    interview_on: date | None
    created_at: datetime
    answered_at: datetime | None


def _application(a) -> dict:
    return {"id": a.pk, "offer": a.offer_id, "public_id": a.person.public_id, "status": a.status,
            "refusal_reason": a.refusal_reason, "interview_on": a.interview_on,
            "created_at": a.created_at, "answered_at": a.answered_at}


class AnswerIn(Schema):
    status: Literal["interview", "hired", "refused"]
    refusal_reason: Literal[tuple(RefusalReason.values)] | None = None  # type: ignore[valid-type]
    comment: str = Field("", max_length=2000)
    interview_on: date | None = None


class ImmersionIn(Schema):
    public_id: str
    employer: int = Field(description="Identifiant de la structure d'accueil (employeur).")
    appellation: int
    tutor_name: str = Field(max_length=150)
    starts_on: date
    ends_on: date
    objectives: str = Field(max_length=4000)
    offer: int | None = None


class AssessmentIn(Schema):
    skills_observed: list[int] = Field([], description="Compétences ROME observées, sans niveau.")
    skill_levels: dict[int, Literal[1, 2, 3, 4]] = Field(
        {}, description="Niveau (1 découvre … 4 maîtrise) de chaque compétence du métier observée, par code "
                        "OGR ROME : devient l'évaluation de l'employeur dans les compétences de la personne.")
    behaviour: Literal[1, 2, 3]
    comment: str = Field("", max_length=4000)
    led_to_job: bool


class ImmersionOut(Schema):
    id: int
    public_id: str
    employer: str
    appellation: int
    tutor_name: str
    starts_on: date
    ends_on: date
    objectives: str
    status: str
    skills_observed: list[int]
    skill_levels: dict[str, int]
    behaviour: int | None
    led_to_job: bool | None


def _immersion(i) -> dict:
    return {"id": i.pk, "public_id": i.person.public_id, "employer": i.employer.name,
            "appellation": i.appellation_id, "tutor_name": i.tutor_name, "starts_on": i.starts_on,
            "ends_on": i.ends_on, "objectives": i.objectives, "status": i.status,
            "skills_observed": i.skills_observed, "skill_levels": i.skill_levels, "behaviour": i.behaviour,
            "led_to_job": i.led_to_job}


def _commune(code: str | None, field: str):
    if code is None:
        return None
    commune = commune_get(code)
    if commune is None:
        raise PasseportError(_("Commune inconnue."), code="invalid_commune", field=field)
    return commune


def _appellations(codes: list[int], field: str):
    out = []
    for code in codes:
        a = appellation_get(code)
        if a is None:
            raise PasseportError(_("Appellation ROME inconnue : %s.") % code,
                                 code="invalid_appellation", field=field)
        out.append(a)
    return out


# --- Referential ------------------------------------------------------------------


@router.get("/appellations", response={200: list[AppellationOut], codes_4xx: ErrorOut},
            summary="Autocomplétion des métiers (appellations ROME), sans accents ni casse")
def appellations_get(request, q: str, limit: int = 10):
    return [{"code_ogr": a.code_ogr, "label": a.label, "code_rome": a.fiche_id, "fiche": a.fiche.label}
            for a in appellations_search(q, limit=max(1, min(limit, 50)))]


@router.get("/appellations/{code_ogr}/skills", response={200: list[SkillOut], codes_4xx: ErrorOut},
            summary="Les compétences de la fiche métier d'une appellation")
def appellation_skills_get(request, code_ogr: int):
    a = appellation_get(code_ogr)
    if a is None:
        raise NotFound(_("Appellation introuvable."))
    return [{"code_ogr": s.code_ogr, "label": s.label, "kind": s.kind} for s in fiche_skills(a.fiche_id)]


# --- Employer ---------------------------------------------------------------------


class ContactIn(Schema):
    name: str = Field(min_length=1, max_length=150)
    role: str = Field("", max_length=150)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=20)


class EmployerIn(Schema):
    inclusive_kind: Literal[tuple(InclusiveKind.values)] = ""  # type: ignore[valid-type]
    commune: str | None = Field(None, pattern=r"^[0-9][0-9AB][0-9]{3}$")
    description: str = Field("", max_length=4000)


class EmployerOut(Schema):
    organisation: str
    siret: str | None
    inclusive_kind: str
    inclusive: bool
    commune: str | None
    description: str
    contacts: list[ContactIn]


def _employer(profile) -> dict:
    return {"organisation": profile.organisation.name, "siret": profile.organisation.siret,
            "inclusive_kind": profile.inclusive_kind, "inclusive": profile.is_inclusive,
            "commune": profile.commune_id, "description": profile.description,
            "contacts": [{"name": c.name, "role": c.role, "email": c.email, "phone": c.phone}
                         for c in profile.contacts.all()]}


@router.put("/employer", response={200: EmployerOut, codes_4xx: ErrorOut},
            summary="Présentation de votre structure employeur (employeur inclusif : SIAE, EA, GEIQ)")
def employer_put(request, payload: EmployerIn):
    a = actor(request)
    employer_profile_save(actor=a, inclusive_kind=payload.inclusive_kind,
                          commune=_commune(payload.commune, "commune"), description=payload.description)
    return _employer(employer_profile_of(a.organisation_id))


@router.post("/employer/contacts", response={201: EmployerOut, codes_4xx: ErrorOut},
             summary="Ajouter un contact de votre structure employeur")
def employer_contact_post(request, payload: ContactIn):
    a = actor(request)
    employer_contact_add(actor=a, name=payload.name, role=payload.role, email=payload.email,
                         phone=payload.phone)
    return Status(201, _employer(employer_profile_of(a.organisation_id)))


# --- Offers -----------------------------------------------------------------------


@router.get("/offers", response={200: list[OfferOut], codes_4xx: ErrorOut},
            summary="Les offres ouvertes (emplois et immersions)")
def offers_get(request, q: str = "", kind: Literal["", "job", "immersion"] = "", mine: bool = False):
    a = actor(request)
    if mine:
        qs = offers_search(q=q, kind=kind, employer_id=a.organisation_id or -1, status=None)
    else:
        qs = offers_search(q=q, kind=kind)
    return [_offer(o) for o in qs[:200]]


@router.post("/offers", response={201: OfferOut, codes_4xx: ErrorOut},
             summary="Publier une offre d'emploi ou d'immersion",
             description="Compétences non fournies : celles de la fiche métier.")
def offer_post(request, payload: OfferIn):
    data = payload.dict()
    data["appellation"] = appellation_get(payload.appellation)
    data["commune"] = _commune(payload.commune, "commune")
    offer = offer_create(actor=actor(request), data=data)
    return Status(201, _offer(offer))


@router.get("/offers/{offer_id}", response={200: OfferOut, codes_4xx: ErrorOut})
def offer_get(request, offer_id: int):
    return _offer(offer_get_for(actor(request), offer_id))


@router.patch("/offers/{offer_id}", response={200: OfferOut, codes_4xx: ErrorOut},
              summary="Modifier ou fermer une offre de sa structure")
def offer_patch(request, offer_id: int, payload: OfferPatch):
    a = actor(request)
    offer = offer_get_own(a, offer_id)
    data = payload.dict(exclude_unset=True)
    status = data.pop("status", None)
    if data:
        offer = offer_update(actor=a, offer=offer, data=data)
    if status:
        offer = offer_set_status(actor=a, offer=offer, status=status)
    return _offer(offer)


# --- Matching ---------------------------------------------------------------------


@router.get("/persons/{public_id}/offers", response={200: OffersForPersonOut, codes_4xx: ErrorOut},
            summary="Les offres les mieux adaptées à une personne, expliquées")
def person_offers_get(request, public_id: str, kind: Literal["", "job", "immersion"] = ""):
    view = offers_for_person(actor(request), public_id, kind=kind)
    return {"public_id": view.person.public_id, "left_out": view.infeasible,
            "results": [{"offer": _offer(e.offer), "explanation": e.as_dict(),
                         "already_proposed": e.already_proposed} for e in view.results]}


@router.get("/offers/{offer_id}/candidates", response={200: list[PersonMatchOut], codes_4xx: ErrorOut},
            summary="Les personnes les mieux adaptées à une offre",
            description="Seulement les personnes qui ont donné à votre structure leur accord "
                        "pour la partie « emploi » ; chaque personne listée est tracée.")
def offer_candidates_get(request, offer_id: int):
    view = persons_for_offer(actor(request), offer_id)
    return [{"public_id": e.person.public_id, "first_name": e.person.first_name,
             "last_name": e.person.last_name, "explanation": e.as_dict(),
             "already_proposed": e.already_proposed} for e in view.results]


@router.get("/persons/{public_id}/profile", response={200: ProfileOut, codes_4xx: ErrorOut},
            summary="Le profil emploi d'une personne")
def profile_get(request, public_id: str):
    view = profile_get_for(actor(request), public_id)
    return _profile(view)


def _profile(view) -> dict:
    p = view.profile
    saved = p.pk is not None
    return {"public_id": view.person.public_id, "commune": p.commune_id, "career_change": p.career_change,
            "max_distance_km": p.max_distance_km, "max_travel_minutes": p.max_travel_minutes,
            "transport_mode": p.transport_mode, "has_driving_licence": p.has_driving_licence,
            "has_vehicle": p.has_vehicle, "max_hours_per_week": p.max_hours_per_week,
            "childcare_constraint": p.childcare_constraint, "night_work_ok": p.night_work_ok,
            "weekend_work_ok": p.weekend_work_ok,
            "target_appellations": [a.pk for a in p.target_appellations.all()] if saved else [],
            "experience_appellations": [a.pk for a in p.experience_appellations.all()] if saved else [],
            "skills": {src: [s.code_ogr for s in skills] for src, skills in view.skills_by_source.items()},
            "freins": view.freins}


@router.put("/persons/{public_id}/profile", response={200: ProfileOut, codes_4xx: ErrorOut},
            summary="Enregistrer le profil emploi d'une personne")
def profile_put(request, public_id: str, payload: ProfileIn):
    a = actor(request)
    person = person_get_for(a, public_id, scope=ConsentScope.JOBS, what="job_profile")
    data = payload.dict()
    data["commune"] = _commune(payload.commune, "commune")
    data["target_appellations"] = _appellations(payload.target_appellations, "target_appellations")
    data["experience_appellations"] = _appellations(payload.experience_appellations,
                                                    "experience_appellations")
    profile_save(actor=a, person=person, data=data)
    return _profile(profile_get_for(a, public_id))


# --- Proposals --------------------------------------------------------------------


@router.post("/offers/{offer_id}/applications", response={201: ApplicationOut, codes_4xx: ErrorOut},
             summary="Proposer une personne à l'employeur de l'offre",
             description="L'accord de la personne est requis ; il est enregistré comme accord "
                         "« emploi » pour l'employeur. 409 `already_proposed`, `offer_closed`.")
def application_post(request, offer_id: int, payload: ProposeIn):
    a = actor(request)
    offer = offer_get_for(a, offer_id)
    person = person_get_for(a, payload.public_id, scope=ConsentScope.JOBS, what="job_application")
    app = application_propose(actor=a, offer=offer, person=person, message=payload.message,
                              consent_method=payload.consent_method,
                              person_agreed=payload.person_agreed)
    return Status(201, _application(app))


@router.get("/applications", response={200: list[ApplicationOut], codes_4xx: ErrorOut},
            summary="Les candidatures reçues par votre structure (employeur)")
def applications_get(request, status: str = ""):
    if status and status not in ApplicationStatus.values:
        raise PasseportError(_("Statut inconnu."), code="invalid_choice", field="status")
    return [_application(x) for x in applications_received(actor(request), status=status)[:500]]


@router.post("/applications/{application_id}/answer", response={200: ApplicationOut, codes_4xx: ErrorOut},
             summary="Réponse de l'employeur : entretien, embauche ou refus motivé")
def application_answer_post(request, application_id: int, payload: AnswerIn):
    a = actor(request)
    app = application_answer(actor=a, application=application_get_for(a, application_id),
                             status=payload.status, refusal_reason=payload.refusal_reason or "",
                             comment=payload.comment, interview_on=payload.interview_on)
    return _application(app)


# --- Immersions -------------------------------------------------------------------


@router.post("/immersions", response={201: ImmersionOut, codes_4xx: ErrorOut},
             summary="Prévoir une immersion (PMSMP) pour une personne")
def immersion_post(request, payload: ImmersionIn):
    a = actor(request)
    person = person_get_for(a, payload.public_id, scope=ConsentScope.JOBS, what="immersion")
    employer = Organisation.objects.filter(pk=payload.employer).first()
    if employer is None:
        raise PasseportError(_("Employeur inconnu."), code="not_an_employer", field="employer")
    offer = offer_get_for(a, payload.offer) if payload.offer else None
    imm = immersion_create(actor=a, person=person, employer=employer,
                           appellation=appellation_get(payload.appellation),
                           tutor_name=payload.tutor_name, starts_on=payload.starts_on,
                           ends_on=payload.ends_on, objectives=payload.objectives, offer=offer)
    return Status(201, _immersion(imm))


@router.post("/immersions/{immersion_id}/validate", response={200: ImmersionOut, codes_4xx: ErrorOut},
             summary="Valider une immersion (prescripteur)")
def immersion_validate_post(request, immersion_id: int):
    a = actor(request)
    return _immersion(immersion_validate(actor=a, immersion=immersion_get_for(a, immersion_id)))


@router.post("/immersions/{immersion_id}/assessment", response={200: ImmersionOut, codes_4xx: ErrorOut},
             summary="Bilan de l'immersion par l'employeur d'accueil")
def immersion_assess_post(request, immersion_id: int, payload: AssessmentIn):
    a = actor(request)
    imm = immersion_assess(actor=a, immersion=immersion_get_for(a, immersion_id),
                           skills_observed=payload.skills_observed, skill_levels=payload.skill_levels,
                           behaviour=payload.behaviour,
                           comment=payload.comment, led_to_job=payload.led_to_job)
    return _immersion(imm)
