"""A person never reaches another person's data: every id in a URL of the person's space
must belong to their own passport, or 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from passeport.paths.enums import ActionStatus
from passeport.paths.models import Action, Objective
from passeport.people.enums import ConsentScope
from passeport.people.models import Consent
from tests.factories import ActionFactory, PathFactory


@pytest.fixture
def maelle_client(client, other_person):
    client.force_login(other_person.user)
    return client


def test_other_person_sees_only_her_own_passport(maelle_client, my_action, pro_action, person):
    html = maelle_client.get(reverse("me:home")).content.decode()
    assert "Bonjour Maëlle" in html
    assert "Action secrète de Maëlle" in html
    # (the full name: the signed-in account's own random first name may be « Élodie » too)
    for foreign in (person.full_name, person.public_id, "Faire mon CV", "Appeler le bailleur social",
                    "Rozenn Le Bihan"):
        assert foreign not in html
    history = maelle_client.get(reverse("me:history")).content.decode()
    assert "Note secrète de Maëlle" in history
    access = maelle_client.get(reverse("me:access")).content.decode()
    assert "PLIE de Cornouaille" in access
    assert "Mission locale du Pays de Brest" not in access


@pytest.mark.parametrize("name", ["me:action_done", "me:action_undo"])
def test_cannot_touch_another_persons_action(maelle_client, my_action, name):
    response = maelle_client.post(reverse(name, args=[my_action.pk]))
    assert response.status_code == 404
    my_action.refresh_from_db()
    assert my_action.status == ActionStatus.TODO


def test_cannot_reach_an_unknown_action(me_client):
    assert me_client.post(reverse("me:action_done", args=[987654])).status_code == 404


def test_cannot_withdraw_another_persons_consent(maelle_client, person, org):
    consent = Consent.objects.active().get(person=person, organisation=org,
                                           scope=ConsentScope.PATH)
    url = reverse("me:consent_withdraw", args=[consent.pk])
    assert maelle_client.get(url).status_code == 404
    assert maelle_client.post(url, {"confirmer": "oui"}).status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


def test_action_of_an_old_path_is_not_reachable(me_client, followed_path, person, org):
    """Only the actions of the person's current path can be changed."""
    followed_path.status = "closed"
    followed_path.closed_on = followed_path.opened_on
    followed_path.exit_reason = "other"
    followed_path.save()
    old = ActionFactory(path=followed_path, title="Ancienne action", for_person=True)
    PathFactory(person=person, organisation=org)
    assert me_client.post(reverse("me:action_done", args=[old.pk])).status_code == 404
    assert Action.objects.get(pk=old.pk).status == ActionStatus.TODO


def test_proposals_go_to_the_persons_own_path_only(maelle_client, other_person, followed_path):
    maelle_client.post(reverse("me:objective_propose"), {"title": "Mon idée"})
    objective = Objective.objects.get(title="Mon idée")
    assert objective.path.person == other_person
    assert not followed_path.objectives.filter(title="Mon idée").exists()
