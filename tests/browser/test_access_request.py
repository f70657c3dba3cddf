"""An organisation that does not follow a person asks for access with the passport
number the person gave; the person accepts on a 320 px phone; the organisation then
finds them. axe-core checks each page at 1280 and 320 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from passeport.core.enums import Role
from passeport.people.enums import ConsentMethod, ConsentScope
from passeport.people.models import Consent
from tests.factories import (
    ConsentFactory,
    MembershipFactory,
    OrganisationFactory,
    PathFactory,
    PersonFactory,
    UserFactory,
)

PASSWORD = "motdepasse-test-123"


def login(page, base_url, email):
    page.goto(f"{base_url}/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").last.click()
    page.wait_for_url(lambda url: "/connexion/" not in url)  # logged in before going on


@pytest.mark.django_db(transaction=True)
def test_person_accepts_an_access_request_on_a_phone(live_server, browser, axe):
    ml = OrganisationFactory(name="Mission locale du Pays de Brest")
    referent = MembershipFactory(organisation=ml, role=Role.REFERENT)
    plie = OrganisationFactory(name="PLIE de Cornouaille")
    MembershipFactory(organisation=plie, role=Role.MANAGER, user__email="yann@plie.example",
                      user__first_name="Yann", user__last_name="Le Gall")
    person = PersonFactory(first_name="Annaig", last_name="Quéré",
                           user=UserFactory(email="annaig@example.org"))
    ConsentFactory(person=person, organisation=ml, scope=ConsentScope.PATH)
    PathFactory(person=person, organisation=ml, referent=referent)
    base = live_server.url

    # The PLIE types the number Annaig gave: nothing found, « Demander l'accès ».
    pro_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    pro = pro_context.new_page()
    pro.set_default_timeout(15_000)
    login(pro, base, "yann@plie.example")
    pro.goto(f"{base}/pro/?q={person.public_id}")
    pro.get_by_role("link", name="Demander l'accès à ce passeport").click()
    expect(pro.locator("#id_public_id")).to_have_value(person.public_id)
    axe.check(pro, "demander l'accès")
    pro.locator("label[for=id_scopes_3]").click()  # skills, besides the path checked
    pro.locator("#id_purpose").fill("Vous proposer l'atelier Objectif emploi")
    pro.locator("#id_message").fill("Nous nous sommes vus au forum.")
    pro.get_by_role("button", name="Envoyer la demande").click()
    expect(pro.locator("main")).to_contain_text(
        "Si ce numéro correspond à un passeport, la personne recevra votre demande")
    expect(pro.locator("#demandes")).to_contain_text("En attente")
    assert "QUÉRÉ" not in pro.locator("#demandes").text_content()
    axe.check(pro, "demandes d'accès envoyées")

    # Annaig, on her phone, reads what is asked and accepts.
    phone_context = browser.new_context(viewport={"width": 320, "height": 640}, locale="fr-FR")
    phone = phone_context.new_page()
    phone.set_default_timeout(15_000)
    login(phone, base, "annaig@example.org")
    expect(phone.locator("main")).to_contain_text("Une structure demande à voir votre passeport")
    axe.check(phone, "mon passeport avec une demande")
    phone.get_by_role("link", name="Voir les demandes d'accès").click()
    box = phone.locator("#demandes")
    expect(box).to_contain_text("Qui demande : Yann Le Gall.")
    text = box.inner_text()
    assert "PLIE de Cornouaille" in text and "Qui demande : Yann Le Gall." in text
    assert "Pour quoi faire : Vous proposer l'atelier Objectif emploi" in text
    assert "Ce que vous savez faire : vos compétences et vos badges" in text
    # Nothing wider than the phone's screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 320
    axe.check(phone, "demandes d'accès (320 px)")
    accept = box.get_by_role("button", name="Accepter")
    # the words are shown, not only an icon: the person decides who sees their passport
    assert accept.inner_text().strip().startswith("Accepter") and accept.bounding_box()["width"] >= 100
    assert box.get_by_role("button", name="Refuser").bounding_box()["width"] >= 100
    accept.click()
    expect(phone.locator("main")).to_contain_text("C'est fait : PLIE de Cornouaille peut voir")
    expect(phone.locator("#demandes")).to_have_count(0)
    axe.check(phone, "après avoir accepté (320 px)")
    granted = Consent.objects.active().filter(person=person, organisation=plie)
    assert {c.scope for c in granted} == {ConsentScope.PATH, ConsentScope.SKILLS}
    assert {c.method for c in granted} == {ConsentMethod.IN_APP}
    phone_context.close()

    # The PLIE now sees her name and opens her passport.
    pro.reload()
    assert "Acceptée" in pro.locator("#demandes").text_content()
    pro.get_by_role("link", name="QUÉRÉ Annaig").click()
    expect(pro.get_by_role("heading", level=1)).to_contain_text("Annaig")
    pro_context.close()
