"""The "Droits" pages: professional, person, screening."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from passeport.people.enums import ConsentScope
from passeport.rights import services
from passeport.rights.enums import CheckStatus
from passeport.rights.models import HouseholdSituation, RightsAction, RightsCheck
from tests.factories import ConsentFactory, PathFactory, PersonFactory


def url(name, path, **kw):
    return reverse(f"rights:{name}", kwargs={"public_id": path.person.public_id, **kw})


FORM = {
    "couple": "no", "housing_status": "tenant", "rent": "450", "commune_insee": "29019",
    "disability_rate": "none", "rsdae": "", "student": "no", "incomes_complete": "yes",
    "membres-TOTAL_FORMS": "2", "membres-INITIAL_FORMS": "0",
    "revenus-TOTAL_FORMS": "2", "revenus-INITIAL_FORMS": "0",
    "revenus-0-who": "self", "revenus-0-kind": "salary", "revenus-0-monthly_amount": "300",
    "revenus-0-start_month": "2025-01",
}


def test_pro_page_saves_the_situation_and_shows_the_estimate(pro_client, rights_path, commits):
    with commits():
        response = pro_client.post(url("pro", rights_path), FORM)
    assert response.status_code == 302
    situation = HouseholdSituation.objects.get(path=rights_path)
    assert situation.rent == 450 and situation.incomes.get().monthly_amount == 300
    page = pro_client.get(url("pro", rights_path))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Estimation, pas une décision" in html
    assert "Droits probablement non demandés" in html
    assert "Barèmes en vigueur au" in html and "OpenFisca-France 176.1.8" in html
    assert "Ajouter au plan d&#x27;action : RSA" in html or "Ajouter au plan d'action : RSA" in html


def test_pro_page_bad_input_shows_the_field_and_keeps_what_was_typed(pro_client, rights_path,
                                                                     commits):
    data = {**FORM, "housing_status": "hosted", "rent": "380"}
    with commits():
        response = pro_client.post(url("pro", rights_path), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "la personne n&#x27;est pas locataire" in html or "n'est pas locataire" in html
    assert 'value="380' in html  # kept
    assert 'aria-describedby' in html
    assert not HouseholdSituation.objects.filter(path=rights_path).exists()
    assert not RightsCheck.objects.exists()


def test_child_without_birth_date_is_reported_on_its_row(pro_client, rights_path, commits):
    data = {**FORM, "membres-0-role": "child", "membres-0-first_name": "Lena"}
    with commits():
        response = pro_client.post(url("pro", rights_path), data)
    assert response.status_code == 400
    assert "Indiquez la date de naissance" in response.content.decode()
    assert 'value="Lena"' in response.content.decode()


def test_page_shows_the_last_estimate_at_once_and_polls_for_the_new_one(
        pro_client, rights_path, worker_mode, commits):
    with commits():
        pro_client.post(url("pro", rights_path), FORM)
    check = RightsCheck.objects.get()
    assert check.status == CheckStatus.PENDING  # the page did not wait for OpenFisca
    partial = pro_client.get(url("pro_result", rights_path), HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in partial.content.decode()
    services.checks_compute_pending()  # the worker
    partial = pro_client.get(url("pro_result", rights_path), HTTP_HX_REQUEST="true")
    html = partial.content.decode()
    assert "hx-trigger" not in html
    assert "Montants estimés par mois" in html


def test_one_click_turns_a_flag_into_an_action(pro_client, rights_path, commits):
    with commits():
        pro_client.post(url("pro", rights_path), FORM)
    check = RightsCheck.objects.get()
    code = check.flags[0]["code"]
    response = pro_client.post(url("pro_flag_action", rights_path, check_id=check.pk, code=code))
    assert response.status_code == 302
    ra = RightsAction.objects.get()
    assert ra.code == code and ra.action.path == rights_path
    html = pro_client.get(url("pro", rights_path)).content.decode()
    assert "Action du parcours : Demander" in html


def test_other_organisation_and_path_only_consent_get_404(client, outsider, rights_path, org,
                                                          referent, engine):
    client.force_login(outsider.user)
    for name in ("pro", "pro_result"):
        assert client.get(url(name, rights_path)).status_code == 404
    assert client.post(url("pro_estimate", rights_path)).status_code == 404
    # A person who opened only their path (not their rights) to the organisation.
    person = PersonFactory()
    ConsentFactory(person=person, organisation=org, scope=ConsentScope.PATH)
    path = PathFactory(person=person, organisation=org)
    client.force_login(referent.user)
    assert client.get(url("pro", path)).status_code == 404


def test_person_sees_their_rights_in_plain_words(client, rights_path, commits):
    pro_actor_path = rights_path
    from passeport.core.actor import Actor

    referent = pro_actor_path.referent
    with commits():
        services.situation_save(actor=Actor(user=referent.user, membership=referent),
                                person=rights_path.person, path=rights_path,
                                data={"housing_status": "tenant", "rent": "450",
                                      "couple": "no", "incomes_complete": "yes",
                                      "received": []})
    client.force_login(rights_path.person.user)
    html = client.get(reverse("rights:me")).content.decode()
    assert "Vous ne recevez pas encore ces aides" in html
    assert "pas une décision" in html
    assert "Je reçois déjà : RSA" in html
    # On a phone: one box per aid, no wide table.
    boxes = html[html.index('id="montants"'):]
    boxes = boxes[:boxes.index("</ul>")]
    assert "Prime d&#x27;activité" in boxes or "Prime d'activité" in boxes
    assert "Vous ne la recevez pas." in boxes
    assert "<table" not in html[html.index('id="resultat-titre"'):html.index('id="montants"') + 2000]
    with commits():
        response = client.post(reverse("rights:me_received"), {"code": "rsa", "received": "1"})
    assert response.status_code == 302
    check = RightsCheck.objects.filter(person=rights_path.person).latest("requested_at")
    assert "rsa" not in check.flagged_codes and "rsa" in check.received


def test_person_page_needs_a_person(pro_client):
    assert pro_client.get(reverse("rights:me")).status_code == 404


def test_screening_pages_rank_likely_non_take_up(pro_client, org, actor, engine, commits):
    homeless = []
    for i in range(3):
        person = PersonFactory(last_name=f"Personne{i}")
        ConsentFactory(person=person, organisation=org, scope=ConsentScope.RIGHTS)
        homeless.append(PathFactory(person=person, organisation=org,
                                    housing_status="homeless" if i else "owner",
                                    benefits=["rsa", "css"] if i == 0 else []))
        # Single, no resources: every right is computable from the data given.
        HouseholdSituation.objects.create(path=homeless[-1], couple="no", incomes_complete="yes")
    with commits():
        response = pro_client.post(reverse("rights:screenings"), {"month": "2025-06"})
    assert response.status_code == 302
    html = pro_client.get(response["Location"]).content.decode()
    assert "3 personnes estimées" in html
    assert html.count('/droits/">') == 2  # the one who receives RSA and CSS is not listed
    assert "Personne1" in html and "Personne0" not in html


@pytest.mark.parametrize("month", ["1999-01", "2100-01"])
def test_estimate_month_out_of_range_is_refused(pro_client, rights_path, month):
    response = pro_client.post(url("pro_estimate", rights_path), {"month": month})
    assert response.status_code == 400
    assert "Choisissez un mois entre" in response.content.decode()
    assert not RightsCheck.objects.exists()


def test_estimate_of_another_month(pro_client, rights_path, commits):
    with commits():
        response = pro_client.post(url("pro_estimate", rights_path), {"month": "2025-06"})
    assert response.status_code == 302
    assert RightsCheck.objects.get().month == date(2025, 6, 1)
