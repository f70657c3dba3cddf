"""The employer's assessment of an immersion in a real browser, on a phone (320 px) as a
tutor would fill it in on site: a level for each skill seen; then the référent finds it
among the person's skills, with its chart and table. axe checks each page."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from passeport.core.actor import Actor
from passeport.core.enums import Role
from passeport.jobs.models import Immersion, RomeAppellation
from passeport.jobs.services import immersion_create, immersion_validate
from passeport.people.enums import ConsentScope
from passeport.skills.models import Evaluation
from tests.factories import ConsentFactory

from .test_jobs import jobs_territory  # noqa: F401 - fixture
from .test_journey import PASSWORD, expect_h1, login


@pytest.mark.django_db(transaction=True)
def test_employer_rates_skills_after_an_immersion(live_server, browser, axe, jobs_territory):  # noqa: F811
    base = live_server.url
    person = jobs_territory["person"]
    path = person.paths.get()
    ConsentFactory(person=person, organisation=path.organisation, scope=ConsentScope.SKILLS)
    referent = path.organisation.memberships.get(role=Role.REFERENT)
    ref_actor = Actor(user=referent.user, membership=referent)
    employer_org = jobs_territory["offer"].employer
    imm = immersion_create(actor=ref_actor, person=person, employer=employer_org,
                           appellation=RomeAppellation.objects.get(pk=10805), tutor_name="Gwen Morvan",
                           starts_on=dt.date(2026, 11, 2), ends_on=dt.date(2026, 11, 13),
                           objectives="Découvrir le métier d'aide à domicile")
    immersion_validate(actor=ref_actor, immersion=imm)

    phone = browser.new_context(viewport={"width": 320, "height": 700}, locale="fr-FR")
    page = phone.new_page()
    page.set_default_timeout(15_000)
    login(page, base, "gwen@tiaide.example", PASSWORD)
    page.goto(f"{base}/pro/emplois/immersions/{imm.pk}/")
    expect_h1(page, "Immersion : Aide à domicile")
    axe.check(page, "bilan d'immersion (320 px)")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.get_by_label("Préparer des repas (cœur de métier)").select_option(label="3 – Fait seul ou seule")
    page.get_by_label("Etre à l'écoute, faire preuve d'empathie").select_option(
        label="4 – Maîtrise et peut montrer aux autres")
    page.locator("label[for=id_behaviour_2]").click()
    page.locator("label[for=id_led_to_job_1]").click()
    page.get_by_label("Appréciation").fill("Très à l'écoute des personnes âgées.")
    page.get_by_role("button", name="Enregistrer le bilan").click()
    expect(page.locator("body")).to_contain_text("Le bilan est enregistré")
    expect(page.locator("#observed-skills")).to_contain_text("Préparer des repas — Fait seul ou seule")
    phone.close()
    assert Immersion.objects.get(pk=imm.pk).status == "assessed"
    assert Evaluation.objects.filter(person=person, source="employer").count() == 2

    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = desk.new_page()
    page.set_default_timeout(15_000)
    login(page, base, "rozenn@ml-brest.example", PASSWORD)
    page.goto(f"{base}/pro/competences/{person.public_id}/")
    table = page.locator("#evaluations").inner_text()
    assert "Employeur, après une immersion" in table and "Préparer des repas : 3" in table
    assert "Niveaux par date : Employé familial / Employée familiale : savoir-faire" in page.content()
    axe.check(page, "compétences de la personne")
    desk.close()
