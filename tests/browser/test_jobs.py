"""Finding offers for a person and proposing them to an employer, in a real browser
(Chromium through Playwright), with axe-core at 1280 and 320 px: the référent opens the
passport's « Offres adaptées », reads the explanation, proposes the best offer with the
person's agreement; the employer sees it among the applications received and answers
« Entretien »; the answer is on the person's path."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from passeport.core.actor import Actor
from passeport.core.enums import OrganisationKind, Role
from passeport.directory.communes import load_communes
from passeport.directory.models import Commune, CommunePostalCode
from passeport.jobs import models as jobs_models
from passeport.jobs.models import Application, RomeAppellation
from passeport.jobs.rome import MODEL_NAMES, load_rome
from passeport.jobs.services import offer_create, profile_save
from passeport.paths.enums import EventKind
from passeport.people.enums import ConsentScope
from tests.factories import (
    ConsentFactory,
    MembershipFactory,
    OrganisationFactory,
    PathFactory,
    PersonFactory,
)

from .test_journey import PASSWORD, expect_h1, login


@pytest.fixture
def jobs_territory(db):
    if not Commune.objects.filter(code_insee="29019").exists():  # emptied by a transactional test
        load_communes(Commune, CommunePostalCode)
    if not RomeAppellation.objects.filter(pk=10805).exists():
        load_rome({name: getattr(jobs_models, name) for name in MODEL_NAMES})
    ml = OrganisationFactory(name="Mission locale du Pays de Brest", kind=OrganisationKind.MISSION_LOCALE)
    referent = MembershipFactory(organisation=ml, role=Role.REFERENT, user__email="rozenn@ml-brest.example",
                                 user__first_name="Rozenn", user__last_name="Le Bihan")
    employer_org = OrganisationFactory(name="Ti Aide Services", kind=OrganisationKind.EMPLOYER)
    employer = MembershipFactory(organisation=employer_org, role=Role.MANAGER,
                                 user__email="gwen@tiaide.example", user__first_name="Gwen",
                                 user__last_name="Morvan")
    person = PersonFactory(first_name="Maëlle", last_name="Guivarch")
    for scope in (ConsentScope.PATH, ConsentScope.JOBS):
        ConsentFactory(person=person, organisation=ml, scope=scope)
    PathFactory(person=person, organisation=ml, referent=referent)
    aide = RomeAppellation.objects.get(pk=10805)
    brest = Commune.objects.get(code_insee="29019")
    emp_actor = Actor(user=employer.user, membership=employer)
    offer = offer_create(actor=emp_actor, data={"appellation": aide, "commune": brest, "contract_type": "cdd",
                                                "hours_per_week": 24, "title": "Aide à domicile H/F"})
    offer_create(actor=emp_actor, data={"appellation": RomeAppellation.objects.get(pk=13861),
                                        "commune": brest, "contract_type": "cdi", "hours_per_week": 30})
    profile_save(actor=Actor(user=referent.user, membership=referent), person=person, data={
        "commune": brest, "max_distance_km": 20, "target_appellations": [aide],
        "skills": offer.skills_required[:3]})
    return {"person": person, "offer": offer}


@pytest.mark.django_db(transaction=True)
def test_find_offers_for_a_person_and_propose_one(live_server, browser, axe, jobs_territory):
    base = live_server.url
    person, offer = jobs_territory["person"], jobs_territory["offer"]
    pro = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = pro.new_page()
    page.set_default_timeout(15_000)
    login(page, base, "rozenn@ml-brest.example", PASSWORD)
    page.goto(f"{base}/pro/personnes/{person.public_id}/")
    page.get_by_role("link", name="Offres adaptées").first.click()
    expect_h1(page, "Offres adaptées à Maëlle Guivarch")
    page.get_by_role("link", name="Modifier le profil emploi").click()
    expect_h1(page, "Profil emploi")
    axe.check(page, "profil emploi")
    page.go_back()
    first = page.locator("#offres > li").first
    expect(first).to_contain_text("Aide à domicile H/F")
    assert "C'est un métier que la personne recherche." in first.inner_text()
    assert "3 compétences requises sur" in first.inner_text()
    axe.check(page, "offres adaptées")
    first.get_by_role("link", name="Proposer à l'employeur").click()
    expect_h1(page, "Proposer à l'employeur")
    axe.check(page, "proposer")
    page.get_by_label("Message à l'employeur").fill("Disponible dès lundi, très motivée.")
    page.get_by_role("button", name="Envoyer la candidature").click()
    # (agreement not ticked)
    expect(page.locator("body")).to_contain_text("sans son accord, pas de candidature")
    page.locator("label[for=id_person_agreed]").click()
    page.get_by_role("button", name="Envoyer la candidature").click()
    page.wait_for_url(f"**/pro/personnes/{person.public_id}/emplois/")
    assert "La candidature est envoyée à Ti Aide Services." in page.content()
    assert "déjà proposée à l'employeur" in page.locator("#offres > li").first.inner_text().lower()
    pro.close()

    emp = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = emp.new_page()
    page.set_default_timeout(15_000)
    login(page, base, "gwen@tiaide.example", PASSWORD)
    page.goto(f"{base}/pro/emplois/nouvelle/")
    expect_h1(page, "Publier une offre")
    axe.check(page, "publier une offre")
    page.goto(f"{base}/pro/emplois/")
    axe.check(page, "offres")
    page.goto(f"{base}/pro/emplois/candidatures/")
    assert "Disponible dès lundi, très motivée." in page.content()
    axe.check(page, "candidatures reçues")
    page.locator("label[for$=-interview]").first.click()
    page.get_by_role("button", name="Envoyer la réponse").first.click()
    expect(page.locator("body")).to_contain_text("Votre réponse est enregistrée")
    emp.close()
    app = Application.objects.get(offer=offer, person=person)
    assert app.status == "interview"
    titles = list(person.paths.get().events.filter(kind=EventKind.JOB).values_list("title", flat=True))
    assert "Entretien avec Ti Aide Services pour « Aide à domicile H/F »" in titles
