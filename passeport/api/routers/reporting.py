"""ESF+ reporting: operations of the organisation, participations (enrolment through the
consent check, participant data), the common indicators by gender, data quality and the
exports (participants CSV/XLSX, indicators CSV).

Operations and participations of another organisation answer 404 `not_found`. Listing or
exporting participants records one audit event per person.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.http import HttpResponse
from ninja import Query, Router, Schema, Status
from ninja.responses import codes_4xx

from passeport.api.auth import actor
from passeport.api.schemas import ErrorOut, Text
from passeport.core.enums import AuditAction
from passeport.reporting import exports
from passeport.reporting.indicators import GENDERS, INDICATORS, indicators_by_operation
from passeport.reporting.selectors import (
    audit_shown,
    data_quality,
    operation_get_for,
    operations_for,
    participation_get_for,
    participations_of,
)
from passeport.reporting.services import operation_create, participation_enrol, participation_update

router = Router(tags=["FSE+"])

AnswerIn = Literal["yes", "no", "declined", ""]


class OperationIn(Schema):
    code: Text(40, required=True)
    title: Text(200, required=True)
    programme: Text(120) = ""
    specific_objective: Text(40) = ""
    starts_on: date
    ends_on: date
    territory: Text(120) = ""


class OperationOut(Schema):
    id: int
    code: str
    title: str
    programme: str
    specific_objective: str
    starts_on: date
    ends_on: date
    territory: str


class ParticipationIn(Schema):
    entry_on: date | None = None
    exit_on: date | None = None
    gender: Literal["f", "m", "x", ""] | None = None
    birth_date: date | None = None
    entry_status: Literal["employed", "unemployed", "inactive", "education", ""] | None = None
    unemployed_since: date | None = None
    education_level: Literal["isced_0_2", "isced_3_4", "isced_5_8", ""] | None = None
    disability: AnswerIn | None = None
    third_country_national: AnswerIn | None = None
    foreign_background: AnswerIn | None = None
    minority: AnswerIn | None = None
    homeless: AnswerIn | None = None
    rural: AnswerIn | None = None
    exit_observed_on: date | None = None
    exit_job_searching: bool | None = None
    exit_education: bool | None = None
    exit_qualification: bool | None = None
    exit_employed: bool | None = None
    followup_status: Literal["", "answered", "declined", "unreachable"] | None = None
    six_months_observed_on: date | None = None
    six_months_employed: bool | None = None
    six_months_improved: bool | None = None


class EnrolIn(ParticipationIn):
    public_id: Text(14, required=True)


class ParticipationOut(ParticipationIn):
    id: int
    operation_id: int
    person_public_id: str
    updated_at: datetime

    @staticmethod
    def resolve_person_public_id(obj):
        return obj.person.public_id


class IndicatorOut(Schema):
    code: str
    label: str
    kind: str
    women: int
    men: int
    non_binary: int
    gender_unknown: int
    total: int


class QualityOut(Schema):
    total: int
    complete: int
    completeness_rate: float | None
    checks: dict[str, int]


@router.get("/operations", response=list[OperationOut], summary="Les opérations FSE+ de la structure")
def operation_list(request):
    return list(operations_for(actor(request)))


@router.post("/operations", response={201: OperationOut, codes_4xx: ErrorOut}, summary="Créer une opération")
def operation_post(request, payload: OperationIn):
    return Status(201, operation_create(actor=actor(request), **payload.model_dump()))


@router.get("/operations/{op_id}", response={200: OperationOut, codes_4xx: ErrorOut}, summary="Une opération")
def operation_detail(request, op_id: int):
    return operation_get_for(actor(request), op_id)


@router.get("/operations/{op_id}/participations", response={200: list[ParticipationOut], codes_4xx: ErrorOut},
            summary="Les participants (chaque affichage est inscrit dans le journal de la personne)")
def participation_list(request, op_id: int):
    a = actor(request)
    return participations_of(a, operation_get_for(a, op_id))


@router.post("/operations/{op_id}/participations", response={201: ParticipationOut, codes_4xx: ErrorOut},
             summary="Inscrire une personne (données pré-remplies depuis le passeport)",
             description="404 sans accord de la personne ; 400 `operation_too_short` pour une opération "
                         "d'un jour ou moins ; 400 `operation_closed` pour une opération clôturée. Une nouvelle inscription de la même personne rouvre sa "
                         "participation (une personne compte une fois par opération).")
def participation_post(request, op_id: int, payload: EnrolIn):
    a = actor(request)
    data = payload.model_dump(exclude_unset=True, exclude={"public_id"})
    p = participation_enrol(actor=a, operation=operation_get_for(a, op_id), public_id=payload.public_id, **data)
    return Status(201, p)


@router.patch("/participations/{pk}", response={200: ParticipationOut, codes_4xx: ErrorOut},
              summary="Modifier les données du participant (entrée, sortie, six mois)")
def participation_patch(request, pk: int, payload: ParticipationIn):
    a = actor(request)
    p = participation_get_for(a, pk)
    return participation_update(actor=a, participation=p, **payload.model_dump(exclude_unset=True))


class PeriodIn(Schema):
    start: date | None = None
    end: date | None = None


@router.get("/operations/{op_id}/indicators", response={200: list[IndicatorOut], codes_4xx: ErrorOut},
            summary="Les indicateurs communs (annexe I du règlement (UE) 2021/1057), par genre")
def indicators(request, op_id: int, period: Query[PeriodIn]):
    op = operation_get_for(actor(request), op_id)
    table = indicators_by_operation([op.pk], start=period.start, end=period.end)[op.pk]
    return [{"code": i.code, "label": str(i.label), "kind": i.kind,
             **dict(zip(("women", "men", "non_binary"), (table[i.code][g] for g in GENDERS), strict=True)),
             "gender_unknown": table[i.code][""], "total": table[i.code]["total"]} for i in INDICATORS]


@router.get("/operations/{op_id}/quality", response={200: QualityOut, codes_4xx: ErrorOut},
            summary="Qualité des données : contrôles et taux de complétude")
def quality(request, op_id: int):
    a = actor(request)
    report = data_quality(a, operation_get_for(a, op_id), with_rows=False)
    return {"total": report.total, "complete": report.complete, "completeness_rate": report.rate,
            "checks": report.counts}


@router.get("/operations/{op_id}/export/{fmt}", response={200: None, codes_4xx: ErrorOut},
            summary="Exports : participants.csv, participants.xlsx, indicateurs.csv")
def export(request, op_id: int, fmt: Literal["participants.csv", "participants.xlsx", "indicateurs.csv"],
           period: Query[PeriodIn]):
    a = actor(request)
    op = operation_get_for(a, op_id)
    table = indicators_by_operation([op.pk], start=period.start, end=period.end)[op.pk]
    if fmt == "indicateurs.csv":
        content, ctype = exports.indicators_csv(table), "text/csv; charset=utf-8"
    else:
        rows = audit_shown(a, participations_of(a, op, audit=False), action=AuditAction.EXPORT)
        for p in rows:
            p.operation = op
        if fmt == "participants.csv":
            content, ctype = exports.participants_csv(rows), "text/csv; charset=utf-8"
        else:
            content = exports.workbook(rows, table)
            ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(content, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="fse-{op.code}-{fmt}"'
    return response
