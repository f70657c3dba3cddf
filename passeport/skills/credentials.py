"""Open Badges 3.0 credentials of Passeport: the issuer's keys (sealed at rest), the
public URLs, building and signing an OpenBadgeCredential and the issuer's status list,
and verifying any credential (ours from the database, others' keys given by the caller)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.utils import timezone

from passeport.core.crypto import seal, unseal

from .enums import CredentialState
from .openbadges import dataintegrity, statuslist
from .openbadges.loader import MULTIKEY_V1, OB_V3, SCHEMA_URL, VC_V2
from .openbadges.multibase import public_key_from_multibase, public_key_multibase
from .openbadges.schema import schema_errors

DIGCOMP_URL = "https://joint-research-centre.ec.europa.eu/digcomp/digcomp-framework_en"
ROME_URL = "https://candidat.francetravail.fr/metierscope/fiche-metier/{code}"


def base_url() -> str:
    return settings.PASSEPORT_BASE_URL.rstrip("/")


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


# -- keys --------------------------------------------------------------------------------

def _seal_context(issuer_uid, number: int = 1) -> str:
    """The first key keeps the context it was sealed with before rotation existed; later
    keys are bound to their number as well."""
    base = f"skills-issuer-key:{issuer_uid}"
    return base if number == 1 else f"{base}:{number}"


def new_key_pair(issuer_uid, number: int = 1) -> tuple[str, str]:
    """(public key multibase, sealed private key) for an issuer's new Ed25519 key."""
    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes_raw()
    sealed = seal(base64.b64encode(raw).decode(), context=_seal_context(issuer_uid, number))
    return public_key_multibase(key.public_key().public_bytes_raw()), sealed


def private_key(key) -> Ed25519PrivateKey:
    """The Ed25519 private key of an `IssuerKey` (its issuer is read: select_related it)."""
    sealed = unseal(key.private_key_sealed, context=_seal_context(key.issuer.uid, key.number))
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(sealed))


# -- public URLs ---------------------------------------------------------------------------

def issuer_url(issuer) -> str:
    return f"{base_url()}/badges/emetteurs/{issuer.uid}"


def key_url(key) -> str:
    """Where an `IssuerKey`'s Multikey document is published: the first key at `/cle`
    (where the single key always was: the credentials it signed name that URL), the
    following ones at `/cles/<number>`."""
    if key.number == 1:
        return f"{issuer_url(key.issuer)}/cle"
    return f"{issuer_url(key.issuer)}/cles/{key.number}"


def status_list_url(issuer) -> str:
    return f"{base_url()}/badges/statut/{issuer.uid}"


def credential_url(uid) -> str:
    return f"{base_url()}/badges/credentials/{uid}"


def verify_page_url(uid) -> str:
    return f"{base_url()}/badges/verifier/{uid}/"


def achievement_url(badge_class) -> str:
    return f"{base_url()}/badges/classes/{badge_class.uid}"


# -- documents -----------------------------------------------------------------------------

# Terms of the Controlled Identifiers vocabulary, so that the profile's list of keys is
# JSON-LD that loses nothing (the shipped VC 2.0 context does not define them).
KEYS_CONTEXT = {
    "verificationMethod": {"@id": "https://w3id.org/security#verificationMethod",
                           "@type": "@id", "@container": "@set"},
    "assertionMethod": {"@id": "https://w3id.org/security#assertionMethod",
                        "@type": "@id", "@container": "@set"},
}


def issuer_profile(issuer, keys=()) -> dict:
    """The public Profile; with `keys` (the issuer's `IssuerKey`s, newest first) it lists
    them as `verificationMethod` (each Multikey, compromised ones with `revoked`) and the
    usable ones (current and retired) as `assertionMethod`."""
    profile = {"@context": [VC_V2, OB_V3], "id": issuer_url(issuer), "type": ["Profile"],
               "name": issuer.name}
    if issuer.url:
        profile["url"] = issuer.url
    if issuer.email:
        profile["email"] = issuer.email
    if keys:
        profile["@context"] = [VC_V2, OB_V3, MULTIKEY_V1, KEYS_CONTEXT]
        profile["verificationMethod"] = [
            {k: v for k, v in key_document(key).items() if k != "@context"} for key in keys]
        profile["assertionMethod"] = [key_url(key) for key in keys if not key.is_compromised]
    return profile


def key_document(key) -> dict:
    """The Multikey document of an `IssuerKey`. A compromised key carries `revoked` (the
    Controlled Identifiers property verifiers honour); a retired one is published as it
    was, since what it signed stays valid."""
    document = {"@context": MULTIKEY_V1, "id": key_url(key), "type": "Multikey",
                "controller": issuer_url(key.issuer),
                "publicKeyMultibase": key.public_key_multibase}
    if key.compromised_at is not None:
        document["revoked"] = iso(key.compromised_at)
    return document


def alignment(item: dict) -> dict:
    framework = item.get("framework", "")
    code = item.get("code", "")
    url = item.get("url") or (ROME_URL.format(code=code[:5]) if framework.startswith("ROME")
                              else DIGCOMP_URL)
    kind = "ext:ROME" if framework.startswith("ROME") else "ext:DigComp"
    out = {"type": ["Alignment"], "targetName": item.get("name") or code, "targetUrl": url,
           "targetType": kind}
    if code:
        out["targetCode"] = code
    if framework:
        out["targetFramework"] = framework
    return out


def achievement(badge_class) -> dict:
    out = {
        "id": achievement_url(badge_class),
        "type": ["Achievement"],
        "achievementType": badge_class.achievement_type,
        "name": badge_class.name,
        "description": badge_class.description,
        "criteria": {"narrative": badge_class.criteria},
        "image": {"id": f"{achievement_url(badge_class)}/image.svg", "type": "Image"},
        "inLanguage": "fr",
    }
    if badge_class.alignments:
        out["alignment"] = [alignment(a) for a in badge_class.alignments]
    return out


def recipient_identity(*, email: str, full_name: str, salt: str) -> dict:
    """The recipient as a salted SHA-256 hash: their e-mail when known, otherwise their
    name; never the person's internal identifier."""
    kind, value = ("emailAddress", email.strip().lower()) if email else ("name", full_name.strip())
    digest = hashlib.sha256((value + salt).encode()).hexdigest()
    return {"type": "IdentityObject", "hashed": True, "identityHash": f"sha256${digest}",
            "identityType": kind, "salt": salt}


def identity_matches(credential: dict, value: str) -> bool:
    """Whether `value` (an e-mail or a name) is the hashed recipient of the credential."""
    for ident in credential.get("credentialSubject", {}).get("identifier", []):
        salt = ident.get("salt", "")
        candidate = value.strip().lower() if ident.get("identityType") == "emailAddress" else value.strip()
        digest = hashlib.sha256((candidate + salt).encode()).hexdigest()
        if secrets.compare_digest(ident.get("identityHash", ""), f"sha256${digest}"):
            return True
    return False


def build_credential(*, uid, issuer, badge_class, email: str, full_name: str,
                     valid_from: dt.datetime, valid_until: dt.datetime | None,
                     status_index: int, evidence: str = "") -> dict:
    status_url = status_list_url(issuer)
    profile = {"id": issuer_url(issuer), "type": ["Profile"], "name": issuer.name}
    if issuer.url:
        profile["url"] = issuer.url
    credential = {
        "@context": [VC_V2, OB_V3],
        "id": credential_url(uid),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": profile,
        "validFrom": iso(valid_from),
        "name": badge_class.name,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [recipient_identity(email=email, full_name=full_name,
                                              salt=secrets.token_hex(8))],
            "achievement": achievement(badge_class),
        },
        "credentialStatus": {
            "id": f"{status_url}#{status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(status_index),
            "statusListCredential": status_url,
        },
        "credentialSchema": [{"id": SCHEMA_URL, "type": "1EdTechJsonSchemaValidator2019"}],
    }
    if valid_until is not None:
        credential["validUntil"] = iso(valid_until)
    if evidence:
        credential["evidence"] = [{"type": ["Evidence"], "narrative": evidence}]
    return credential


def sign_credential(credential: dict, key, *, created: dt.datetime | None = None) -> dict:
    """Sign with an `IssuerKey` (the issuer's current one when issuing)."""
    return dataintegrity.sign(credential, private_key=private_key(key),
                              verification_method=key_url(key),
                              created=iso(created or timezone.now()))


def build_status_list(key, bits: bytes) -> dict:
    """The issuer's BitstringStatusListCredential, signed with `key` (its current key)."""
    issuer = key.issuer
    url = status_list_url(issuer)
    document = {
        "@context": [VC_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_url(issuer),
        "validFrom": iso(timezone.now()),
        "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList",
                              "statusPurpose": "revocation",
                              "encodedList": statuslist.encode(bits)},
    }
    return sign_credential(document, key)


# -- verification --------------------------------------------------------------------------

@dataclass
class Verification:
    state: str
    checks: list[tuple[str, bool, str]] = field(default_factory=list)  # (check, ok, detail)
    credential: dict | None = None

    @property
    def valid(self) -> bool:
        return self.state == CredentialState.VALID

    def as_dict(self) -> dict:
        return {"state": self.state, "valid": self.valid,
                "label": str(CredentialState(self.state).label),
                "checks": [{"check": c, "ok": ok, "detail": d} for c, ok, d in self.checks]}


def verify_credential(credential: dict, *, resolve_key, status_bits=None,
                      now: dt.datetime | None = None, check_schema: bool = True,
                      proof: dataintegrity.ProofCheck | None = None,
                      key_compromised=None) -> Verification:
    """Signature, schema, dates and revocation. `resolve_key(url) -> raw key | None`;
    `status_bits(status_list_url) -> bytes | None` gives the revocation bitstring.
    `proof`: the result of an enveloping signature already checked (VC-JWT).
    `key_compromised(method) -> datetime | None`: when the issuer declared the signing
    key compromised. Such a credential is invalid whatever its dates: whoever holds the
    key can sign any `validFrom` or proof `created`, so a credential dated before the
    compromise cannot be told from a backdated forgery."""
    now = now or timezone.now()
    result = Verification(CredentialState.VALID, credential=credential)
    if check_schema:
        if proof is not None:  # a VC-JWT: the credential has no embedded proof
            errors = schema_errors({**credential, "proof": []})
        else:
            errors = schema_errors(credential)
        result.checks.append(("schema", not errors, "; ".join(errors[:3])))
        if errors:
            result.state = CredentialState.INVALID
    if proof is None:
        proof = dataintegrity.verify(credential, resolve_key=resolve_key)
    result.checks.append(("signature", proof.ok, proof.reason))
    if not proof.ok:
        result.state = CredentialState.INVALID
        return result
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    bound = bool(issuer_id) and (proof.verification_method.startswith(f"{issuer_id}/")
                                 or proof.verification_method.startswith(f"{issuer_id}#")
                                 or proof.verification_method.split("#")[0] == issuer_id)
    result.checks.append(("issuer_key", bound, proof.verification_method))
    if not bound:
        result.state = CredentialState.INVALID
        return result
    compromised = key_compromised(proof.verification_method) if key_compromised else None
    if compromised is not None:
        result.checks.append(("key_status", False, f"key_compromised:{iso(compromised)}"))
        result.state = CredentialState.INVALID
        return result
    try:
        valid_from = parse_iso(credential["validFrom"])
        valid_until = parse_iso(credential["validUntil"]) if credential.get("validUntil") else None
    except (KeyError, ValueError):
        result.checks.append(("dates", False, "validFrom"))
        result.state = CredentialState.INVALID
        return result
    if valid_from > now:
        result.checks.append(("dates", False, "not_yet_valid"))
        result.state = CredentialState.NOT_YET_VALID
    elif valid_until is not None and valid_until <= now:
        result.checks.append(("dates", False, "expired"))
        result.state = CredentialState.EXPIRED
    else:
        result.checks.append(("dates", True, ""))
    status = credential.get("credentialStatus")
    if isinstance(status, dict) and status.get("type") == "BitstringStatusListEntry" and status_bits:
        bits = status_bits(status.get("statusListCredential", ""))
        if bits is None:
            result.checks.append(("status", False, "status_list_unavailable"))
        else:
            revoked = statuslist.get_bit(bits, int(status.get("statusListIndex", "0")))
            result.checks.append(("status", not revoked, "revoked" if revoked else ""))
            if revoked and result.state in (CredentialState.VALID, CredentialState.EXPIRED):
                result.state = CredentialState.REVOKED
    return result


def did_key_resolver(method: str) -> bytes | None:
    """Keys of `did:key:z6Mk…` verification methods carry the key itself."""
    if method.startswith("did:key:"):
        ident = method.split("#")[0][len("did:key:"):]
        try:
            return public_key_from_multibase(ident)
        except ValueError:
            return None
    return None
