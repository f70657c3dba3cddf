"""The VC-JWT form (RS256): checked with joserfc (an independent JOSE library) against the
served JWKS; tampering, revocation and the schema of the embedded credential."""

from __future__ import annotations

import base64
import json

from joserfc import jwt
from joserfc.jwk import KeySet

from passeport.skills.openbadges.schema import schema_errors
from passeport.skills.selectors import credential_verify_jwt
from passeport.skills.services import award_revoke


def _jwt(client, award) -> str:
    response = client.get(f"/badges/credentials/{award.uid}.jwt")
    assert response.status_code == 200 and response["Content-Type"] == "application/jwt"
    return response.content.decode()


def test_vc_jwt_verifies_with_an_independent_library_and_the_served_jwks(client, award):
    token = _jwt(client, award)
    issuer_id = award.credential["issuer"]["id"]
    jwks = client.get("/" + f"{issuer_id}/jwks".split("://", 1)[1].split("/", 1)[1]).json()
    decoded = jwt.decode(token, KeySet.import_key_set(jwks), algorithms=["RS256"])
    assert decoded.header["alg"] == "RS256"
    claims = decoded.claims
    assert claims["iss"] == issuer_id and claims["jti"] == award.credential["id"]
    assert "proof" not in claims["vc"]
    assert claims["vc"] == {k: v for k, v in award.credential.items() if k != "proof"}
    assert schema_errors({**claims["vc"], "proof": []}) == []
    assert credential_verify_jwt(token).state == "valid"


def test_vc_jwt_tampered_or_revoked(client, actor, award):
    token = _jwt(client, award)
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["vc"]["name"] = "Autre badge"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    assert credential_verify_jwt(f"{header}.{forged}.{signature}").state == "invalid"
    assert client.post("/api/v1/skills/verify", {"jwt": token}, content_type="application/json").json()["state"] == "valid"
    award_revoke(actor=actor, award_uid=award.uid, reason="Erreur")
    assert credential_verify_jwt(token).state == "revoked"
    page = client.post("/badges/verifier/", {"text": token}).content.decode()
    assert "Retiré" in page
