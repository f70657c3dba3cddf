"""The référent sees a person at risk first in their list, reads why, acknowledges the
alert (written on the timeline); the person reads the same in plain words. Pages pass
axe at 1280 and 320 px."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from passeport.core.enums import Role
from passeport.paths.enums import EventKind
from passeport.paths.models import TimelineEvent
from passeport.rupture.models import OrganisationSettings
from passeport.rupture.services import alerts_refresh
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
def test_referent_acknowledges_and_person_reads_their_signals(live_server, browser, axe):
    today = timezone.localdate()
    org = OrganisationFactory(name="Mission locale du Pays de Brest")
    referent = MembershipFactory(organisation=org, role=Role.REFERENT,
                                 user__email="rozenn@ml.example")
    person_user = UserFactory(email="annaig@example.org")
    person = PersonFactory(first_name="Annaig", last_name="Quéré", user=person_user)
    ConsentFactory(person=person, organisation=org, valid_from=today - dt.timedelta(days=100))
    path = PathFactory(person=person, organisation=org, referent=referent,
                       opened_on=today - dt.timedelta(days=60))
    # 50 local days ago, at 10 h (not now - 50 x 24 h: from the end of March to mid-May,
    # between midnight and 1 h in Paris, that was 23 h on the day before, 51 days ago)
    TimelineEvent.objects.create(path=path, kind=EventKind.CONTACT, title="Appel",
                                 occurred_at=timezone.make_aware(dt.datetime.combine(
                                     today - dt.timedelta(days=50), dt.time(10))))
    alerts_refresh(today=today)

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    login(page, live_server.url, "rozenn@ml.example")
    page.goto(f"{live_server.url}/pro/risques/")
    assert "Pas de contact depuis 50 jours" in page.locator("#risques").inner_text()
    axe.check(page, "risques de rupture")
    page.get_by_role("link", name="QUÉRÉ Annaig").click()
    expect(page.locator("#signaux")).to_contain_text("Proposer un rendez-vous")
    axe.check(page, "risque d'une personne")
    page.get_by_label("Ce que vous avez fait").fill("Message laissé")
    page.get_by_role("button", name="Prise en compte").click()
    expect(page.get_by_text("C'est noté").first).to_be_visible()
    assert TimelineEvent.objects.filter(path=path, kind=EventKind.ALERT).count() == 1
    context.close()

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    login(page, live_server.url, "annaig@example.org")
    page.goto(f"{live_server.url}/mon-passeport/points-d-attention/")
    assert "Nous n'avons pas eu de nouvelles depuis 50 jours." in page.locator("#points").inner_text()
    axe.check(page, "mes points d'attention")
    page.set_viewport_size({"width": 320, "height": 800})
    page.locator("label[for=id_by_sms]").click()  # DSFR draws the box on the label
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("C'est enregistré.")).to_be_visible()
    expect(page.get_by_label("Par SMS, sur mon téléphone portable")).not_to_be_checked()
    expect(page.get_by_label("Par e-mail")).to_be_checked()
    axe.check(page, "mes rappels (320 px)")
    context.close()

    # The manager sets the organisation's reminders.
    MembershipFactory(organisation=org, role=Role.MANAGER, user__email="yann@ml.example")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    login(page, live_server.url, "yann@ml.example")
    page.goto(f"{live_server.url}/pro/risques/")
    page.get_by_role("link", name="Réglages des alertes et des rappels").click()
    axe.check(page, "réglages des rappels")
    page.get_by_label("Heure d'envoi des rappels").fill("21")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("main")).to_contain_text("Rien n'a été enregistré")
    page.get_by_label("Heure d'envoi des rappels").fill("9")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Les réglages de la structure sont enregistrés.")).to_be_visible()
    assert OrganisationSettings.objects.get(organisation=org).reminder_hour == 9
    context.close()
