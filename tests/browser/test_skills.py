"""The person takes the digital skills self-assessment on a 320 px wide phone: one
question per screen, large answers, a level per area at the end; then sees a badge in
their wallet and its public verification page. axe checks every page at 1280 and 320 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from passeport.core.actor import Actor
from passeport.core.enums import Role
from passeport.people.enums import ConsentScope
from passeport.skills.models import Grid, GridItem
from passeport.skills.referentials import load_shipped_grids
from passeport.skills.services import badge_award, badge_class_create
from tests.factories import (
    ConsentFactory,
    MembershipFactory,
    OrganisationFactory,
    PathFactory,
    PersonFactory,
    UserFactory,
)

PASSWORD = "motdepasse-test-123"


@pytest.mark.django_db(transaction=True)
def test_self_assessment_on_a_phone(live_server, browser, axe):
    load_shipped_grids(Grid, GridItem)  # the database may have been flushed by an earlier test
    org = OrganisationFactory(name="ACI Le Relais")
    referent = MembershipFactory(organisation=org, role=Role.REFERENT, user__email="yann@aci.example")
    user = UserFactory(email="nolwenn@example.org")
    person = PersonFactory(first_name="Nolwenn", last_name="Le Gall", user=user,
                           email="nolwenn@example.org")
    for scope in (ConsentScope.PATH, ConsentScope.SKILLS):
        ConsentFactory(person=person, organisation=org, scope=scope)
    PathFactory(person=person, organisation=org, referent=referent)
    actor = Actor(user=referent.user, membership=referent)
    badge = badge_class_create(actor=actor, name="Tri des textiles", description="Trier des vêtements.",
                               criteria="Trois semaines au tri.")
    award = badge_award(actor=actor, badge_class_uid=badge.uid, person_public_id=person.public_id)

    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Adresse e-mail").fill("nolwenn@example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").last.click()
    page.wait_for_url(lambda url: "/connexion/" not in url)  # logged in before going on

    page.goto(f"{live_server.url}/mon-passeport/competences/")
    axe.check(page, "mes compétences")
    page.get_by_role("link", name="Commencer").click()
    answers = ["Oui, tout seul ou toute seule", "Oui, avec de l'aide", "Oui, tout seul ou toute seule",
               "Non, pas encore", "Oui, tout seul ou toute seule", "Oui, tout seul ou toute seule",
               "Oui, et je peux montrer à quelqu'un", "Oui, et je peux montrer à quelqu'un",
               "Oui, avec de l'aide", "Oui, tout seul ou toute seule"]
    for number, answer in enumerate(answers, start=1):
        # (waits for the next question: the previous one may still be shown)
        expect(page.locator("#progress")).to_have_text(f"Question {number} sur 10")
        button = page.get_by_role("button", name=answer, exact=True)
        box = button.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 240  # large targets on a 320 px screen
        # Nothing wider than the screen: no horizontal scrolling.
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        if number in (1, 10):
            axe.check(page, f"question {number}")
            page.set_viewport_size({"width": 320, "height": 640})
        button.click()
    expect(page.locator("#areas")).to_be_visible()
    areas = page.locator("#areas").inner_text()
    assert "Information et données : À l'aise" in areas  # (2 + 1) / 2 = 1.5 -> level 2
    assert "Communication et collaboration : Débutant" in areas  # (2 + 0) / 2 = 1
    assert "Sécurité : Très à l'aise" in areas
    axe.check(page, "résultats")

    page.goto(f"{live_server.url}/mon-passeport/badges/")
    assert "Tri des textiles" in page.locator("#wallet").inner_text()
    axe.check(page, "mes badges")
    assert f"/badges/verifier/{award.uid}/" in page.locator("#wallet").inner_text()  # share link
    page.goto(f"{live_server.url}/badges/verifier/{award.uid}/")
    assert page.locator("#state").inner_text().strip().lower() == "valide"
    axe.check(page, "vérification publique")
    context.close()


@pytest.mark.django_db(transaction=True)
def test_referent_evaluates_and_awards_a_badge(live_server, browser, axe):
    load_shipped_grids(Grid, GridItem)
    org = OrganisationFactory(name="ACI Le Relais")
    referent = MembershipFactory(organisation=org, role=Role.REFERENT, user__email="yann@aci.example")
    person = PersonFactory(first_name="Nolwenn", last_name="Le Gall", email="nolwenn@example.org")
    for scope in (ConsentScope.PATH, ConsentScope.SKILLS):
        ConsentFactory(person=person, organisation=org, scope=scope)
    PathFactory(person=person, organisation=org, referent=referent)

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Adresse e-mail").fill("yann@aci.example")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").last.click()
    page.wait_for_url(lambda url: "/connexion/" not in url)  # logged in before going on

    page.goto(f"{live_server.url}/pro/badges/")
    page.get_by_label("Nom du badge").fill("Tri des textiles")
    page.get_by_label("Description").fill("Trier des vêtements selon leur état.")
    page.get_by_label("Critères d'obtention").fill("Trois semaines au tri.")
    page.get_by_label("Code ROME").fill("H3302")
    page.get_by_role("button", name="Créer le badge").click()
    expect(page.locator("#badge-classes")).to_contain_text("Tri des textiles")
    axe.check(page, "badges de la structure")

    page.goto(f"{live_server.url}/pro/competences/{person.public_id}/")
    page.get_by_role("link", name="Compétences transversales").click()
    page.get_by_label("T1 Être à l'heure et prévenir en cas d'absence").select_option("3")
    page.get_by_label("Commentaire (ce qui a été observé)").fill("Toujours à l'heure sur le chantier.")
    axe.check(page, "évaluer")
    page.get_by_role("button", name="Enregistrer l'évaluation").click()
    expect(page.locator("#evaluations")).to_contain_text("Toujours à l'heure")
    page.get_by_label("Ce que vous avez observé (preuve)").fill("Tri de 200 kg par jour.")
    page.get_by_role("button", name="Remettre le badge").click()
    expect(page.locator("#awards")).to_contain_text("Tri des textiles")
    axe.check(page, "compétences d'une personne")
    context.close()


@pytest.mark.django_db(transaction=True)
def test_administrator_changes_the_signing_key(live_server, browser, axe):
    org = OrganisationFactory(name="ACI Le Relais")
    MembershipFactory(organisation=org, role=Role.ADMIN, user__email="admin@aci.example")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Adresse e-mail").fill("admin@aci.example")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").last.click()
    page.wait_for_url(lambda url: "/connexion/" not in url)  # logged in before going on

    page.goto(f"{live_server.url}/pro/badges/")
    axe.check(page, "badges de la structure (administrateur)")
    page.get_by_role("button", name="Changer la clé de signature").click()
    expect(page.locator("body")).to_contain_text("Cochez cette case pour changer la clé")
    axe.check(page, "changement de clé non confirmé")
    page.get_by_label("Pourquoi").fill("Renouvellement annuel")
    page.locator("label[for=rotate-confirmed]").click()  # the DSFR label covers its box
    expect(page.get_by_label("Je confirme : les nouveaux badges")).to_be_checked()
    page.get_by_role("button", name="Changer la clé de signature").click()
    keys = page.locator("#issuer-keys")  # DSFR badges are upper case
    expect(keys).to_contain_text("retirée", ignore_case=True)
    expect(keys).to_contain_text("actuelle", ignore_case=True)
    page.get_by_label("Clé compromise").select_option("1")
    page.get_by_label("Ce qui s'est passé").fill("Sauvegarde perdue")
    page.locator("label[for=compromise-confirmed]").click()
    page.get_by_role("button", name="Déclarer la clé compromise").click()
    expect(page.locator("#issuer-keys")).to_contain_text("compromise", ignore_case=True)
    axe.check(page, "clé compromise")
    context.close()
