"""« Demandes d'accès » in the person's space: what is asked, by whom, why, in plain
words; accept opens the passport to the organisation, refuse opens nothing; only the
person's own requests are shown and answerable."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from passeport.core.actor import Actor
from passeport.people.enums import AccessRequestStatus, ConsentMethod, ConsentScope
from passeport.people.models import AccessRequest, Consent
from passeport.people.services import access_request_create

pytestmark = pytest.mark.django_db
ACCESS = reverse("me:access")


@pytest.fixture
def asked(outsider, person):
    """The PLIE asks Élodie for her path and her skills."""
    outsider.user.first_name, outsider.user.last_name = "Yann", "Le Gall"
    outsider.user.save()
    return access_request_create(
        actor=Actor(user=outsider.user, membership=outsider), public_id=person.public_id,
        scopes=[ConsentScope.PATH, ConsentScope.SKILLS],
        purpose="Vous proposer le chantier d'insertion", message="Nous nous sommes vus au forum.")


def test_pending_request_in_plain_words(me_client, asked):
    html = me_client.get(ACCESS).content.decode()
    assert '<h2 id="demandes-titre">Demandes d\'accès</h2>' in html
    assert "PLIE de Cornouaille" in html
    assert "Qui demande : Yann Le Gall." in html
    assert "Pour quoi faire : Vous proposer le chantier d&#x27;insertion" in html
    assert "Nous nous sommes vus au forum." in html
    assert "Votre parcours : votre situation, ce qui vous freine" in html
    assert "Ce que vous savez faire : vos compétences et vos badges" in html
    assert "Vos documents" not in html.split('id="structures"')[0]  # not asked
    assert reverse("me:access_request_accept", args=[asked.pk]) in html
    assert reverse("me:access_request_refuse", args=[asked.pk]) in html
    # The home page says it too.
    home = me_client.get(reverse("me:home")).content.decode()
    assert "Une structure demande à voir votre passeport" in home


def test_accept_opens_the_asked_parts(me_client, asked, person, other_org):
    # The browser sends the boxes left ticked: all of them by default.
    response = me_client.post(reverse("me:access_request_accept", args=[asked.pk]),
                              {"scopes": [ConsentScope.PATH, ConsentScope.SKILLS]}, follow=True)
    assert response.redirect_chain[-1][0] == ACCESS + "#demandes"
    html = response.content.decode()
    assert "C&#x27;est fait : PLIE de Cornouaille peut voir ce que vous avez accepté." in html
    consents = Consent.objects.active().filter(person=person, organisation=other_org)
    assert {c.scope for c in consents} == {ConsentScope.PATH, ConsentScope.SKILLS}
    assert {c.method for c in consents} == {ConsentMethod.IN_APP}
    # No longer asked; now among the organisations that can see, withdrawable.
    assert 'id="demandes"' not in html
    assert html.count("Retirer mon accord") >= 4
    assert "Vous avez dit oui dans votre espace." in html


def test_refuse_opens_nothing(me_client, asked, person, other_org):
    response = me_client.post(reverse("me:access_request_refuse", args=[asked.pk]), follow=True)
    assert "C&#x27;est noté : vous avez refusé." in response.content.decode()
    asked.refresh_from_db()
    assert asked.status == AccessRequestStatus.REFUSED
    assert not Consent.objects.filter(organisation=other_org).exists()


def test_expired_request_is_not_shown_nor_answerable(me_client, asked, other_org):
    AccessRequest.objects.filter(pk=asked.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert 'id="demandes"' not in me_client.get(ACCESS).content.decode()
    response = me_client.post(reverse("me:access_request_accept", args=[asked.pk]), follow=True)
    assert "Cette demande est trop ancienne" in response.content.decode()
    assert not Consent.objects.filter(organisation=other_org).exists()


def test_another_person_neither_sees_nor_answers(client, asked, other_person, other_org):
    client.force_login(other_person.user)
    assert "PLIE de Cornouaille" not in client.get(ACCESS).content.decode().split(
        'id="structures"')[0]
    for name in ("me:access_request_accept", "me:access_request_refuse"):
        assert client.post(reverse(name, args=[asked.pk])).status_code == 404
    asked.refresh_from_db()
    assert asked.status == AccessRequestStatus.PENDING
    assert not Consent.objects.filter(organisation=other_org, person=asked.person).exists()


def test_the_requesting_professional_cannot_answer(client, asked, outsider, other_org):
    client.force_login(outsider.user)
    assert client.post(reverse("me:access_request_accept", args=[asked.pk])).status_code == 404
    assert not Consent.objects.filter(organisation=other_org).exists()


def test_answers_are_posted_only(me_client, asked):
    assert me_client.get(reverse("me:access_request_accept", args=[asked.pk])).status_code == 405


def test_the_request_is_in_the_access_log(me_client, asked):
    html = me_client.get(ACCESS).content.decode()
    assert "vous a demandé de voir votre passeport" in html


def test_every_asked_part_is_a_ticked_checkbox(me_client, asked):
    html = me_client.get(ACCESS).content.decode()
    for scope in (ConsentScope.PATH, ConsentScope.SKILLS):
        assert (f'<input type="checkbox" name="scopes" value="{scope}" '
                f'id="demande-{asked.pk}-{scope}" checked>') in html
    assert 'value="documents"' not in html
    assert "Décochez ce que vous ne voulez pas montrer." in html


def test_accept_only_the_ticked_parts(me_client, asked, person, other_org, outsider):
    response = me_client.post(reverse("me:access_request_accept", args=[asked.pk]),
                              {"scopes": [ConsentScope.SKILLS]}, follow=True)
    assert "peut voir ce que vous avez accepté" in response.content.decode()
    consents = Consent.objects.active().filter(person=person, organisation=other_org)
    assert [c.scope for c in consents] == [ConsentScope.SKILLS]
    asked.refresh_from_db()
    assert asked.granted_scopes == [ConsentScope.SKILLS]
    # The organisation reads which parts were opened.
    me_client.force_login(outsider.user)
    listing = me_client.get(reverse("pro:access_requests")).content.decode()
    assert "La personne a accepté seulement : Mes compétences et badges" in listing


def test_accept_with_nothing_ticked_is_refused_in_french(me_client, asked, other_org):
    response = me_client.post(reverse("me:access_request_accept", args=[asked.pk]), follow=True)
    html = response.content.decode()
    assert "Cochez au moins une partie du passeport pour accepter." in html
    assert 'id="demandes"' in html  # still to answer
    asked.refresh_from_db()
    assert asked.status == AccessRequestStatus.PENDING
    assert not Consent.objects.filter(organisation=other_org).exists()
