"""Identity pages in a real browser, with axe-core checks: a person enters with the
FranceConnect-compatible provider (a real OpenID Connect provider on loopback) from their
invitation and confirms their passport; a référent enrols an authenticator app and logs
in with a code."""

from __future__ import annotations

import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from passeport.core.actor import Actor
from passeport.identity import oidc
from passeport.people.enums import ConsentScope
from passeport.people.services import invitation_create
from tests.factories import ConsentFactory, MembershipFactory, OrganisationFactory, PersonFactory
from tests.identity.oidc_provider import LoopbackProvider

pytestmark = pytest.mark.browser
PASSWORD = "motdepasse-test-123"


@pytest.fixture
def provider(live_server, settings, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    p = LoopbackProvider(redirect_uris=[f"{live_server.url}/connexion/oidc/person/retour/"]).start()
    settings.PASSEPORT_OIDC = {
        "pro": {},
        "person": {"discovery_url": p.discovery_url, "client_id": "passeport",
                   "client_secret": "secret-de-test", "acr_values": "", "label": "FranceConnect",
                   "scopes": "openid given_name family_name birthdate"},
    }
    oidc._clients.clear()
    yield p
    p.stop()
    oidc._clients.clear()


def totp_code(device):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


@pytest.mark.django_db(transaction=True)
def test_person_enters_with_the_provider_and_confirms(live_server, page, axe, provider):
    org = OrganisationFactory(name="Mission locale du Pays de Brest")
    referent = MembershipFactory(organisation=org, user__first_name="Rozenn")
    person = PersonFactory(first_name="Élodie", last_name="Kerouac")
    ConsentFactory(person=person, organisation=org, scope=ConsentScope.PATH)
    sent = invitation_create(actor=Actor(user=referent.user, membership=referent), person=person,
                             email="elodie@example.org", base_url=live_server.url)
    provider.login_as({"sub": "fc-1", "given_name": "Élodie Anne", "family_name": "KEROUAC",
                       "birthdate": person.birth_date.isoformat()})

    page.goto(f"{live_server.url}/invitation/{sent.url_token}/")
    page.get_by_role("link", name="Entrer avec FranceConnect").click()
    page.wait_for_url("**/connexion/passeport/relier/")
    assert page.get_by_role("heading", level=1).inner_text() == "Relier votre passeport"
    assert page.get_by_text("Est-ce bien votre passeport ?").is_visible()
    axe.check(page, "relier votre passeport")
    page.get_by_role("button", name="Oui, c'est mon passeport").click()
    page.wait_for_url("**/mon-passeport/**")
    assert page.get_by_text("votre passeport est relié à FranceConnect").is_visible()
    axe.check(page, "mon passeport après FranceConnect")

    # The login page now shows the provider's button; the next login needs no confirmation.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/connexion/")
    axe.check(page, "connexion avec boutons OpenID Connect")
    page.get_by_role("link", name="FranceConnect (personnes accompagnées)").click()
    page.wait_for_url("**/mon-passeport/**")


@pytest.mark.django_db(transaction=True)
def test_referent_enrols_an_app_then_logs_in_with_a_code(live_server, page, axe):
    org = OrganisationFactory(name="PLIE de Cornouaille")
    member = MembershipFactory(organisation=org, user__email="gwen@plie.example")
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Adresse e-mail").fill("gwen@plie.example")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").last.click()
    page.wait_for_url("**/pro/**")

    page.goto(f"{live_server.url}/connexion/double-authentification/")
    assert page.locator("svg").first.is_visible()
    axe.check(page, "activer la double authentification")
    device = TOTPDevice.objects.get(user=member.user, confirmed=False)
    page.get_by_label("Code affiché par l'application").fill(totp_code(device))
    page.get_by_role("button", name="Activer").click()
    page.wait_for_url("**/codes/")
    assert page.locator("#recovery-codes li").count() == 10
    axe.check(page, "codes de secours")

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Adresse e-mail").fill("gwen@plie.example")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").last.click()
    page.wait_for_url("**/connexion/verification/**")
    axe.check(page, "vérification en deux étapes")
    time.sleep(max(0.0, 30 - time.time() % 30) + 0.5)  # the enrolment code cannot be replayed
    page.get_by_label("Code de vérification").fill(totp_code(device))
    page.get_by_role("button", name="Vérifier").click()
    page.wait_for_url("**/pro/**")
