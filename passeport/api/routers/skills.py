"""Skills and Open Badges: evaluation grids, a person's evaluations (consent "skills",
audited), the organisation's badge classes, awards (signed OpenBadgeCredentials) and
their revocation, the issuer's signing keys (rotation and compromise, administrators by
session), and the public verification of a credential (no authentication)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Body, Router, Schema, Status
from ninja.responses import codes_4xx
from pydantic import Field

from passeport.api.access import organisation_of
from passeport.api.auth import actor
from passeport.api.schemas import ErrorOut
from passeport.core.errors import NotFound, PasseportError
from passeport.skills import credentials as cr
from passeport.skills.rome import rome_grids_ensure
from passeport.skills.selectors import (
    award_public,
    badge_classes_of,
    credential_verify,
    credential_verify_jwt,
    grid_by_code,
    grids_for,
    issuer_keys_of,
    skills_view_for,
)
from passeport.skills.services import (
    award_revoke,
    badge_award,
    badge_class_create,
    evaluation_record,
    grid_create,
    issuer_ensure,
    issuer_key_compromise,
    issuer_key_rotate,
)

router = Router()


class ItemOut(Schema):
    code: str
    label: str
    group: str
    rome_code: str
    descriptors: dict[str, str]


class GridOut(Schema):
    code: str
    kind: str
    name: str
    description: str
    rome_code: str
    rome_label: str
    items: list[ItemOut]


class ItemIn(Schema):
    code: str = Field(max_length=20)
    label: str = Field(max_length=200)
    rome_code: str = Field("", max_length=20, description="Code ROME 4.0 de la compétence ou du savoir-être.")
    descriptors: dict[str, str] = Field({}, description="Ce qu'on observe à chaque niveau, de \"1\" à \"4\".")


class GridIn(Schema):
    name: str = Field(max_length=160)
    kind: Literal["technical", "behavioural", "transversal"]
    description: str = ""
    rome_code: str = Field("", max_length=8, description="Fiche métier ROME 4.0, ex. `K2111`.")
    rome_label: str = Field("", max_length=200)
    items: list[ItemIn]


class ScoreOut(Schema):
    item: str
    level: int


class EvaluationOut(Schema):
    uid: UUID
    grid: str
    source: str
    evaluator: str
    evaluated_on: date
    comment: str
    evidence_document: UUID | None
    scores: list[ScoreOut]


class EvaluationIn(Schema):
    grid: str = Field(description="Code de la grille, ex. `transversal`, `digcomp-2-2`.")
    scores: dict[str, int] = Field(description="Niveau par code de compétence (1-4 ; 0-3 pour DigComp).")
    evaluated_on: date | None = None
    source: Literal["referent", "employer"] = "referent"
    employer_name: str = Field("", max_length=150, description="L'employeur qui a fait le bilan, quand "
                               "`source` est `employer` et que votre structure n'est pas cet employeur.")
    comment: str = Field("", max_length=4000)
    evidence_document: UUID | None = Field(None, description="Un document du coffre-fort partagé avec vous.")


class AlignmentIn(Schema):
    framework: str = Field(description="`ROME 4.0` ou `DigComp 2.2`.")
    code: str = ""
    name: str = ""


class BadgeClassIn(Schema):
    name: str = Field(max_length=120)
    description: str
    criteria: str
    achievement_type: Literal["Badge", "Competency", "Certificate"] = "Badge"
    alignments: list[AlignmentIn] = []
    valid_months: int | None = Field(None, ge=1, le=240)


class BadgeClassOut(Schema):
    uid: UUID
    name: str
    description: str
    criteria: str
    achievement_type: str
    alignments: list[dict[str, Any]]
    valid_months: int | None
    achievement_url: str


class AwardIn(Schema):
    badge_class: UUID
    evidence: str = Field("", max_length=4000)


class AwardOut(Schema):
    uid: UUID
    badge_class: str
    organisation: str
    valid_from: datetime
    valid_until: datetime | None
    revoked_at: datetime | None
    verify_url: str
    credential: dict[str, Any]


class RevokeIn(Schema):
    reason: str = Field(max_length=200)


class IssuerKeyOut(Schema):
    number: int
    state: Literal["current", "retired", "compromised"]
    url: str = Field(description="Le document `Multikey` publié (`verificationMethod` des preuves).")
    public_key_multibase: str
    jwt_kid: str = Field(description="Le `kid` de la clé RSA de la forme VC-JWT (\"\" si pas encore créée).")
    created_at: datetime
    retired_at: datetime | None
    compromised_at: datetime | None


class KeyRotateIn(Schema):
    reason: str = Field("", max_length=200)


class KeyCompromiseIn(Schema):
    reason: str = Field(max_length=200, description="Ce qui s'est passé.")


class CheckOut(Schema):
    check: str
    ok: bool
    detail: str


class VerificationOut(Schema):
    state: str = Field(description="`valid`, `revoked`, `expired`, `not_yet_valid` ou `invalid`.")
    valid: bool
    label: str
    checks: list[CheckOut]


def _evaluation(e) -> dict:
    return {"uid": e.uid, "grid": e.grid.code, "source": e.source, "evaluator": e.evaluator_label,
            "evaluated_on": e.evaluated_on, "comment": e.comment,
            "evidence_document": e.evidence_document.uid if e.evidence_document else None,
            "scores": [{"item": s.item.code, "level": s.level} for s in e.scores.all()]}


def _badge_class(b) -> dict:
    return {"uid": b.uid, "name": b.name, "description": b.description, "criteria": b.criteria,
            "achievement_type": b.achievement_type, "alignments": b.alignments,
            "valid_months": b.valid_months, "achievement_url": cr.achievement_url(b)}


def _award(a) -> dict:
    return {"uid": a.uid, "badge_class": a.badge_class.name, "organisation": a.organisation.name,
            "valid_from": a.valid_from, "valid_until": a.valid_until, "revoked_at": a.revoked_at,
            "verify_url": cr.verify_page_url(a.uid), "credential": a.credential}


def _key(k) -> dict:
    state = "compromised" if k.is_compromised else "current" if k.is_current else "retired"
    return {"number": k.number, "state": state, "url": cr.key_url(k),
            "public_key_multibase": k.public_key_multibase, "jwt_kid": k.jwt_public_jwk.get("kid", ""),
            "created_at": k.created_at, "retired_at": k.retired_at, "compromised_at": k.compromised_at}


@router.get("/grids", response={200: list[GridOut], codes_4xx: ErrorOut},
            summary="Les grilles d'évaluation (livrées avec Passeport et celles de la structure)")
def grids_get(request):
    return [{**{f: getattr(g, f) for f in ("code", "kind", "name", "description", "rome_code", "rome_label")},
             "items": list(g.items.all())} for g in grids_for(actor(request))]


@router.post("/grids", response={201: GridOut, codes_4xx: ErrorOut},
             summary="Créer une grille de la structure (ex. savoir-faire d'une fiche métier ROME)")
def grids_post(request, payload: GridIn):
    g = grid_create(actor=actor(request), name=payload.name, kind=payload.kind,
                    description=payload.description, rome_code=payload.rome_code,
                    rome_label=payload.rome_label, items=[i.dict() for i in payload.items])
    return Status(201, {**{f: getattr(g, f) for f in ("code", "kind", "name", "description", "rome_code",
                                                        "rome_label")}, "items": list(g.items.all())})


@router.get("/grids/rome/{rome_code}", response={200: list[GridOut], codes_4xx: ErrorOut},
            summary="Les grilles d'une fiche métier ROME 4.0 (savoir-faire, savoir-être)")
def grids_rome_get(request, rome_code: str):
    actor(request)
    return [{**{f: getattr(g, f) for f in ("code", "kind", "name", "description", "rome_code", "rome_label")},
             "items": list(g.items.all())} for g in rome_grids_ensure(rome_code).values()]


@router.get("/grids/{code}", response={200: GridOut, codes_4xx: ErrorOut}, summary="Une grille")
def grid_get(request, code: str):
    g = grid_by_code(code)
    if g.organisation_id and g.organisation_id != actor(request).organisation_id:
        raise NotFound(_("Grille introuvable."))
    return {**{f: getattr(g, f) for f in ("code", "kind", "name", "description", "rome_code", "rome_label")},
            "items": list(g.items.all())}


@router.get("/persons/{public_id}/evaluations", response={200: list[EvaluationOut], codes_4xx: ErrorOut},
            summary="Les évaluations d'une personne (accord « compétences »)")
def evaluations_get(request, public_id: str):
    return [_evaluation(e) for e in skills_view_for(actor(request), public_id).evaluations]


@router.post("/persons/{public_id}/evaluations", response={201: EvaluationOut, codes_4xx: ErrorOut},
             summary="Enregistrer une évaluation (référent ou employeur)",
             description="400 `invalid_level`, `unknown_item`, `no_score`, `unknown_grid`, "
                         "`invalid_evidence`, `future_date`.")
def evaluations_post(request, public_id: str, payload: EvaluationIn):
    e = evaluation_record(actor=actor(request), person_public_id=public_id, grid_code=payload.grid,
                          scores=payload.scores, evaluated_on=payload.evaluated_on, comment=payload.comment,
                          source=payload.source, evidence_document_uid=payload.evidence_document,
                          employer_name=payload.employer_name)
    return Status(201, _evaluation(e))


@router.get("/badge-classes", response={200: list[BadgeClassOut], codes_4xx: ErrorOut},
            summary="Les badges de la structure")
def badge_classes_get(request):
    return [_badge_class(b) for b in badge_classes_of(actor(request))]


@router.post("/badge-classes", response={201: BadgeClassOut, codes_4xx: ErrorOut},
             summary="Créer un badge (achievement Open Badges 3.0)")
def badge_classes_post(request, payload: BadgeClassIn):
    b = badge_class_create(actor=actor(request), name=payload.name, description=payload.description,
                           criteria=payload.criteria, achievement_type=payload.achievement_type,
                           alignments=[a.dict() for a in payload.alignments],
                           valid_months=payload.valid_months)
    return Status(201, _badge_class(b))


@router.get("/persons/{public_id}/awards", response={200: list[AwardOut], codes_4xx: ErrorOut},
            summary="Les badges reçus par une personne (accord « compétences »)")
def awards_get(request, public_id: str):
    return [_award(a) for a in skills_view_for(actor(request), public_id).awards]


@router.post("/persons/{public_id}/awards", response={201: AwardOut, codes_4xx: ErrorOut},
             summary="Remettre un badge : émet une OpenBadgeCredential signée (eddsa-rdfc-2022)")
def awards_post(request, public_id: str, payload: AwardIn):
    a = badge_award(actor=actor(request), badge_class_uid=payload.badge_class,
                    person_public_id=public_id, evidence=payload.evidence)
    return Status(201, _award(a))


@router.post("/awards/{uid}/revoke", response={200: AwardOut, codes_4xx: ErrorOut},
             summary="Retirer un badge (liste de statut Bitstring)",
             description="409 `already_revoked`.")
def award_revoke_post(request, uid: UUID, payload: RevokeIn):
    return _award(award_revoke(actor=actor(request), award_uid=uid, reason=payload.reason))


@router.get("/issuer/keys", response={200: list[IssuerKeyOut], codes_4xx: ErrorOut},
            summary="Les clés de signature de la structure (la plus récente d'abord)")
def issuer_keys_get(request):
    return [_key(k) for k in issuer_keys_of(issuer_ensure(organisation_of(actor(request))))]


@router.post("/issuer/keys/rotate", response={201: IssuerKeyOut, codes_4xx: ErrorOut},
             summary="Changer la clé de signature (administrateurs, par session)",
             description="Les clés actuelles (Ed25519 et RSA) sont retirées mais restent publiées : "
                         "les badges déjà délivrés restent valides. 403 `admin_required`.")
def issuer_keys_rotate(request, payload: KeyRotateIn):
    a = actor(request)
    return Status(201, _key(issuer_key_rotate(actor=a, organisation=organisation_of(a),
                                              reason=payload.reason)))


@router.post("/issuer/keys/{number}/compromise", response={200: IssuerKeyOut, codes_4xx: ErrorOut},
             summary="Déclarer une clé compromise (administrateurs, par session)",
             description="Tous les badges signés avec cette clé deviennent non valides, quelle que "
                         "soit leur date ; si c'est la clé actuelle, une nouvelle la remplace. "
                         "403 `admin_required`, 404, 409 `already_compromised`.")
def issuer_keys_compromise(request, number: int, payload: KeyCompromiseIn):
    a = actor(request)
    return _key(issuer_key_compromise(actor=a, organisation=organisation_of(a), number=number,
                                      reason=payload.reason))


@router.get("/verify/{uid}", auth=None, response={200: VerificationOut, codes_4xx: ErrorOut},
            summary="Vérifier un badge émis par Passeport (public, sans authentification)")
def verify_get(request, uid: UUID):
    return credential_verify(award_public(uid).credential).as_dict()


@router.post("/verify", auth=None, response={200: VerificationOut, codes_4xx: ErrorOut},
             summary="Vérifier une OpenBadgeCredential (public, sans authentification)",
             description="La credential JSON, ou `{\"jwt\": \"…\"}` pour sa forme VC-JWT. Clés des "
                         "émetteurs de Passeport et `did:key` ; rien n'est téléchargé.")
def verify_post(request, payload: dict[str, Any] = Body(...)):  # noqa: B008
    if isinstance(payload.get("jwt"), str):
        return credential_verify_jwt(payload["jwt"]).as_dict()
    if "@context" not in payload:
        raise PasseportError(_("Ce n'est pas un badge Open Badges 3.0."), code="not_a_badge")
    return credential_verify(payload).as_dict()
