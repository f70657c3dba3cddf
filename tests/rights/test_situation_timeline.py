"""When the person gives or corrects their situation in « Mes droits », their path's
timeline says which parts (household, housing, resources), never an amount; the référent
sees it as a new item of the person."""

from __future__ import annotations

import pytest
from django.urls import reverse

from passeport.paths.enums import EventKind
from passeport.paths.models import TimelineEvent
from tests.rights.test_me_situation import HOUSEHOLD, HOUSING, RESOURCES


@pytest.fixture
def me(client, rights_path):
    client.force_login(rights_path.person.user)
    return client


def post(me, step, data, commits):
    with commits():
        return me.post(reverse(f"rights:{step}"), data)


def events(path):
    return list(TimelineEvent.objects.filter(path=path, kind=EventKind.SITUATION)
                .order_by("id"))


def test_each_screen_writes_which_part_changed_without_amounts(me, rights_path, commits):
    post(me, "me_household", HOUSEHOLD, commits)
    post(me, "me_housing", HOUSING, commits)
    post(me, "me_resources", RESOURCES, commits)
    titles = [e.title for e in events(rights_path)]
    assert titles == [
        "Gwen a mis à jour sa situation dans « Mes droits » : le foyer",
        "Gwen a mis à jour sa situation dans « Mes droits » : le logement",
        "Gwen a mis à jour sa situation dans « Mes droits » : les ressources",
    ]
    for e in events(rights_path):
        assert e.by_person and e.author == rights_path.person.user
        assert e.organisation is None and e.seen_by_referent_at is None
        for amount in ("520", "900", "650"):
            assert amount not in e.title + e.body


def test_a_screen_confirmed_unchanged_says_so(me, rights_path, commits):
    post(me, "me_housing", HOUSING, commits)
    post(me, "me_housing", HOUSING, commits)
    post(me, "me_housing", {**HOUSING, "rent": "540"}, commits)
    assert [e.title for e in events(rights_path)] == [
        "Gwen a mis à jour sa situation dans « Mes droits » : le logement",
        "Gwen a confirmé sa situation dans « Mes droits », sans changement : le logement",
        "Gwen a mis à jour sa situation dans « Mes droits » : le logement",
    ]


def test_bad_input_writes_no_event(me, rights_path, commits):
    response = post(me, "me_housing", {**HOUSING, "rent": "-3"}, commits)
    assert response.status_code == 400
    assert events(rights_path) == []


def test_the_referent_sees_it_on_the_timeline_another_organisation_does_not(
        me, client, referent, outsider, rights_path, commits):
    post(me, "me_housing", HOUSING, commits)
    passport = reverse("pro:passport", kwargs={"public_id": rights_path.person.public_id})
    client.force_login(referent.user)
    html = client.get(passport).content.decode()
    assert "Gwen a mis à jour sa situation dans « Mes droits » : le logement" in html
    client.force_login(outsider.user)
    assert client.get(passport).status_code == 404
