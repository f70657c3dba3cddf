"""The person's path: situation, référent and followers, diagnostic of freins,
objectives and actions, timeline events, progressive work hours.

Every endpoint reads the person through the consent check (path scope) and leaves an
audit event; objects addressed by id (actions, objectives, events) must belong to a path
the caller may see, else 404 `not_found`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.responses import codes_4xx
from pydantic import Field, field_validator

from passeport.api.access import follower_member, objective_of, require_path
from passeport.api.auth import actor
from passeport.api.pagination import decode_cursor, page_with_cursor
from passeport.api.schemas import (
    CursorPage,
    ErrorOut,
    MemberBrief,
    OrganisationBrief,
    Text,
    aware,
    custom_error,
)
from passeport.paths.enums import (
    ActionStatus,
    AppointmentOutcome,
    Benefit,
    ContractKind,
    EducationLevel,
    EmploymentStatus,
    EventKind,
    ExitReason,
    FreinTheme,
    HousingStatus,
    ObjectiveStatus,
    PathStatus,
    Severity,
)
from passeport.paths.selectors import (
    action_get_for,
    diagnostic_history,
    event_get_for,
    objective_get_for,
    path_followers,
    path_get_for,
    timeline_events,
)
from passeport.paths.services import (
    action_add,
    action_set_status,
    appointment_set_outcome,
    diagnostic_assess,
    event_add,
    objective_add,
    objective_set_status,
    path_open,
    path_update,
    work_hours_add,
)
from passeport.people.enums import ConsentScope
from passeport.people.selectors import person_get_for

router = Router()


# --- Schemas -------------------------------------------------------------------------

class Situation(Schema):
    employment_status: EmploymentStatus = EmploymentStatus.UNKNOWN
    unemployed_since: date | None = None
    education_level: EducationLevel = Field(EducationLevel.UNKNOWN,
                                            description="Niveau CITE (ISCED) regroupé.")
    housing_status: HousingStatus = HousingStatus.UNKNOWN
    benefits: list[Benefit] = Field(default_factory=list, description="Aides perçues.")


class PathOut(Schema):
    id: int
    status: PathStatus
    opened_on: date
    closed_on: date | None
    exit_reason: str
    organisation: OrganisationBrief = Field(description="Structure du référent (qui a ouvert).")
    referent: MemberBrief | None
    situation: Situation
    followers: list[OrganisationBrief] = Field(
        description="Structures qui suivent le parcours (accord « parcours » actif).")

    @staticmethod
    def resolve_situation(obj) -> dict:
        return {"employment_status": obj.employment_status,
                "unemployed_since": obj.unemployed_since,
                "education_level": obj.education_level, "housing_status": obj.housing_status,
                "benefits": obj.benefits}


class PathOpenIn(Situation):
    referent_id: int | None = Field(None, description="Membre d'une structure qui suit la "
                                                      "personne.")
    opened_on: date | None = None


class PathPatchIn(Schema):
    # Every field is optional; a field left out is unchanged.
    employment_status: EmploymentStatus = None
    unemployed_since: date | None = None
    education_level: EducationLevel = None
    housing_status: HousingStatus = None
    benefits: list[Benefit] = None
    referent_id: int | None = Field(None, description="`null` retire le référent.")
    status: PathStatus = None
    exit_reason: ExitReason | Literal[""] = Field("", description="Obligatoire pour clore.")
    closed_on: date | None = None


class DiagnosticEntryOut(Schema):
    id: int
    theme: FreinTheme
    theme_label: str
    severity: Severity
    severity_label: str
    assessed_on: date
    comment: str
    assessed_by: str | None
    is_current: bool

    @staticmethod
    def resolve_theme_label(obj) -> str:
        return str(obj.get_theme_display())

    @staticmethod
    def resolve_severity_label(obj) -> str:
        return str(obj.get_severity_display())

    @staticmethod
    def resolve_assessed_by(obj) -> str | None:
        return obj.assessed_by.get_full_name() if obj.assessed_by_id else None


class Assessment(Schema):
    theme: FreinTheme = Field(description="Catégorie data·inclusion du frein.")
    severity: Severity = Field(description="0 pas de difficulté … 3 difficulté bloquante.")
    comment: Text(2000) = ""


class DiagnosticIn(Schema):
    assessed_on: date | None = None
    assessments: list[Assessment] = Field(min_length=1, max_length=len(FreinTheme.values))

    @field_validator("assessments")
    @classmethod
    def _unique_themes(cls, assessments):
        themes = [a.theme for a in assessments]
        if len(set(themes)) != len(themes):
            raise custom_error("duplicate_theme", _("Chaque frein ne peut figurer qu'une fois."))
        return assessments


class ObjectiveOut(Schema):
    id: int
    title: str
    description: str
    status: ObjectiveStatus
    proposed_by_person: bool
    created_at: datetime


class ObjectiveIn(Schema):
    title: Text(200, required=True)
    description: Text(5000) = ""


class ObjectivePatchIn(Schema):
    status: ObjectiveStatus


class ActionOut(Schema):
    id: int
    objective_id: int | None
    title: str
    description: str
    theme: str
    organisation: OrganisationBrief | None
    assignee: MemberBrief | None
    for_person: bool
    due_on: date | None
    status: ActionStatus
    outcome: str
    proposed_by_person: bool
    is_overdue: bool
    created_at: datetime
    done_at: datetime | None


class ActionIn(Schema):
    title: Text(200, required=True)
    description: Text(5000) = ""
    objective_id: int | None = None
    theme: FreinTheme | Literal[""] = ""
    due_on: date | None = None
    assignee_id: int | None = Field(None, description="Membre d'une structure qui suit la "
                                                      "personne.")
    for_person: bool = Field(False, description="À faire par la personne elle-même.")


class ActionPatchIn(Schema):
    status: ActionStatus
    outcome: Text(5000) = ""


class EventOut(Schema):
    id: int
    kind: EventKind
    occurred_at: datetime
    title: str
    body: str
    author: str | None
    organisation: OrganisationBrief | None
    by_person: bool
    appointment_outcome: str
    seen_by_referent_at: datetime | None

    @staticmethod
    def resolve_author(obj) -> str | None:
        return obj.author.get_full_name() if obj.author_id else None


class EventPageOut(CursorPage):
    items: list[EventOut]


class EventIn(Schema):
    kind: Literal["note", "contact", "appointment"]
    title: Text(200, required=True)
    body: Text(10000) = ""
    occurred_at: datetime | None = None
    appointment_outcome: AppointmentOutcome | Literal[""] = Field(
        "", description="Rendez-vous seulement (par défaut : prévu).")

    @field_validator("occurred_at")
    @classmethod
    def _aware(cls, value):
        return aware(value)


class EventPatchIn(Schema):
    appointment_outcome: AppointmentOutcome


class WorkHoursOut(Schema):
    id: int
    hours_per_week: int
    starts_on: date
    ends_on: date | None
    contract: ContractKind
    employer_name: str
    note: str


class WorkHoursIn(Schema):
    hours_per_week: int = Field(ge=1, le=35)
    starts_on: date
    contract: ContractKind = ContractKind.PREMIERES_HEURES
    employer_name: Text(200) = ""
    note: Text(250) = ""


def _with_followers(path):
    path.followers = path_followers(path)
    return path


# --- Path ----------------------------------------------------------------------------

@router.get("/persons/{public_id}/path", response={200: PathOut, codes_4xx: ErrorOut},
            summary="Le parcours en cours (ou le dernier)",
            description="Situation à l'entrée, référent, structures qui suivent. 404 `no_path` "
                        "si la personne n'a pas encore de parcours.")
def path_detail(request, public_id: str):
    _person, path = path_get_for(actor(request), public_id)
    return _with_followers(require_path(path))


@router.post("/persons/{public_id}/path", response={201: PathOut, codes_4xx: ErrorOut},
             summary="Ouvrir un parcours",
             description="409 `path_already_open` si un parcours est déjà en cours.")
def path_post(request, public_id: str, payload: PathOpenIn):
    a = actor(request)
    person = person_get_for(a, public_id, scope=ConsentScope.PATH, what="path")
    path = path_open(actor=a, person=person,
                     referent=follower_member(person, payload.referent_id, "referent_id"),
                     opened_on=payload.opened_on,
                     situation=payload.model_dump(exclude={"referent_id", "opened_on"}))
    return Status(201, _with_followers(path))


@router.patch("/persons/{public_id}/path", response={200: PathOut, codes_4xx: ErrorOut},
              summary="Modifier la situation, le référent ou le statut du parcours",
              description="Clore : `status: closed` avec `exit_reason`. Tout ou rien.")
def path_patch(request, public_id: str, payload: PathPatchIn):
    a = actor(request)
    person, path = path_get_for(a, public_id)
    path = require_path(path)
    fields = payload.model_fields_set
    situation = payload.model_dump(include=fields & set(Situation.model_fields))
    set_referent = "referent_id" in fields
    path = path_update(
        actor=a, path=path, situation=situation, set_referent=set_referent,
        referent=follower_member(person, payload.referent_id, "referent_id") if set_referent
        else None,
        status=payload.status, exit_reason=payload.exit_reason, closed_on=payload.closed_on)
    return _with_followers(path)


# --- Diagnostic ----------------------------------------------------------------------

@router.get("/persons/{public_id}/diagnostic",
            response={200: list[DiagnosticEntryOut], codes_4xx: ErrorOut},
            summary="Le diagnostic des freins",
            description="Par défaut l'évaluation en cours de chaque frein ; `history=true` : "
                        "toutes les évaluations, les plus récentes d'abord pour chaque frein.")
def diagnostic_get(request, public_id: str, history: bool = False):
    _person, path = path_get_for(actor(request), public_id)
    entries = diagnostic_history(require_path(path))
    return entries if history else entries.filter(is_current=True)


@router.post("/persons/{public_id}/diagnostic",
             response={201: list[DiagnosticEntryOut], codes_4xx: ErrorOut},
             summary="Évaluer (ou réévaluer) plusieurs freins à la fois",
             description="Seuls les freins qui changent reçoivent une nouvelle évaluation ; "
                         "la réponse les liste.")
def diagnostic_post(request, public_id: str, payload: DiagnosticIn):
    a = actor(request)
    _person, path = path_get_for(a, public_id)
    entries = diagnostic_assess(
        actor=a, path=require_path(path),
        assessments={x.theme: int(x.severity) for x in payload.assessments},
        comments={x.theme: x.comment for x in payload.assessments},
        assessed_on=payload.assessed_on)
    return Status(201, entries)


# --- Objectives ----------------------------------------------------------------------

@router.get("/persons/{public_id}/objectives",
            response={200: list[ObjectiveOut], codes_4xx: ErrorOut}, summary="Les objectifs")
def objective_list(request, public_id: str):
    _person, path = path_get_for(actor(request), public_id)
    return require_path(path).objectives.all()


@router.post("/persons/{public_id}/objectives", response={201: ObjectiveOut, codes_4xx: ErrorOut},
             summary="Ajouter un objectif")
def objective_post(request, public_id: str, payload: ObjectiveIn):
    a = actor(request)
    _person, path = path_get_for(a, public_id)
    return Status(201, objective_add(actor=a, path=require_path(path), title=payload.title,
                                     description=payload.description))


@router.patch("/objectives/{objective_id}", response={200: ObjectiveOut, codes_4xx: ErrorOut},
              summary="Changer le statut d'un objectif")
def objective_patch(request, objective_id: int, payload: ObjectivePatchIn):
    a = actor(request)
    return objective_set_status(actor=a, objective=objective_get_for(a, objective_id),
                                status=payload.status)


# --- Actions -------------------------------------------------------------------------

@router.get("/persons/{public_id}/actions", response={200: list[ActionOut], codes_4xx: ErrorOut},
            summary="Les actions", description="Par échéance (sans échéance à la fin).")
def action_list(request, public_id: str):
    _person, path = path_get_for(actor(request), public_id)
    return require_path(path).actions.select_related("assignee__user", "assignee__organisation",
                                                     "organisation")


@router.post("/persons/{public_id}/actions", response={201: ActionOut, codes_4xx: ErrorOut},
             summary="Ajouter une action")
def action_post(request, public_id: str, payload: ActionIn):
    a = actor(request)
    person, path = path_get_for(a, public_id)
    path = require_path(path)
    action = action_add(
        actor=a, path=path, title=payload.title, description=payload.description,
        objective=objective_of(path, payload.objective_id), theme=payload.theme,
        due_on=payload.due_on, assignee=follower_member(person, payload.assignee_id, "assignee_id"),
        for_person=payload.for_person)
    return Status(201, action)


@router.patch("/actions/{action_id}", response={200: ActionOut, codes_4xx: ErrorOut},
              summary="Changer le statut (et le résultat) d'une action")
def action_patch(request, action_id: int, payload: ActionPatchIn):
    a = actor(request)
    return action_set_status(actor=a, action=action_get_for(a, action_id), status=payload.status,
                             outcome=payload.outcome)


# --- Timeline ------------------------------------------------------------------------

@router.get("/persons/{public_id}/events", response={200: EventPageOut, codes_4xx: ErrorOut},
            summary="L'historique du parcours",
            description="Du plus récent au plus ancien ; pagination par curseur (`cursor`, "
                        "`limit` ≤ 200).")
def event_list(request, public_id: str, cursor: str | None = None,
               limit: int = Query(50, ge=1, le=200)):
    before = decode_cursor(cursor)
    _person, path = path_get_for(actor(request), public_id)
    events = timeline_events(require_path(path), before=before, limit=limit + 1)
    items, next_cursor = page_with_cursor(events, time_field="occurred_at", limit=limit)
    return {"items": items, "next_cursor": next_cursor}


@router.post("/persons/{public_id}/events", response={201: EventOut, codes_4xx: ErrorOut},
             summary="Ajouter une note, un contact ou un rendez-vous")
def event_post(request, public_id: str, payload: EventIn):
    a = actor(request)
    _person, path = path_get_for(a, public_id)
    return Status(201, event_add(actor=a, path=require_path(path), kind=payload.kind,
                                 title=payload.title, body=payload.body,
                                 occurred_at=payload.occurred_at,
                                 appointment_outcome=payload.appointment_outcome))


@router.patch("/events/{event_id}", response={200: EventOut, codes_4xx: ErrorOut},
              summary="Noter le résultat d'un rendez-vous")
def event_patch(request, event_id: int, payload: EventPatchIn):
    a = actor(request)
    return appointment_set_outcome(actor=a, event=event_get_for(a, event_id),
                                   outcome=payload.appointment_outcome)


# --- Work hours ----------------------------------------------------------------------

@router.get("/persons/{public_id}/work-hours",
            response={200: list[WorkHoursOut], codes_4xx: ErrorOut},
            summary="Les étapes d'heures de travail (Premières heures : 4 h, 8 h … 26 h CDDI)")
def work_hours_list(request, public_id: str):
    _person, path = path_get_for(actor(request), public_id)
    return require_path(path).work_hours.all()


@router.post("/persons/{public_id}/work-hours", response={201: WorkHoursOut, codes_4xx: ErrorOut},
             summary="Ajouter une étape d'heures de travail",
             description="L'étape ouverte précédente se termine la veille.")
def work_hours_post(request, public_id: str, payload: WorkHoursIn):
    a = actor(request)
    _person, path = path_get_for(a, public_id)
    return Status(201, work_hours_add(actor=a, path=require_path(path), **payload.model_dump()))
