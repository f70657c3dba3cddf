"""Reading and verifying a badge the person already holds: Open Badges 3.0 (a credential
with an `eddsa-rdfc-2022` proof; issuer keys from Passeport, a `did:key`, or fetched
over HTTP) and Open Badges 2.0 (hosted: the assertion, badge class and issuer fetched
from their URLs; signed: a JWS checked with the issuer's RSA key from `creator`).
No database writes here: `services.badge_import` stores the result."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import ipaddress
import json
import socket
from dataclasses import dataclass, field
from urllib.parse import urlparse

import requests
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from passeport.core.http import InvalidIPAddress, outbound

from . import credentials as cr
from .enums import CredentialState, ImportFormat
from .openbadges import dataintegrity, statuslist
from .openbadges.multibase import public_key_from_multibase
from .selectors import local_key_compromised, local_key_resolver, local_status_bits

MAX_BYTES = 1_000_000


class ImportProblem(Exception):
    """The badge cannot be imported; `message` is in plain French, `code` stable."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message, self.code = message, code


@dataclass
class ImportResult:
    format: str
    name: str
    issuer_name: str
    description: str = ""
    issued_on: dt.datetime | None = None
    source_url: str = ""
    payload: dict = field(default_factory=dict)
    verified: bool = False
    state: str = CredentialState.VALID
    message: str = ""


def _check_public(url: str) -> None:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ImportProblem(_("Adresse web non valable."), "invalid_url")
    if settings.PASSEPORT_BADGES_FETCH_PRIVATE:
        return
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parsed.hostname, None)}
    except OSError:
        raise ImportProblem(_("Le site du badge ne répond pas."), "fetch_failed") from None
    for address in addresses:
        ip = ipaddress.ip_address(address)
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved:
            raise ImportProblem(_("Adresse web non autorisée."), "invalid_url")


def fetch_json(url: str):
    """GET a JSON document (timeout, size limit, public addresses only unless allowed)."""
    _check_public(url)
    try:
        http = outbound(timeout=settings.PASSEPORT_BADGES_FETCH_TIMEOUT,
                        allow_private=settings.PASSEPORT_BADGES_FETCH_PRIVATE)
        response = http.send_request("GET", url, stream=True, allow_redirects=False,
                                     headers={"Accept": "application/ld+json, application/json"})
        body = response.raw.read(MAX_BYTES + 1, decode_content=True)
    except InvalidIPAddress:  # the name resolved to an internal address when connecting
        raise ImportProblem(_("Adresse web non autorisée."), "invalid_url") from None
    except requests.RequestException:
        raise ImportProblem(_("Le site du badge ne répond pas."), "fetch_failed") from None
    if response.status_code != 200 or len(body) > MAX_BYTES:
        raise ImportProblem(_("Le site du badge ne donne pas le badge (erreur %(code)s).")
                            % {"code": response.status_code}, "fetch_failed")
    try:
        return json.loads(body)
    except ValueError:
        raise ImportProblem(_("Le site du badge ne renvoie pas un badge lisible."), "not_a_badge") from None


def _email_hash_matches(identity: str, salt: str | None, email: str) -> bool:
    if not email:
        return False
    if "$" in identity:
        algo, digest = identity.split("$", 1)
        if algo != "sha256":
            return False
        return hashlib.sha256((email.strip().lower() + (salt or "")).encode()).hexdigest() == digest.lower()
    return identity.strip().lower() == email.strip().lower()


# -- Open Badges 3.0 -----------------------------------------------------------------------

def remote_key_resolver(method: str) -> bytes | None:
    local = local_key_resolver(method)
    if local is not None or method.startswith("did:"):
        return local
    document = fetch_json(method.split("#")[0])
    candidates = [document] + [m for k in ("verificationMethod", "assertionMethod")
                               for m in (document.get(k) or []) if isinstance(m, dict)]
    for c in candidates:
        if c.get("publicKeyMultibase") and c.get("id", method) in (method, method.split("#")[0]):
            if c.get("revoked"):  # the controller revoked the key (e.g. compromised)
                return None
            try:
                return public_key_from_multibase(c["publicKeyMultibase"])
            except ValueError:
                return None
    return None


def remote_status_bits(url: str) -> bytes | None:
    local = local_status_bits(url)
    if local is not None:
        return local
    document = fetch_json(url)
    if document.get("proof"):
        if not dataintegrity.verify(document, resolve_key=remote_key_resolver).ok:
            return None
    try:
        return statuslist.decode(document["credentialSubject"]["encodedList"])
    except (KeyError, TypeError, ValueError, OSError):
        return None


def import_ob3(credential: dict, *, email: str) -> ImportResult:
    result = cr.verify_credential(credential, resolve_key=remote_key_resolver,
                                  status_bits=remote_status_bits, key_compromised=local_key_compromised)
    if result.state == CredentialState.INVALID:
        raise ImportProblem(_("Ce badge n'est pas authentique : la vérification a échoué."), "invalid_badge")
    if result.state == CredentialState.REVOKED:
        raise ImportProblem(_("Ce badge a été retiré par la structure qui l'a donné."), "revoked_badge")
    identifiers = credential.get("credentialSubject", {}).get("identifier") or []
    emails = [i for i in identifiers if i.get("identityType") == "emailAddress"]
    if emails and not any(_email_hash_matches(i.get("identityHash", ""), i.get("salt"), email) for i in emails):
        raise ImportProblem(_("Ce badge a été donné à une autre adresse e-mail que la vôtre."),
                            "not_your_badge")
    issuer = credential.get("issuer")
    achievement = credential.get("credentialSubject", {}).get("achievement", {})
    message = "" if emails else _("Le badge ne dit pas à qui il a été donné.")
    return ImportResult(
        format=ImportFormat.OB3, name=credential.get("name") or achievement.get("name", ""),
        issuer_name=issuer.get("name", "") if isinstance(issuer, dict) else str(issuer),
        description=achievement.get("description", ""),
        issued_on=cr.parse_iso(credential["validFrom"]), payload=credential,
        verified=result.state == CredentialState.VALID, state=result.state,
        message=message or ("" if result.valid else str(CredentialState(result.state).label)))


# -- Open Badges 2.0 -----------------------------------------------------------------------

def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _ob2_finish(assertion: dict, *, email: str, fmt: str, source_url: str) -> ImportResult:
    if assertion.get("revoked") in (True, "true"):
        raise ImportProblem(_("Ce badge a été retiré par la structure qui l'a donné."), "revoked_badge")
    recipient = assertion.get("recipient") or {}
    if recipient.get("type", "email") == "email" and not _email_hash_matches(
            recipient.get("identity", ""), recipient.get("salt") if recipient.get("hashed") else None, email):
        raise ImportProblem(_("Ce badge a été donné à une autre adresse e-mail que la vôtre."),
                            "not_your_badge")
    badge = assertion.get("badge")
    badge = fetch_json(badge) if isinstance(badge, str) else (badge or {})
    issuer = badge.get("issuer")
    issuer = fetch_json(issuer) if isinstance(issuer, str) else (issuer or {})
    state, message = CredentialState.VALID, ""
    issued = None
    try:
        issued = dt.datetime.fromisoformat(str(assertion.get("issuedOn", "")).replace("Z", "+00:00"))
        expires = assertion.get("expires")
        if expires and dt.datetime.fromisoformat(str(expires).replace("Z", "+00:00")) <= timezone.now():
            state, message = CredentialState.EXPIRED, str(CredentialState.EXPIRED.label)
    except ValueError:
        issued = None
    return ImportResult(format=fmt, name=badge.get("name", ""), issuer_name=issuer.get("name", ""),
                        description=badge.get("description", ""), issued_on=issued,
                        source_url=source_url, verified=state == CredentialState.VALID,
                        state=state, message=message,
                        payload={"assertion": assertion, "badge": badge, "issuer": issuer})


def import_ob2_hosted(assertion: dict, *, email: str) -> ImportResult:
    url = assertion.get("id") or assertion.get("verify", {}).get("url", "")
    hosted = fetch_json(url)
    if hosted.get("id", url) != url:
        raise ImportProblem(_("Le badge en ligne ne correspond pas à ce fichier."), "invalid_badge")
    for key in ("badge", "recipient", "issuedOn"):
        if key in assertion and assertion[key] != hosted.get(key):
            raise ImportProblem(_("Le badge en ligne ne correspond pas à ce fichier."), "invalid_badge")
    return _ob2_finish(hosted, email=email, fmt=ImportFormat.OB2_HOSTED, source_url=url)


def import_ob2_signed(jws: str, *, email: str) -> ImportResult:
    try:
        header_b64, payload_b64, signature_b64 = jws.strip().split(".")
        header = json.loads(_b64url(header_b64))
        assertion = json.loads(_b64url(payload_b64))
    except ValueError:
        raise ImportProblem(_("Ce badge signé est illisible."), "not_a_badge") from None
    if header.get("alg") != "RS256":
        raise ImportProblem(_("Type de signature non pris en charge."), "unsupported_badge")
    creator = (assertion.get("verification") or {}).get("creator", "")
    key_doc = fetch_json(creator)
    try:
        key = serialization.load_pem_public_key(key_doc["publicKeyPem"].encode())
        key.verify(_b64url(signature_b64), f"{header_b64}.{payload_b64}".encode(),
                   padding.PKCS1v15(), hashes.SHA256())
    except (KeyError, ValueError, TypeError, InvalidSignature):
        raise ImportProblem(_("Ce badge n'est pas authentique : la vérification a échoué."),
                            "invalid_badge") from None
    return _ob2_finish(assertion, email=email, fmt=ImportFormat.OB2_SIGNED, source_url=creator)


def read_badge(text: str, *, email: str) -> ImportResult:
    """Detect the format of `text` (JSON, JWS, or a URL) and verify it."""
    text = text.strip()
    if text.startswith(("http://", "https://")):
        document = fetch_json(text)
    elif text.count(".") == 2 and not text.startswith("{"):
        return import_ob2_signed(text, email=email)
    else:
        try:
            document = json.loads(text)
        except ValueError:
            raise ImportProblem(_("Ce fichier ne contient pas de badge."), "not_a_badge") from None
    if not isinstance(document, dict):
        raise ImportProblem(_("Ce fichier ne contient pas de badge."), "not_a_badge")
    if "$verify_url" in document:
        document = fetch_json(document["$verify_url"])
    types = document.get("type") or []
    types = [types] if isinstance(types, str) else types
    if "OpenBadgeCredential" in types or "AchievementCredential" in types:
        return import_ob3(document, email=email)
    if "Assertion" in types or document.get("@context") == "https://w3id.org/openbadges/v2":
        kind = (document.get("verification") or document.get("verify") or {}).get("type", "hosted")
        if kind.lower() in ("hosted", "hostedbadge"):
            return import_ob2_hosted(document, email=email)
        raise ImportProblem(_("Pour un badge signé, déposez le fichier du badge lui-même."),
                            "unsupported_badge")
    raise ImportProblem(_("Ce fichier ne contient pas de badge Open Badges."), "not_a_badge")
