"""Login of professionals through an OpenID Connect provider (ProConnect-compatible),
against a real provider on loopback: authorization code flow with PKCE."""

from __future__ import annotations

import base64
import hashlib
import html
from urllib.parse import parse_qs, urlsplit

from django.urls import reverse

from passeport.core.middleware import SESSION_KEY
from passeport.identity.models import OidcIdentity
from tests.factories import MembershipFactory, OrganisationFactory

from .conftest import full_login, provider_redirect, start_login

CASELOAD = "/pro/"


def pro_claims(membership, **extra):
    return {"sub": "pc-" + membership.user.email, "email": membership.user.email.upper(),
            "given_name": "Rozenn", "usual_name": "Le Bihan",
            "siret": membership.organisation.siret, **extra}


def test_login_page_shows_the_buttons_only_when_configured(client, settings, oidc_provider):
    page = client.get(reverse("login")).content.decode()
    assert "ProConnect (professionnels)" in page and "FranceConnect (personnes accompagnées)" in page
    settings.PASSEPORT_OIDC = {"pro": {"discovery_url": "", "client_id": ""}, "person": {}}
    page = client.get(reverse("login")).content.decode()
    assert "ProConnect" not in page and "FranceConnect" not in page
    assert client.get("/connexion/oidc/pro/").status_code == 404


def test_known_professional_is_logged_in_as_member_with_pkce(client, referent, oidc_provider):
    other_org = OrganisationFactory(name="PLIE de Cornouaille")
    MembershipFactory(organisation=other_org, user=referent.user)  # a second organisation
    oidc_provider.login_as(pro_claims(referent))

    authorize_url = start_login(client, "pro")
    query = parse_qs(urlsplit(authorize_url).query)
    assert authorize_url.startswith(oidc_provider.issuer + "/authorize")
    assert query["code_challenge_method"] == ["S256"] and query["nonce"] and query["state"]
    path, back = provider_redirect(authorize_url)
    response = client.get(f"{path}?{back}")
    assert response.status_code == 302 and response["Location"] == reverse("home")

    # PKCE: the token request carried the verifier matching the challenge (the provider,
    # which requires PKCE, checked it too).
    verifier = oidc_provider.token_requests[-1]["code_verifier"]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert query["code_challenge"] == [challenge]

    # Logged in, in the organisation whose SIRET the provider sent.
    assert client.session[SESSION_KEY] == referent.pk
    page = client.get(CASELOAD)
    assert page.status_code == 200
    assert page.wsgi_request.user == referent.user
    assert OidcIdentity.objects.get(provider="pro").user == referent.user


def test_unknown_siret_or_email_asks_for_the_administrator(client, referent, oidc_provider):
    for claims in (pro_claims(referent, siret="73282932000074"),
                   pro_claims(referent, email="inconnu@example.org")):
        oidc_provider.login_as(claims)
        response = full_login(client, "pro")
        assert response.status_code == 403
        body = html.unescape(response.content.decode())
        assert "Demandez à l'administrateur de votre structure" in body
        assert claims["siret"] in body
        assert client.get(CASELOAD).status_code == 302  # not logged in
    assert not OidcIdentity.objects.exists()


def test_inactive_membership_is_not_logged_in(client, referent, oidc_provider):
    referent.is_active = False
    referent.save()
    oidc_provider.login_as(pro_claims(referent))
    assert full_login(client, "pro").status_code == 403


def test_forged_state_is_rejected(client, referent, oidc_provider, caplog):
    oidc_provider.login_as(pro_claims(referent))
    path, back = provider_redirect(start_login(client, "pro"))
    params = parse_qs(back)
    forged = client.get(path, {"code": params["code"][0], "state": "etat-fabrique"})
    assert forged.status_code == 400
    body = html.unescape(forged.content.decode())
    assert "La connexion n'a pas abouti" in body and "vous n'êtes pas connecté" in body
    assert client.get(CASELOAD).status_code == 302
    assert "mismatching_state" in caplog.text
    assert not oidc_provider.token_requests  # the code was never exchanged
    # A callback with no flow started in this browser is rejected too.
    fresh = client.__class__()
    assert fresh.get(path + "?" + back).status_code == 400


def test_expired_id_token_is_rejected(client, referent, oidc_provider, caplog):
    oidc_provider.id_token_lifetime = -3600
    oidc_provider.login_as(pro_claims(referent))
    response = full_login(client, "pro")
    assert response.status_code == 400
    assert "expired" in caplog.text
    assert client.get(CASELOAD).status_code == 302
    assert not OidcIdentity.objects.exists()


def test_id_token_signed_with_another_key_is_rejected(client, referent, oidc_provider, caplog):
    from joserfc.jwk import RSAKey

    oidc_provider.signing_key = RSAKey.generate_key(2048, parameters={"kid": "test-key"})
    oidc_provider.login_as(pro_claims(referent))
    assert full_login(client, "pro").status_code == 400
    assert "bad_signature" in caplog.text
    assert client.get(CASELOAD).status_code == 302


def test_provider_refuses_a_request_without_pkce(db, oidc_provider):
    """The loopback provider really enforces PKCE (so the flow above proves it was used)."""
    import requests

    oidc_provider.login_as({"sub": "x"})
    answer = requests.get(f"{oidc_provider.issuer}/authorize", params={
        "response_type": "code", "client_id": "passeport", "scope": "openid", "nonce": "n",
        "redirect_uri": "http://testserver/connexion/oidc/pro/retour/", "state": "s"},
        allow_redirects=False, timeout=10)
    assert answer.status_code == 400
    assert "code_challenge" in answer.text


def test_provider_refuses_a_code_without_the_right_verifier(client, referent, oidc_provider):
    """A stolen code is useless without the verifier kept in the browser's session."""
    import requests

    oidc_provider.login_as(pro_claims(referent))
    _path, back = provider_redirect(start_login(client, "pro"))
    answer = requests.post(f"{oidc_provider.issuer}/token", data={
        "grant_type": "authorization_code", "code": parse_qs(back)["code"][0],
        "redirect_uri": "http://testserver/connexion/oidc/pro/retour/",
        "code_verifier": "x" * 50}, auth=("passeport", "secret-de-test"), timeout=10)
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"


def test_provider_error_is_shown_in_french(db, client, oidc_provider):
    oidc_provider.login_as({"sub": "x"})
    start_login(client, "pro")
    response = client.get("/connexion/oidc/pro/retour/", {"error": "access_denied", "state": "x"})
    assert response.status_code == 400
    assert "La connexion n" in response.content.decode()


def test_signed_userinfo_is_read(client, referent, oidc_provider):
    """ProConnect answers the userinfo request with a signed JWT."""
    oidc_provider.userinfo_as_jwt = True
    oidc_provider.login_as(pro_claims(referent))
    assert full_login(client, "pro").status_code == 302
    assert client.get(CASELOAD).status_code == 200


def test_two_factor_still_applies_after_an_oidc_login(client, referent, oidc_provider):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=referent.user, name="app", confirmed=True)
    oidc_provider.login_as(pro_claims(referent))
    full_login(client, "pro")
    assert client.get(CASELOAD)["Location"].startswith(reverse("identity:verify"))
