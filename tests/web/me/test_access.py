""""Qui peut voir mon passeport": consents by organisation, withdrawal in one click with
a confirmation, and the log of who looked at the passport."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from passeport.core.actor import Actor
from passeport.core.enums import AuditAction
from passeport.core.errors import NotFound
from passeport.core.services import api_token_create, audit_record
from passeport.paths.selectors import path_get_for
from passeport.people.enums import ConsentMethod, ConsentScope
from passeport.people.models import Consent
from passeport.people.selectors import person_get_for
from tests.factories import ConsentFactory


@pytest.fixture
def path_consent(person, org):
    return Consent.objects.active().get(person=person, organisation=org, scope=ConsentScope.PATH)


def _access(client, **params):
    response = client.get(reverse("me:access"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_lists_who_can_see_what_grouped_by_organisation(me_client, person, org, other_org):
    ConsentFactory(person=person, organisation=other_org, scope=ConsentScope.DOCUMENTS,
                   method=ConsentMethod.ORAL, purpose="Garder vos papiers",
                   valid_until=timezone.localdate() + dt.timedelta(days=90))
    old = ConsentFactory(person=person, organisation=other_org, scope=ConsentScope.JOBS)
    old.withdrawn_at = timezone.now()
    old.save()
    html = _access(me_client)
    assert "<h1>Qui peut voir mon passeport</h1>" in html
    assert html.count('<h3 class="fr-h5 fr-mb-1w">Mission locale du Pays de Brest</h3>') == 1
    assert "La structure de votre référent" in html
    assert "PLIE de Cornouaille" in html
    # Scopes, dates and how it was given, in plain words.
    assert "Votre parcours : votre situation, ce qui vous freine" in html
    assert "Vos droits : les aides que vous pouvez demander" in html
    assert "Vos documents (vos papiers)" in html
    assert "Depuis le" in html and "Sans date de fin." in html and "Jusqu'au" in html
    assert "Vous avez signé un papier." in html
    assert "Vous avez dit oui à l&#x27;oral, pendant un rendez-vous." in html
    assert "Garder vos papiers" in html
    # One withdraw button per current consent (path + rights + documents), none for the old one.
    assert html.count("Retirer mon accord") == 3
    assert reverse("me:consent_withdraw", args=[old.pk]) not in html
    assert "accord retiré le" in html


def test_withdraw_a_consent_with_a_confirmation(me_client, person, actor, path_consent, org):
    url = reverse("me:consent_withdraw", args=[path_consent.pk])
    # The button on the list posts here: the confirmation page comes first.
    confirm = me_client.post(url)
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert "<h1>Retirer votre accord ?</h1>" in html
    assert "Attention : c'est la structure de votre référent" in html
    assert "Oui, retirer mon accord" in html and "Non, garder mon accord" in html
    path_consent.refresh_from_db()
    assert path_consent.withdrawn_at is None
    # The organisation still sees the passport before the confirmation.
    person_get_for(actor, person.public_id, scope=ConsentScope.PATH)

    done = me_client.post(url, {"confirmer": "oui"}, follow=True)
    assert done.redirect_chain[-1][0] == reverse("me:access")
    assert "C&#x27;est fait. Mission locale du Pays de Brest ne peut plus voir votre parcours." \
        in done.content.decode()
    path_consent.refresh_from_db()
    assert path_consent.withdrawn_at is not None
    assert path_consent.withdrawn_by == person.user
    # The organisation loses access at once, in the selectors and in the pages.
    with pytest.raises(NotFound):
        person_get_for(actor, person.public_id, scope=ConsentScope.PATH)
    with pytest.raises(NotFound):
        path_get_for(actor, person.public_id)
    pro = Client()
    pro.force_login(actor.user)
    assert pro.get(reverse("pro:passport", args=[person.public_id])).status_code == 404


def test_get_shows_the_confirmation_too(me_client, path_consent):
    response = me_client.get(reverse("me:consent_withdraw", args=[path_consent.pk]))
    assert response.status_code == 200
    path_consent.refresh_from_db()
    assert path_consent.withdrawn_at is None


def test_withdrawing_twice_says_it_is_already_done(me_client, path_consent):
    url = reverse("me:consent_withdraw", args=[path_consent.pk])
    me_client.post(url, {"confirmer": "oui"})
    first = Consent.objects.get(pk=path_consent.pk).withdrawn_at
    response = me_client.post(url, {"confirmer": "oui"}, follow=True)
    assert "Cet accord est déjà terminé." in response.content.decode()
    assert Consent.objects.get(pk=path_consent.pk).withdrawn_at == first


def test_access_log_shows_the_professionals_read(me_client, person, actor):
    path_get_for(actor, person.public_id)  # the référent opens the passport
    html = _access(me_client)
    assert "Qui a regardé votre passeport" in html
    assert "<strong>Rozenn Le Bihan</strong> (Mission locale du Pays de Brest) " \
           "a regardé votre parcours." in html
    # Raw codes are never shown.
    assert "view" not in html.split('id="regards"')[1].split("</section>")[0]


def test_access_log_leaves_out_the_persons_own_actions(me_client, person, person_actor):
    audit_record(person_actor, action=AuditAction.UPDATE, object_type="path",
                 person_uid=person.public_id)
    assert "Personne n'a encore regardé votre passeport." in _access(me_client)


def test_access_log_groups_repeats_and_is_paginated(me_client, person, actor):
    for _ in range(3):
        audit_record(actor, action=AuditAction.LIST, object_type="caseload",
                     person_uid=person.public_id)
    html = _access(me_client)
    assert "a vu votre nom dans sa liste de personnes suivies. (3 fois ce jour-là)" in html
    api = Actor(channel="api")
    for i in range(30):
        audit_record(actor if i % 2 else api, action=AuditAction.VIEW, object_type="path",
                     person_uid=person.public_id)
    first = _access(me_client)
    assert "Page 1 sur 2" in first
    assert "Page suivante" in first
    second = _access(me_client, page=2)
    assert "Page 2 sur 2" in second
    assert "(3 fois ce jour-là)" in second  # the oldest rows are on the last page


def test_access_log_says_software_consents_and_unknown_codes_in_plain_words(
        me_client, person, actor, org):
    token, _ = api_token_create(actor=actor, organisation=org, name="Logiciel du département")
    api = Actor(api_token=token, channel="api")
    audit_record(api, action=AuditAction.VIEW, object_type="path", person_uid=person.public_id)
    audit_record(actor, action=AuditAction.CONSENT_GRANT, object_type="consent",
                 person_uid=person.public_id, detail={"scope": ConsentScope.DOCUMENTS})
    audit_record(actor, action=AuditAction.EXPORT, object_type="document_bundle",
                 person_uid=person.public_id)
    html = _access(me_client)
    log = html.split('id="regards"')[1].split("</section>")[0]
    assert "<strong>Un logiciel relié à Passeport</strong> (Mission locale du Pays de Brest) " \
           "a regardé votre parcours." in log
    assert "a noté votre accord pour : vos documents." in log
    assert "a téléchargé des informations de votre passeport (par exemple pour un dossier)." in log
    for code in ("document_bundle", "consent_grant", "export", "Logiciel du"):
        assert code not in log
