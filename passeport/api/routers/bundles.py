"""Passport portability: the person downloads their whole passport (JSON bundle, PDF
summary); an organisation's manager or administrator imports a bundle exported by another
Passeport instance, attesting the person's consent. See docs/interop.md."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.responses import codes_4xx
from pydantic import Field

from passeport.api.auth import actor
from passeport.api.schemas import ErrorOut, PublicId, Text
from passeport.core.errors import Forbidden
from passeport.interop.bundle import bundle_pdf
from passeport.interop.selectors import bundle_for
from passeport.interop.services import bundle_import

router = Router()


class ConsentAttestIn(Schema):
    method: Literal["written", "oral", "legal"] = Field(
        description="Comment l'accord de la personne a été recueilli.")
    purpose: Text(250, required=True)
    attested: bool = Field(description="La structure atteste que la personne est d'accord.")


class BundleImportIn(Schema):
    bundle: dict[str, Any] = Field(description="Le bundle JSON exporté (docs/bundle.schema.json).")
    consent: ConsentAttestIn


class BundleSkippedOut(Schema):
    section: str = Field(description="`skills_evaluations`, `badges`, `immersions` ou `job_profile`.")
    ref: str
    what: str
    reason: str = Field(description="Pourquoi cet élément n'est pas gardé ici, en français.")


class BundleImportOut(Schema):
    public_id: str
    person_created: bool
    counts: dict[str, int]
    skipped: list[BundleSkippedOut] = Field(
        default_factory=list,
        description="Ce qui n'a pas pu être gardé (grille ou compétence inconnue ici, badge qui "
                    "ne se vérifie pas, immersion sans parcours) ; le reste est importé.")


@router.get("/persons/{public_id}/bundle", response={200: dict[str, Any], codes_4xx: ErrorOut},
            summary="Tout mon passeport en JSON (la personne elle-même)",
            description="Format : docs/bundle.schema.json (`$schema` = `urn:passeport:bundle:2`). "
                        "Réservé à la personne (session) ; 404 pour les autres.")
def bundle_get(request, public_id: PublicId):
    return bundle_for(actor(request), public_id)


@router.get("/persons/{public_id}/bundle.pdf", response={codes_4xx: ErrorOut},
            summary="Le résumé PDF de mon passeport (la personne elle-même)")
def bundle_get_pdf(request, public_id: PublicId):
    bundle = bundle_for(actor(request), public_id)
    response = HttpResponse(bundle_pdf(bundle), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="passeport-{public_id}.pdf"'
    return response


@router.post("/bundles/import", response={201: BundleImportOut, codes_4xx: ErrorOut},
             summary="Importer le passeport d'une personne venant d'une autre instance "
                     "(responsables et administrateurs, par session)",
             description="L'accord de la personne est attesté (`consent`) ; un bundle invalide "
                         "est refusé (`invalid_bundle`, rien n'est écrit) ; importer deux fois "
                         "ne crée rien la seconde fois. Les versions 1 et 2 du format sont lues ; "
                         "ce qui ne peut pas être gardé ici est listé dans `skipped`.")
def bundle_post(request, payload: BundleImportIn):
    a = actor(request)
    if a.membership is None:  # an API token cannot add a person to the whole caseload
        raise Forbidden(_("Réservé aux responsables et aux administrateurs de la structure, "
                          "connectés par session."), code="admin_required")
    result = bundle_import(actor=a, organisation=a.organisation, data=payload.bundle,
                           consent_method=payload.consent.method,
                           purpose=payload.consent.purpose, attested=payload.consent.attested)
    return Status(201, result)
