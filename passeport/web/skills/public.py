"""Public pages and files of Open Badges (no login): issuer profiles, public keys, status
lists, credentials, achievements and their images, baked downloads, and the
verification page and JSON endpoint that anyone (an employer) can use."""

from __future__ import annotations

import json

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from passeport.core.errors import NotFound
from passeport.skills import credentials as cr
from passeport.skills import vcjwt
from passeport.skills.enums import CredentialState
from passeport.skills.openbadges import baking
from passeport.skills.openbadges.images import badge_png, badge_svg
from passeport.skills.selectors import (
    award_public,
    badge_class_by_uid,
    credential_verify,
    credential_verify_jwt,
    issuer_by_uid,
    issuer_key_by_number,
    issuer_keys_of,
    jwks_of,
    status_list_by_uid,
)
from passeport.skills.services import issuer_jwt_key_ensure

MAX_CREDENTIAL_CHARS = 200_000  # a credential is a few kB; bounds the work of a public page


def _json(data: dict, content_type: str = "application/json") -> JsonResponse:
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = content_type
    response["Access-Control-Allow-Origin"] = "*"  # outside verifiers may fetch from a browser
    return response


def _get(fn, *args):
    try:
        return fn(*args)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@require_GET
def issuer_profile(request, uid):
    issuer = _get(issuer_by_uid, uid)
    return _json(cr.issuer_profile(issuer, issuer_keys_of(issuer)), "application/ld+json")


@require_GET
def issuer_key(request, uid, number: int = 1):
    """A key's Multikey document: `/cle` the first key, `/cles/<n>` the following ones."""
    if number == 1 and request.resolver_match.url_name == "issuer_key_numbered":
        raise Http404  # the first key has one address, the one its credentials name
    return _json(cr.key_document(_get(issuer_key_by_number, uid, number)), "application/ld+json")


@require_GET
def status_list(request, uid):
    return _json(_get(status_list_by_uid, uid).credential, "application/vc+ld+json")


@require_GET
def credential(request, uid):
    return _json(_get(award_public, uid).credential, "application/vc+ld+json")


@require_GET
def issuer_jwks(request, uid):
    issuer = _get(issuer_by_uid, uid)
    issuer_jwt_key_ensure(issuer)
    return _json(jwks_of(issuer_keys_of(issuer)), "application/jwk-set+json")


@require_GET
def credential_jwt(request, uid):
    """The VC-JWT form of the credential (RS256), for wallets that want a JWT."""
    award = _get(award_public, uid)
    key = issuer_jwt_key_ensure(award.organisation.badge_issuer)
    response = HttpResponse(vcjwt.encode(award.credential, key), content_type="application/jwt")
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def achievement(request, uid):
    badge = _get(badge_class_by_uid, uid)
    return _json({"@context": [cr.VC_V2, cr.OB_V3], **cr.achievement(badge)}, "application/ld+json")


@require_GET
def achievement_image(request, uid):
    badge = _get(badge_class_by_uid, uid)
    return HttpResponse(badge_svg(badge.name, badge.colour), content_type="image/svg+xml")


@require_GET
def baked(request, uid, fmt: str):
    award = _get(award_public, uid)
    name = f"badge-{award.uid}.{fmt}"
    if fmt == "png":
        body = baking.bake_png(badge_png(award.badge_class.name, award.badge_class.colour),
                               award.credential)
        response = HttpResponse(body, content_type="image/png")
    else:
        body = baking.bake_svg(badge_svg(award.badge_class.name, award.badge_class.colour),
                               award.credential)
        response = HttpResponse(body, content_type="image/svg+xml")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _summary(credential: dict) -> dict:
    issuer = credential.get("issuer") or {}
    subject = credential.get("credentialSubject") or {}
    achievement = subject.get("achievement") or {}
    return {
        "name": credential.get("name") or achievement.get("name", ""),
        "description": achievement.get("description", ""),
        "criteria": (achievement.get("criteria") or {}).get("narrative", ""),
        "issuer": issuer.get("name", "") if isinstance(issuer, dict) else issuer,
        "issuer_url": issuer.get("url", "") if isinstance(issuer, dict) else "",
        "valid_from": credential.get("validFrom", ""),
        "valid_until": credential.get("validUntil", ""),
        "alignments": achievement.get("alignment", []),
        "evidence": [e.get("narrative", "") for e in credential.get("evidence", [])],
    }


@require_GET
def verify_json(request, uid):
    award = _get(award_public, uid)
    result = credential_verify(award.credential)
    return _json({**result.as_dict(), "credential_id": award.credential["id"],
                  "summary": _summary(award.credential)})


def verify_page(request, uid):
    award = _get(award_public, uid)
    result = credential_verify(award.credential)
    owner_checked = None
    if request.method == "POST":
        value = request.POST.get("identity", "").strip()
        owner_checked = bool(value) and cr.identity_matches(award.credential, value)
    return render(request, "skills/verify.html", {
        "award": award, "result": result, "summary": _summary(award.credential),
        "states": CredentialState, "owner_checked": owner_checked,
        "identity_type": award.credential["credentialSubject"]["identifier"][0]["identityType"],
        "json_url": request.build_absolute_uri(f"/badges/verifier/{award.uid}.json"),
    })


@csrf_exempt  # a public form without session: nothing is written
def verify_any(request):
    """Verify a credential someone has (JSON, or a baked PNG/SVG), without login."""
    result = summary = None
    error = ""
    if request.method == "POST":
        text = request.POST.get("text", "").strip()
        if text.count(".") == 2 and not text.startswith("{") and len(text) <= MAX_CREDENTIAL_CHARS:
            result = credential_verify_jwt(text)
            summary = _summary(result.credential) if result.credential else None
            return render(request, "skills/verify_any.html", {"result": result, "summary": summary,
                                                              "error": "", "states": CredentialState})
        credential, error = read_credential_upload(request)
        if credential is not None:
            result = credential_verify(credential)
            summary = _summary(credential)
    return render(request, "skills/verify_any.html", {"result": result, "summary": summary,
                                                      "error": error, "states": CredentialState})


def read_credential_upload(request) -> tuple[dict | None, str]:
    """A credential from a pasted JSON text or an uploaded JSON, PNG or SVG file."""
    upload = request.FILES.get("file")
    text = request.POST.get("text", "").strip()
    try:
        if upload is not None:
            if upload.size > 2_000_000:
                return None, _("Le fichier est trop gros (2 Mo au plus).")
            data = upload.read()
            if data.startswith(baking.PNG_SIGNATURE):
                text = baking.extract_png(data)
            elif b"<svg" in data[:2000]:
                text = baking.extract_svg(data.decode("utf-8"))
            else:
                text = data.decode("utf-8")
        if not text:
            return None, _("Choisissez un fichier ou collez le badge.")
        if len(text) > MAX_CREDENTIAL_CHARS:
            return None, _("Ce badge est trop long pour être vérifié ici.")
        credential = json.loads(text)
    except (baking.BakingError, UnicodeDecodeError):
        return None, _("Ce fichier ne contient pas de badge.")
    except json.JSONDecodeError:
        return None, _("Ce texte n'est pas un badge au format JSON.")
    if not isinstance(credential, dict):
        return None, _("Ce texte n'est pas un badge au format JSON.")
    return credential, ""
