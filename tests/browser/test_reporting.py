"""ESF+ journey in the browser: create an operation, enrol a followed person (data prefilled
from the passport), complete the form, read the indicators; accessibility checked."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from passeport.core.enums import Role
from passeport.people.enums import ConsentScope
from tests.factories import (
    ConsentFactory,
    MembershipFactory,
    OrganisationFactory,
    PathFactory,
    PersonFactory,
)

PASSWORD = "motdepasse-test-123"


@pytest.mark.django_db(transaction=True)
def test_operation_enrol_and_indicators(live_server, page, axe):
    org = OrganisationFactory(name="PLIE du Pays de Brest")
    referent = MembershipFactory(organisation=org, role=Role.REFERENT, user__email="rozenn@plie.example")
    referent.user.set_password(PASSWORD)
    referent.user.save()
    person = PersonFactory(first_name="Élodie", last_name="Kerouac", gender="f", birth_date=dt.date(1994, 3, 8))
    ConsentFactory(person=person, organisation=org, scope=ConsentScope.PATH)
    today = timezone.localdate()
    PathFactory(person=person, organisation=org, referent=referent, opened_on=today - dt.timedelta(days=10),
                employment_status="unemployed", unemployed_since=today - dt.timedelta(days=500),
                education_level="isced_3_4")
    base = live_server.url
    page.goto(f"{base}/connexion/")
    page.get_by_label("Adresse e-mail").fill("rozenn@plie.example")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").last.click()
    page.wait_for_url(lambda url: "/connexion/" not in url)  # logged in before going on

    page.goto(f"{base}/pro/fse/")
    page.get_by_label("Numéro de l'opération").fill("FSE-29-001")
    page.get_by_label("Intitulé").fill("Remobilisation vers l'emploi")
    page.get_by_label("Date de début").fill(str(today - dt.timedelta(days=60)))
    page.get_by_label("Date de fin").fill(str(today + dt.timedelta(days=300)))
    page.get_by_role("button", name="Créer l'opération").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("FSE-29-001")
    axe.check(page, "opération FSE")

    page.get_by_label("Identifiant du passeport").fill(person.public_id)
    page.get_by_role("button", name="Inscrire à l'opération").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kerouac")
    assert page.get_by_label("Situation à l'entrée").input_value() == "unemployed"
    assert page.get_by_label("Niveau de formation").input_value() == "isced_3_4"
    page.get_by_label("Handicap").select_option("declined")
    axe.check(page, "données du participant")
    page.get_by_role("button", name="Enregistrer").click()

    row = page.get_by_role("row", name="EECO02")
    expect(row.get_by_role("cell").last).to_have_text("1")  # 500 days unemployed at 30: long-term
    expect(page.get_by_role("row", name="EECO12").get_by_role("cell").last).to_have_text("0")  # declined
    page.get_by_role("link", name="Qualité des données").click()
    expect(page.locator("body")).to_contain_text(re.compile(r"100[.,]0"))
    axe.check(page, "qualité des données")
    page.goto(f"{base}/pro/fse/impact/")
    axe.check(page, "impact")

    # A manager edits the operation, cannot delete it (it has a participant) and closes it.
    manager = MembershipFactory(organisation=org, role=Role.MANAGER, user__email="yann@plie.example")
    manager.user.set_password(PASSWORD)
    manager.user.save()
    page.context.clear_cookies()
    page.goto(f"{base}/connexion/")
    page.get_by_label("Adresse e-mail").fill("yann@plie.example")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").last.click()
    page.wait_for_url(lambda url: "/connexion/" not in url)  # logged in before going on
    page.goto(f"{base}/pro/fse/")
    page.get_by_role("link", name="FSE-29-001").click()
    page.get_by_role("link", name="Modifier l'opération").click()
    axe.check(page, "modifier l'opération")
    page.get_by_label("Territoire").fill("Pays de Brest")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("body")).to_contain_text("Pays de Brest")
    page.get_by_role("link", name="Supprimer l'opération").click()
    expect(page.locator("body")).to_contain_text("ne peut pas être supprimée")
    axe.check(page, "supprimer l'opération")
    page.get_by_role("button", name="Clôturer l'opération").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Clôturée")
    axe.check(page, "opération clôturée")
