"""Invited rather than summoned: the référent proposes slots from the person's passport;
the person, without an account, opens the link received by SMS on a 320 px phone and
picks a slot with a big button. The appointment is on the timeline. Pages pass axe."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from passeport.core import sms
from passeport.core.enums import Role
from passeport.paths.enums import EventKind
from passeport.paths.models import TimelineEvent
from tests.factories import (
    ConsentFactory,
    MembershipFactory,
    OrganisationFactory,
    PathFactory,
    PersonFactory,
)

PASSWORD = "motdepasse-test-123"


def login(page, base_url, email):
    page.goto(f"{base_url}/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").last.click()
    page.wait_for_url(lambda url: "/connexion/" not in url)  # logged in before going on


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.django_db(transaction=True)
def test_person_picks_a_slot_on_a_small_phone(live_server, browser, axe):
    sms.outbox.clear()
    today = timezone.localdate()
    org = OrganisationFactory(name="Mission locale du Pays de Brest")
    MembershipFactory(organisation=org, role=Role.REFERENT, user__email="rozenn@ml.example",
                      user__first_name="Rozenn", user__last_name="Le Bihan")
    person = PersonFactory(first_name="Annaig", last_name="Quéré", phone="06 12 34 56 78")
    ConsentFactory(person=person, organisation=org, valid_from=today - dt.timedelta(days=10))
    path = PathFactory(person=person, organisation=org, opened_on=today - dt.timedelta(days=10))

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    login(page, live_server.url, "rozenn@ml.example")
    page.goto(f"{live_server.url}/pro/personnes/{person.public_id}/")
    page.get_by_role("link", name="Rendez-vous à choisir").first.click()
    page.get_by_role("link", name="Inviter à prendre rendez-vous").click()
    axe.check(page, "inviter à prendre rendez-vous")
    day1, day2 = today + dt.timedelta(days=3), today + dt.timedelta(days=4)
    page.get_by_label("Motif du rendez-vous").fill("Faire le point sur votre CV")
    page.locator("#id_answer_by").fill((today + dt.timedelta(days=2)).isoformat())
    page.locator("#id_creneau-0-day").fill(day1.isoformat())
    page.locator("#id_creneau-0-time").fill("10:00")
    page.locator("#id_creneau-0-place").fill("12 rue de Siam, Brest")
    page.locator("#id_creneau-1-day").fill(day2.isoformat())
    page.locator("#id_creneau-1-time").fill("14:30")
    page.locator("#id_creneau-1-mode").select_option("phone")
    page.get_by_role("button", name="Envoyer l'invitation").click()
    expect(page.get_by_text("La personne reçoit un lien")).to_be_visible()
    axe.check(page, "rendez-vous à choisir (référent)")
    context.close()

    [message] = sms.outbox
    link = re.search(r"https?://\S+", message.text).group(0)
    token_path = link.split("/rendez-vous/", 1)[1]

    phone = browser.new_context(viewport={"width": 320, "height": 700}, locale="fr-FR")
    page = phone.new_page()
    page.goto(f"{live_server.url}/rendez-vous/{token_path}")
    assert "Faire le point sur votre CV" in page.content()
    assert "Annaig" not in page.content() and person.public_id not in page.content()
    assert no_horizontal_scroll(page)
    axe.check(page, "choisir son rendez-vous (lien)")
    button = page.get_by_role("button", name=re.compile("14 h 30"))
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 250  # a big target on a small screen
    button.click()
    expect(page.get_by_role("heading", name="C'est noté, merci !")).to_be_visible()
    assert no_horizontal_scroll(page)
    axe.check(page, "rendez-vous choisi")
    phone.close()

    [event] = TimelineEvent.objects.filter(path=path, kind=EventKind.APPOINTMENT)
    assert timezone.localtime(event.occurred_at).date() == day2 and event.by_person
