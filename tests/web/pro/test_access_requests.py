"""Pages of the professional: from a passport number typed in the search to a request
for access, and the list of requests sent. Nothing tells whether the number exists."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from passeport.core.actor import Actor
from passeport.core.models import AuditEvent
from passeport.people.enums import AccessRequestStatus, ConsentScope
from passeport.people.models import AccessRequest
from passeport.people.services import (
    access_request_accept,
    access_request_create,
    access_request_refuse,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

UNKNOWN = "ZZZZ-ZZZZ-ZZZZ"
CREATE = reverse("pro:access_request_create")
LIST = reverse("pro:access_requests")


@pytest.fixture
def person(followed_path):
    """Élodie, followed by the mission locale only, with her own account."""
    person = followed_path.person
    person.user = UserFactory(email="elodie@example.org")
    person.save()
    return person


def _callout(html: str, number: str) -> str:
    match = re.search(r'<div class="fr-callout">(.*?)</div>', html, re.S)
    assert match, html
    return match.group(1).replace(number, "NUMERO")


def test_search_by_number_offers_to_ask_the_same_way_whether_it_exists(outsider_client, person):
    caseload = reverse("pro:caseload")
    real = outsider_client.get(caseload, {"q": person.public_id.lower()}).content.decode()
    fake = outsider_client.get(caseload, {"q": UNKNOWN}).content.decode()
    assert "Demander l'accès à ce passeport" in real
    assert f"{CREATE}?numero={person.public_id}" in real
    assert _callout(real, person.public_id) == _callout(fake, UNKNOWN)
    assert person.last_name not in real
    # Through htmx (the list refreshes as one types) too.
    partial = outsider_client.get(caseload, {"q": UNKNOWN}, HTTP_HX_REQUEST="true")
    assert f"{CREATE}?numero={UNKNOWN}" in partial.content.decode()


def test_a_name_search_does_not_offer_a_request(outsider_client, person):
    html = outsider_client.get(reverse("pro:caseload"), {"q": "Kerouac"}).content.decode()
    assert "Demander l'accès à ce passeport" not in html


def test_send_a_request_same_answer_either_way_then_the_person_accepts(
        outsider_client, outsider, person, other_org):
    form = outsider_client.get(CREATE, {"numero": person.public_id})
    assert f'value="{person.public_id}"' in form.content.decode()
    answers = []
    for number in (person.public_id, UNKNOWN):
        response = outsider_client.post(CREATE, {
            "public_id": number, "scopes": [ConsentScope.PATH, ConsentScope.RIGHTS],
            "purpose": "Vous accompagner vers un emploi", "message": "Vu au forum"}, follow=True)
        assert response.redirect_chain[-1][0] == LIST
        html = response.content.decode()
        answers.append(html.replace(number, "NUMERO"))
        assert ("Si ce numéro correspond à un passeport, la personne recevra votre demande"
                in html)
    assert AccessRequest.objects.filter(organisation=other_org).count() == 2
    listing = outsider_client.get(LIST).content.decode()
    assert listing.count("En attente") >= 2
    assert person.public_id in listing and UNKNOWN in listing
    # (names as the list would show them; the header shows the professional's own name)
    assert person.last_name.upper() not in listing and person.full_name not in listing

    # The person accepts: the organisation sees her name and finds her.
    req = AccessRequest.objects.get(public_id=person.public_id)
    access_request_accept(actor=Actor(user=person.user), access_request=req)
    listing = outsider_client.get(LIST).content.decode()
    assert "Acceptée" in listing
    assert f"{person.last_name.upper()} {person.first_name}" in listing
    assert reverse("pro:passport", args=[person.public_id]) in listing
    assert AuditEvent.objects.filter(action="list", object_type="access_request",
                                     person_uid=person.public_id,
                                     organisation=other_org).exists()
    found = outsider_client.get(reverse("pro:caseload"), {"q": person.public_id})
    assert f"{person.last_name.upper()} {person.first_name}" in found.content.decode()
    assert outsider_client.get(reverse("pro:passport", args=[person.public_id])).status_code == 200
    # Filtered by status.
    pending = outsider_client.get(LIST, {"statut": AccessRequestStatus.PENDING}).content.decode()
    assert UNKNOWN in pending and person.public_id not in pending


def test_a_number_open_to_the_organisation_but_outside_the_list_is_opened(
        client, person, org):
    """A référent of the mission locale who is not Élodie's référent types her number."""
    from tests.factories import MembershipFactory

    colleague = MembershipFactory(organisation=org)
    client.force_login(colleague.user)
    html = client.get(reverse("pro:caseload"), {"q": person.public_id}).content.decode()
    assert "Ouvrir ce passeport" in html
    assert reverse("pro:passport", args=[person.public_id]) in html
    assert "Demander l'accès" not in html


@pytest.mark.parametrize(("data", "error"), [
    ({"public_id": "12"}, "Ce numéro de passeport n&#x27;est pas valide"),
    ({"purpose": ""}, "Dites pour quoi faire vous demandez l&#x27;accès."),
    ({"scopes": []}, "Cochez au moins une partie du passeport."),
])
def test_bad_input_shows_a_french_error_and_keeps_what_was_typed(outsider_client, person,
                                                                 data, error):
    payload = {"public_id": person.public_id, "scopes": [ConsentScope.PATH],
               "purpose": "Vous accompagner", "message": "Mon message gardé", **data}
    response = outsider_client.post(CREATE, payload)
    assert response.status_code == 200
    html = response.content.decode()
    assert error in html
    assert "Rien n'a été enregistré" in html
    assert "Mon message gardé" in html
    assert not AccessRequest.objects.exists()


def test_every_field_in_error_shows_at_once(outsider_client, person):
    response = outsider_client.post(CREATE, {"public_id": "12", "scopes": [], "purpose": "",
                                             "message": "Mon message gardé"})
    html = response.content.decode()
    assert "Ce numéro de passeport n&#x27;est pas valide" in html
    assert "Dites pour quoi faire vous demandez l&#x27;accès." in html
    assert "Cochez au moins une partie du passeport." in html
    assert "Mon message gardé" in html and not AccessRequest.objects.exists()


def test_throttled_with_a_clear_message(outsider_client, outsider, settings):
    settings.PASSEPORT_ACCESS_REQUESTS_PER_HOUR = 1
    actor = Actor(user=outsider.user, membership=outsider)
    access_request_create(actor=actor, public_id="AAAA-AAAA-AAA1", scopes=["path"], purpose="x")
    response = outsider_client.post(CREATE, {"public_id": "AAAA-AAAA-AAA2", "scopes": ["path"],
                                             "purpose": "Vous accompagner"})
    assert response.status_code == 200
    assert "beaucoup de demandes d&#x27;accès en une heure" in response.content.decode()
    assert AccessRequest.objects.count() == 1


def test_another_organisation_does_not_see_the_requests(outsider, person, org):
    access_request_create(actor=Actor(user=outsider.user, membership=outsider),
                          public_id=person.public_id, scopes=["path"], purpose="Suivi")
    pro = Client()
    from tests.factories import MembershipFactory

    pro.force_login(MembershipFactory(organisation=org).user)
    html = pro.get(LIST).content.decode()
    assert person.public_id not in html
    assert "Votre structure n'a envoyé aucune demande d'accès." in html


def test_pages_need_a_professional(client, person):
    client.force_login(person.user)
    assert client.get(LIST).status_code == 404
    assert client.get(CREATE).status_code == 404
    client.logout()
    assert client.get(LIST).status_code == 302


def test_a_new_answer_is_marked_until_the_list_is_seen(outsider_client, outsider, person):
    actor = Actor(user=outsider.user, membership=outsider)
    answered = access_request_create(actor=actor, public_id=person.public_id,
                                     scopes=["path"], purpose="Vous accompagner")
    access_request_create(actor=actor, public_id=UNKNOWN, scopes=["path"], purpose="x")
    assert "Nouvelle réponse" not in outsider_client.get(LIST).content.decode()
    access_request_accept(actor=Actor(user=person.user), access_request=answered)
    first = outsider_client.get(LIST).content.decode()
    assert first.count("Nouvelle réponse") == 1
    answered.refresh_from_db()
    assert answered.answer_seen_at is not None
    assert "Nouvelle réponse" not in outsider_client.get(LIST).content.decode()


def _nav_badge(client, url=None) -> str:
    html = client.get(url or reverse("pro:caseload")).content.decode()
    nav = html.split('class="fr-nav__list"')[1].split("</ul>")[0] if 'class="fr-nav__list"' in html else html
    match = re.search(r'id="demandes-acces-nouvelles">(.*?)</span></span>', nav, re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)) if match else ""


def test_the_navigation_counts_the_answers_not_seen_yet(outsider_client, outsider, person, org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import MembershipFactory, PersonFactory

    actor = Actor(user=outsider.user, membership=outsider)
    other = PersonFactory()
    other.user = UserFactory()
    other.save()
    first = access_request_create(actor=actor, public_id=person.public_id, scopes=["path"], purpose="Suivi")
    second = access_request_create(actor=actor, public_id=other.public_id, scopes=["path"], purpose="Suivi")
    access_request_create(actor=actor, public_id=UNKNOWN, scopes=["path"], purpose="x")
    assert "Demandes d'accès" in outsider_client.get(reverse("pro:caseload")).content.decode().replace("&#x27;", "'")
    assert _nav_badge(outsider_client) == ""  # nothing answered yet
    access_request_accept(actor=Actor(user=person.user), access_request=first)
    assert _nav_badge(outsider_client) == "1 nouvelle réponse"
    access_request_refuse(actor=Actor(user=other.user), access_request=second)
    with CaptureQueriesContext(connection) as queries:
        assert _nav_badge(outsider_client) == "2 nouvelles réponses"
    # One cheap query, whatever the number of requests.
    assert sum("people_accessrequest" in q["sql"] for q in queries.captured_queries) == 1
    # Another organisation sees no counter.
    colleague = Client()
    colleague.force_login(MembershipFactory(organisation=org).user)
    assert _nav_badge(colleague) == ""
    # Seeing the list marks the answers seen: the counter goes.
    assert _nav_badge(outsider_client, LIST) == ""
    assert _nav_badge(outsider_client) == ""


def test_cancel_a_pending_request_from_the_list(outsider_client, outsider, person, client):
    actor = Actor(user=outsider.user, membership=outsider)
    req = access_request_create(actor=actor, public_id=person.public_id, scopes=["path"],
                                purpose="Vous accompagner")
    cancel = reverse("pro:access_request_cancel", args=[req.pk])
    assert cancel in outsider_client.get(LIST).content.decode()
    assert outsider_client.get(cancel).status_code == 405
    response = outsider_client.post(cancel, follow=True)
    assert response.redirect_chain[-1][0] == LIST + "#demandes"
    html = response.content.decode()
    assert "Demande annulée. La personne ne peut plus y répondre." in html
    assert "Annulée" in html and cancel not in html
    req.refresh_from_db()
    assert req.status == AccessRequestStatus.CANCELLED and req.decided_at is not None
    assert AuditEvent.objects.filter(object_type="access_request", action="update",
                                     detail__status="cancelled", actor=outsider.user).exists()
    # Twice: a French message, nothing changes.
    html = outsider_client.post(cancel, follow=True).content.decode()
    assert "Cette demande est déjà annulée." in html
    # The person no longer sees it; answering it anyway is refused.
    client.force_login(person.user)
    mine = client.get(reverse("me:access")).content.decode()
    assert 'id="demandes"' not in mine
    assert "a annulé sa demande de voir votre passeport" in mine
    response = client.post(reverse("me:access_request_accept", args=[req.pk]), follow=True)
    assert "La structure a annulé cette demande" in response.content.decode()
    assert not person.consents.filter(organisation=outsider.organisation).exists()


def test_another_organisation_cannot_cancel(client, org, outsider, person):
    from tests.factories import MembershipFactory

    req = access_request_create(actor=Actor(user=outsider.user, membership=outsider),
                                public_id=person.public_id, scopes=["path"], purpose="x")
    client.force_login(MembershipFactory(organisation=org).user)
    response = client.post(reverse("pro:access_request_cancel", args=[req.pk]))
    assert response.status_code == 404
    req.refresh_from_db()
    assert req.status == AccessRequestStatus.PENDING


def test_after_the_person_withdraws_the_list_no_longer_names_her(
        outsider_client, outsider, person, other_org):
    from passeport.people.models import Consent
    from passeport.people.services import consent_withdraw

    actor = Actor(user=outsider.user, membership=outsider)
    req = access_request_create(actor=actor, public_id=person.public_id,
                                scopes=["path"], purpose="Vous accompagner")
    access_request_accept(actor=Actor(user=person.user), access_request=req)
    named = f"{person.last_name.upper()} {person.first_name}"
    assert named in outsider_client.get(LIST).content.decode()
    for consent in Consent.objects.active().filter(person=person, organisation=other_org):
        consent_withdraw(actor=Actor(user=person.user), consent=consent)
    listing = outsider_client.get(LIST).content.decode()
    assert named not in listing
    assert reverse("pro:passport", args=[person.public_id]) not in listing
    assert "La personne a retiré son accord depuis" in listing
    assert person.public_id in listing  # the number the professional typed stays
