"""The main journey in a real browser (Debian's Chromium through Playwright), with
axe-core on each page at desktop and 320 px widths:

a référent creates a passport (through the duplicate check), makes the diagnostic, adds
an action, finds a service answering the frein nearby and orients the person to it,
invites the person; the partner accepts the orientation; the person opens their space,
sees their path and the orientation, and withdraws an agreement.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from passeport.core.enums import OrganisationKind, Role
from passeport.directory.communes import load_communes
from passeport.directory.models import Commune, CommunePostalCode
from passeport.people.enums import ConsentScope
from tests.directory.helpers import make_service, make_structure
from tests.factories import (
    ConsentFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
)

PASSWORD = "motdepasse-test-123"
PERSON_PASSWORD = "Ma-voiture-2026!"


@pytest.fixture
def territory(db):
    """A mission locale in Brest, a garage solidaire in Quimper with a mobility service in
    Landerneau, and someone already followed elsewhere with the same identity."""
    if not Commune.objects.filter(code_insee="29019").exists():  # emptied by a transactional test
        load_communes(Commune, CommunePostalCode)
    ml = OrganisationFactory(name="Mission locale du Pays de Brest",
                             kind=OrganisationKind.MISSION_LOCALE,
                             commune_insee="29019", commune_name="Brest")
    referent = MembershipFactory(organisation=ml, role=Role.REFERENT,
                                 user__email="rozenn@ml-brest.example",
                                 user__first_name="Rozenn", user__last_name="Le Bihan")
    garage = OrganisationFactory(name="Garage solidaire de Quimper",
                                 kind=OrganisationKind.ASSOCIATION, commune_insee="29232",
                                 commune_name="Quimper", email="contact@garage.example")
    partner = MembershipFactory(organisation=garage, role=Role.MANAGER,
                                user__email="yann@garage.example",
                                user__first_name="Yann", user__last_name="Le Gall")
    structure = make_structure(organisation=garage, nom="Garage solidaire de Quimper",
                               code_insee="29232", commune="Quimper", code_postal="29000")
    service = make_service(structure, nom="Location de voitures à 2 € par jour",
                           thematiques=["mobilite--acceder-a-un-vehicule"],
                           code_insee="29103", commune="Landerneau", code_postal="29800",
                           modes_accueil=["en-presentiel"])
    other = OrganisationFactory(name="CCAS de Morlaix", kind=OrganisationKind.CCAS)
    namesake = PersonFactory(first_name="Élodie", last_name="Kerouac",
                             birth_date=dt.date(1994, 3, 8))
    ConsentFactory(person=namesake, organisation=other, scope=ConsentScope.PATH)
    return {"referent": referent, "partner": partner, "service": service}


def login(page, base_url, email, password):
    page.goto(f"{base_url}/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").last.click()
    page.wait_for_url(lambda url: "/connexion/" not in url)  # logged in before going on


def h1(page) -> str:
    return page.get_by_role("heading", level=1).inner_text()


def expect_h1(page, text: str) -> None:
    """Waits for the page's title: after a click, the previous page may still be shown
    for a moment (an `assert h1(page) == ...` could read the previous page's title)."""
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


@pytest.mark.django_db(transaction=True)
def test_referent_partner_and_person_journey(live_server, browser, axe, territory):
    base = live_server.url
    pro = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = pro.new_page()
    page.set_default_timeout(15_000)

    # The référent logs in and lands on their caseload.
    login(page, base, "rozenn@ml-brest.example", PASSWORD)
    expect_h1(page, "File active")
    axe.check(page, "file active")

    # A new passport: the duplicate check comes first, what was typed is kept.
    page.get_by_role("link", name="Nouvelle personne").first.click()
    axe.check(page, "nouvelle personne")
    page.get_by_label("Prénom").fill("Élodie")
    page.get_by_label("Nom d'usage").fill("Kerouac")
    page.get_by_label("Date de naissance").fill("1994-03-08")
    page.get_by_label("Code postal").fill("29200")
    page.get_by_label(re.compile(r"^\s*Commune\b")).fill("Brest")
    page.get_by_label("Code commune INSEE").fill("29019")
    page.get_by_text("Accord oral recueilli en entretien").click()
    page.get_by_text("La personne est d'accord").click()
    page.get_by_role("button", name="Créer le passeport").click()
    page.get_by_role("heading", name="Cette personne a peut-être déjà un passeport").wait_for()
    axe.check(page, "doublon possible")
    assert page.get_by_label("Prénom").input_value() == "Élodie"
    page.get_by_role("button", name="Ce n'est pas la même personne, créer le passeport").click()
    expect_h1(page, "Élodie Kerouac")
    public_id = page.locator(".passeport-public-id").first.inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", public_id)
    axe.check(page, "passeport")

    # Diagnostic: mobility is a blocking frein.
    page.get_by_role("link", name="Faire le diagnostic").click()
    axe.check(page, "diagnostic")
    page.get_by_label("Mobilité", exact=True).select_option(label="3 · Difficulté bloquante")
    page.get_by_role("button", name="Enregistrer le diagnostic").click()
    expect_h1(page, "Élodie Kerouac")
    expect(page.locator("#situation")).to_contain_text("Difficulté bloquante")

    # An action of the path.
    page.get_by_role("link", name="Ajouter une action", exact=True).click()
    axe.check(page, "ajouter une action")
    page.get_by_label("Intitulé de l'action").fill("Préparer le code de la route")
    page.get_by_role("button", name="Ajouter l'action").click()
    expect(page.locator("#objectifs")).to_contain_text("Préparer le code de la route")

    # From the frein to a service nearby, and an orientation with the person's agreement.
    page.get_by_role("link", name="Services proches").first.click()
    expect_h1(page, "Services pour ses freins")
    assert "Location de voitures à 2 € par jour" in page.content()
    axe.check(page, "services pour ses freins")
    page.get_by_role("link", name=re.compile("Orienter vers ce service")).first.click()
    expect_h1(page, "Orienter vers un service")
    axe.check(page, "orienter")
    page.get_by_label("Pourquoi orientez-vous cette personne ?").fill(
        "Élodie a trouvé un emploi à Landerneau et n'a pas de voiture.")
    page.get_by_text("Accord oral recueilli en entretien").click()
    page.get_by_text("La personne est d'accord pour cette orientation").click()
    page.get_by_role("button", name="Envoyer l'orientation").click()
    expect(page.locator("body")).to_contain_text("Orientation envoyée à Garage solidaire")
    assert "Location de voitures à 2 € par jour" in page.content()
    axe.check(page, "orientation envoyée")

    # Invitation to the personal space: the link is shown once.
    page.goto(f"{base}/pro/personnes/{public_id}/")
    assert "Orientation envoyée vers « Location de voitures à 2 € par jour »" in \
        page.locator("#historique").text_content()
    page.get_by_label("Adresse e-mail de la personne").fill("elodie@example.org")
    page.get_by_role("button", name="Envoyer l'invitation").click()
    link = page.locator("#invitation-link").inner_text().strip()
    assert link.startswith(f"{base}/invitation/")
    axe.check(page, "invitation envoyée")
    pro.close()

    # The partner accepts the orientation.
    partner = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = partner.new_page()
    page.set_default_timeout(15_000)
    login(page, base, "yann@garage.example", PASSWORD)
    page.goto(f"{base}/pro/orientations/")
    axe.check(page, "orientations reçues")
    page.get_by_role("link", name=re.compile("Élodie Kerouac")).first.click()
    axe.check(page, "orientation reçue")
    page.get_by_role("button", name="Accepter l'orientation").click()
    expect(page.locator("body")).to_contain_text("Orientation acceptée. Le référent est prévenu.")
    axe.check(page, "orientation acceptée")
    partner.close()

    # The person opens the link on a phone, chooses a password, sees their passport.
    person = browser.new_context(viewport={"width": 320, "height": 640}, locale="fr-FR")
    page = person.new_page()
    page.set_default_timeout(15_000)
    page.goto(link)
    assert h1(page) == "Bonjour Élodie"
    axe.check(page, "invitation (personne)")
    page.get_by_label("Choisissez un mot de passe", exact=True).fill(PERSON_PASSWORD)
    page.get_by_label("Écrivez encore le même mot de passe", exact=True).fill(PERSON_PASSWORD)
    page.get_by_role("button", name="Ouvrir mon passeport").click()
    page.wait_for_url(lambda url: "/invitation/" not in url)  # (same title as the invitation)
    expect_h1(page, "Bonjour Élodie")
    text = page.content()
    assert public_id in text
    assert "Se déplacer (transport, permis de conduire, véhicule)" in text  # plain words
    assert "Préparer le code de la route" in text
    assert "a accepté l'orientation vers « Location de voitures à 2 € par jour »" in text
    axe.check(page, "mon passeport")

    page.goto(f"{base}/mon-passeport/orientations/")
    assert "Location de voitures à 2 € par jour" in page.content()
    axe.check(page, "mes orientations")

    # Withdrawing an agreement, in two steps, takes effect at once.
    page.goto(f"{base}/mon-passeport/acces/")
    expect_h1(page, "Qui peut voir mon passeport")
    axe.check(page, "qui peut voir mon passeport")
    page.get_by_role("button", name=re.compile("Retirer mon accord : Garage solidaire")).first.click()
    expect_h1(page, "Retirer votre accord ?")
    axe.check(page, "retirer mon accord")
    page.get_by_role("button", name="Oui, retirer mon accord").click()
    expect_h1(page, "Qui peut voir mon passeport")
    expect(page.get_by_role("button", name=re.compile("Retirer mon accord : Garage solidaire"))
           ).to_have_count(0)
    person.close()
