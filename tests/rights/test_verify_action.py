"""A right to verify becomes an action of the path, like a likely one: « Vérifier le droit
à la CSS : compléter le foyer et les ressources »."""

from __future__ import annotations

import pytest
from django.urls import reverse

from passeport.core.actor import Actor
from passeport.core.errors import Conflict, PasseportError
from passeport.core.models import AuditEvent
from passeport.core.services import api_token_create
from passeport.paths.models import Action
from passeport.people.enums import ConsentScope
from passeport.rights import services
from passeport.rights.models import RightsAction
from tests.api.conftest import JsonApi
from tests.factories import ConsentFactory, PathFactory, PersonFactory
from tests.rights.test_to_verify import check_for

RESOURCES_UNKNOWN = {"housing_status": "hosted", "received": []}
TITLE = "Vérifier le droit à la CSS : compléter le foyer et les ressources"


def url(path, check, code="css"):
    return reverse("rights:pro_flag_action", kwargs={
        "public_id": path.person.public_id, "check_id": check.pk, "code": code})


def test_a_right_to_verify_becomes_an_action_once(actor, rights_path, commits):
    check = check_for(actor, rights_path, RESOURCES_UNKNOWN, commits)
    assert "css" not in check.flagged_codes
    action = services.flag_to_action(actor=actor, person=rights_path.person, path=rights_path,
                                     check=check, code="css")
    assert action.path == rights_path and action.title == TITLE
    assert "Il manque : Qui vit dans le foyer" in action.description
    assert "Les revenus des 12 derniers mois" in action.description
    assert "pas une décision" in action.description and "ameli.fr" in action.description
    assert action.theme == "sante"
    ra = RightsAction.objects.get()
    assert (ra.code, ra.check_ref) == ("css", check)
    event = AuditEvent.objects.get(object_type="rights_action")
    assert event.detail["to_verify"] is True and event.consent_id
    with pytest.raises(Conflict):
        services.flag_to_action(actor=actor, person=rights_path.person, path=rights_path,
                                check=check, code="css")
    assert Action.objects.filter(path=rights_path).count() == 1


def test_a_right_neither_flagged_nor_to_verify_is_refused(actor, rights_path, commits):
    check = check_for(actor, rights_path, RESOURCES_UNKNOWN, commits)
    assert "af" not in [v["code"] for v in check.to_verify if v["due"]]
    with pytest.raises(PasseportError) as err:
        services.flag_to_action(actor=actor, person=rights_path.person, path=rights_path,
                                check=check, code="af")
    assert err.value.code == "not_flagged"
    assert not Action.objects.exists() and not RightsAction.objects.exists()


def test_the_action_needs_the_path_consent(org, actor, engine, commits):
    person = PersonFactory()
    ConsentFactory(person=person, organisation=org, scope=ConsentScope.RIGHTS)
    path = PathFactory(person=person, organisation=org, housing_status="tenant", benefits=[])
    path.person = person
    check = check_for(actor, path, RESOURCES_UNKNOWN, commits)
    with pytest.raises(PasseportError) as err:
        services.flag_to_action(actor=actor, person=person, path=path, check=check, code="css")
    assert err.value.code == "path_consent_required"
    assert not Action.objects.exists()


def test_one_click_on_the_page(pro_client, actor, rights_path, commits):
    check = check_for(actor, rights_path, RESOURCES_UNKNOWN, commits)
    page = reverse("rights:pro", kwargs={"public_id": rights_path.person.public_id})
    html = pro_client.get(page).content.decode()
    verify = html[html.index('id="a-verifier"'):]
    assert url(rights_path, check) in verify
    assert "Ajouter au plan d'action : vérifier le droit" in verify
    response = pro_client.post(url(rights_path, check))
    assert response.status_code == 302 and response["Location"].endswith("#a-verifier")
    assert Action.objects.get().title == TITLE
    html = pro_client.get(page).content.decode()
    assert f"Action du parcours : {TITLE}" in html.replace("&#x27;", "'")
    # Twice: a French message, nothing more written.
    response = pro_client.post(url(rights_path, check), follow=True)
    assert "Une action est déjà en cours pour ce droit" in response.content.decode().replace("&#x27;", "'")
    assert Action.objects.count() == 1


def test_bad_code_and_another_organisation(client, pro_client, outsider, actor, rights_path,
                                           commits):
    check = check_for(actor, rights_path, RESOURCES_UNKNOWN, commits)
    assert pro_client.post(url(rights_path, check, "xyz")).status_code == 404
    response = pro_client.post(url(rights_path, check, "af"), follow=True)
    assert "Ce droit n'est ni signalé ni à vérifier" in response.content.decode().replace("&#x27;", "'")
    client.force_login(outsider.user)
    assert client.post(url(rights_path, check)).status_code == 404
    assert not Action.objects.exists()


def test_through_the_api(client, org, other_org, actor, rights_path, commits):
    check = check_for(actor, rights_path, RESOURCES_UNKNOWN, commits)
    path = f"/rights/persons/{rights_path.person.public_id}/estimates/{check.pk}/actions"
    _t, raw = api_token_create(actor=Actor.system(), organisation=other_org, name="PLIE")
    assert JsonApi(client, raw).post(path, {"code": "css"}).status_code == 404
    _t, raw = api_token_create(actor=Actor.system(), organisation=org, name="SI")
    api = JsonApi(client, raw)
    response = api.post(path, {"code": "af"})
    assert response.status_code == 400 and response.json()["code"] == "not_flagged"
    response = api.post(path, {"code": "css"})
    assert response.status_code == 201 and response.json()["title"] == TITLE
