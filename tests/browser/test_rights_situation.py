"""The person completes their own situation in « Mes droits » on a 320 px wide phone:
who lives with them, their housing, their resources (one topic per screen, large
targets, no horizontal scrolling), then sees the updated estimate; the rights that were
« à vérifier » for lack of resources become computable. axe checks every page at 1280
and 320 px."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from passeport.core.enums import Role
from passeport.directory.communes import load_communes
from passeport.directory.models import Commune, CommunePostalCode
from passeport.people.enums import ConsentScope
from passeport.rights.models import HouseholdSituation
from tests.factories import (
    ConsentFactory,
    MembershipFactory,
    OrganisationFactory,
    PathFactory,
    PersonFactory,
    UserFactory,
)

PASSWORD = "motdepasse-test-123"
PHONE = {"width": 320, "height": 640}


def fits(page) -> None:
    """Nothing wider than the screen: no horizontal scrolling."""
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def large(locator) -> None:
    box = locator.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 200, box  # a large target


@pytest.mark.django_db(transaction=True)
def test_the_person_completes_their_situation_on_a_phone(live_server, browser, axe):
    if not Commune.objects.filter(code_insee="29019").exists():  # emptied by a transactional test
        load_communes(Commune, CommunePostalCode)
    org = OrganisationFactory(name="Mission locale du Pays de Brest")
    referent = MembershipFactory(organisation=org, role=Role.REFERENT)
    person = PersonFactory(first_name="Maëlle", last_name="Guivarc'h",
                           birth_date=dt.date(1993, 4, 12), commune_insee="",
                           user=UserFactory(email="maelle@example.org"))
    for scope in (ConsentScope.PATH, ConsentScope.RIGHTS):
        ConsentFactory(person=person, organisation=org, scope=scope)
    PathFactory(person=person, organisation=org, referent=referent, housing_status="",
                benefits=[])

    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Adresse e-mail").fill("maelle@example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").last.click()
    page.wait_for_url(lambda url: "/connexion/" not in url)  # logged in before going on

    # Mes droits: first an estimate with what the passport knows: everything to verify.
    page.goto(f"{live_server.url}/mon-passeport/droits/")
    page.get_by_role("button", name="Refaire le calcul").click()
    page.locator("#montants").wait_for()
    assert "Ces aides sont à vérifier" in page.locator("#resultat").inner_text()
    axe.check(page, "mes droits, à vérifier")
    fits(page)
    page.get_by_role("link", name="Compléter ou corriger ma situation").click()
    axe.check(page, "ma situation")
    fits(page)
    start = page.get_by_role("link", name="Compléter ma situation (3 étapes)")
    large(start)
    start.click()

    # 1. Who lives with me.
    expect(page.locator("h1")).to_contain_text("Étape 1 sur 3")
    page.get_by_role("button", name="Enregistrer et continuer").click()  # nothing answered
    expect(page.locator("body")).to_contain_text("Répondez oui ou non.")
    axe.check(page, "qui vit avec vous, erreur")
    fits(page)
    single = page.get_by_text("Non, je vis seul ou seule")
    large(single)
    single.click()
    page.locator("#id_enfants-0-birth_date").fill("2019-05-20")
    page.locator("#id_enfants-0-first_name").fill("Tom")
    axe.check(page, "qui vit avec vous")
    fits(page)
    page.get_by_role("button", name="Enregistrer et continuer").click()

    # 2. Housing.
    expect(page.locator("h1")).to_contain_text("Étape 2 sur 3")
    page.get_by_text("Je loue un logement vide").click()
    page.get_by_label("Votre loyer par mois, sans les charges (en euros)").fill("480")
    page.get_by_label("Votre commune ou votre code postal").fill("29200")
    axe.check(page, "votre logement")
    fits(page)
    page.get_by_role("button", name="Enregistrer et continuer").click()

    # 3. Resources.
    expect(page.locator("h1")).to_contain_text("Étape 3 sur 3")
    page.get_by_label("Salaire (ce qui arrive sur le compte)").fill("700")
    page.get_by_text("Oui, c'est tout (ou nous n'avons aucune ressource)").click()
    axe.check(page, "vos ressources")
    fits(page)
    page.get_by_role("button", name="Enregistrer et voir mes droits").click()

    # The updated estimate: the rights are computable now.
    page.wait_for_url("**/mon-passeport/droits/#resultat")
    page.locator("#non-recours").wait_for()
    result = page.locator("#resultat").inner_text()
    assert "Vous ne recevez pas encore ces aides" in result
    assert "Prime d'activité" in page.locator("#non-recours").inner_text()
    css = page.locator("#montants li", has_text="Complémentaire santé solidaire").inner_text()
    assert "À vérifier" not in css and "Vous y avez peut-être droit" in css
    axe.check(page, "mes droits, mis à jour")
    fits(page)

    s = HouseholdSituation.objects.get(path__person=person)
    assert (s.couple, s.housing_status, s.commune_insee, s.incomes_complete) == (
        "no", "tenant", "29019", "yes")
    assert {v["source"] for v in s.provenance.values()} == {"person"}
    context.close()
