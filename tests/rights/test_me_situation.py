"""« Ma situation »: the person gives or corrects their household, housing and resources;
their answers are marked as theirs, audited, shown to the référent, and the estimate is
computed again. Bad input gives a French error and stores nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from passeport.core.actor import Actor
from passeport.core.errors import NotFound
from passeport.core.models import AuditEvent
from passeport.rights import services
from passeport.rights.enums import CheckSource
from passeport.rights.models import HouseholdSituation, IncomeLine, RightsCheck
from tests.factories import PathFactory, PersonFactory, UserFactory

HOUSEHOLD = {"couple": "yes", "partner_birth_date": "1986-02-01",
             "enfants-TOTAL_FORMS": "2", "enfants-INITIAL_FORMS": "0",
             "enfants-0-first_name": "Lena", "enfants-0-birth_date": "2017-09-01",
             "enfants-1-first_name": "", "enfants-1-birth_date": ""}
HOUSING = {"housing_status": "tenant", "rent": "520", "commune": "Brest"}
RESOURCES = {"self_salary": "900", "partner_unemployment": "650", "self_af": "",
             "complete": "yes"}


@pytest.fixture
def me(client, rights_path):
    client.force_login(rights_path.person.user)
    return client


def url(name: str) -> str:
    return reverse(f"rights:{name}")


def test_the_person_completes_their_situation_step_by_step(me, rights_path, commits):
    response = me.get(url("me_household") + "?suite=1")
    assert response.status_code == 200
    assert "Étape 1 sur 3" in response.content.decode()
    with commits():
        response = me.post(url("me_household"), {**HOUSEHOLD, "suite": "1"})
    assert response.status_code == 302 and response["Location"].endswith("/logement/?suite=1")
    with commits():
        response = me.post(url("me_housing"), {**HOUSING, "suite": "1"})
    assert response["Location"].endswith("/ressources/?suite=1")
    page = me.get(url("me_resources")).content.decode()
    assert "Les ressources de votre conjoint ou conjointe" in page  # a couple: both asked
    with commits():
        response = me.post(url("me_resources"), {**RESOURCES, "suite": "1"})
    assert response["Location"].endswith("/mon-passeport/droits/#resultat")

    s = HouseholdSituation.objects.get(path=rights_path)
    assert (s.couple, s.housing_status, s.rent, s.commune_insee, s.incomes_complete) == (
        "yes", "tenant", 520, "29019", "yes")
    assert [(m.role, m.first_name, m.birth_date) for m in s.members.all()] == [
        ("partner", "", date(1986, 2, 1)), ("child", "Lena", date(2017, 9, 1))]
    lines = {(line.member.role if line.member else "self", line.kind): line.monthly_amount
             for line in s.incomes.all()}
    assert lines == {("self", "salary"): 900, ("partner", "unemployment"): 650}
    # Marked as declared by the person, with the date.
    for section in ("household", "housing", "incomes"):
        assert s.provenance[section]["source"] == "person"
        assert s.provenance[section]["at"][:10] == timezone.now().isoformat()[:10]
    # Audited (the person acts on their own passport: no consent).
    events = AuditEvent.objects.filter(person_uid=rights_path.person.public_id,
                                       object_type="household_situation")
    assert events.count() == 3
    assert all(e.consent_id is None and e.detail["source"] == "person" for e in events)
    # The estimate is computed again with what the person said.
    check = RightsCheck.objects.filter(person=rights_path.person).latest("requested_at")
    assert check.source == CheckSource.PERSON and check.status == "done"
    assert check.input_snapshot["housing"] == {"status": "tenant", "rent": 520.0,
                                               "commune": "29019"}
    html = me.get(url("me")).content.decode()
    assert "Montants estimés par mois" in html


def test_the_summary_says_what_is_known_and_who_said_it(me, rights_path, actor, commits):
    with commits():
        services.situation_save(actor=actor, person=rights_path.person, path=rights_path,
                                data={"housing_status": "tenant", "rent": "450"},
                                request_estimate=False)
        me.post(url("me_household"), HOUSEHOLD)
    html = me.get(url("me_situation")).content.decode()
    assert "Vous vivez en couple." in html
    assert "Lena, " in html and " ans" in html
    assert "Loyer : 450,00 € par mois." in html or "Loyer : 450.00 € par mois." in html
    household = html[html.index('id="situation-foyer"'):html.index('id="situation-logement"')]
    housing = html[html.index('id="situation-logement"'):html.index('id="situation-ressources"')]
    assert "Indiqué par vous le" in household
    assert "Indiqué par Rozenn Le Bihan le" in housing


def test_the_referent_sees_what_the_person_declared(me, referent, rights_path, commits):
    with commits():
        me.post(url("me_housing"), HOUSING)
    me.force_login(referent.user)  # the same test client, now the référent's
    page = me.get(reverse("rights:pro", kwargs={"public_id": rights_path.person.public_id}))
    html = page.content.decode()
    origin = html[html.index('id="origine-situation"'):]
    origin = origin[:origin.index("</ul>")]
    assert "Le logement" in origin and "déclaré par la personne" in origin
    assert 'value="520' in html  # the form shows the person's rent


def test_a_referent_save_keeps_the_person_as_the_source_of_what_did_not_change(
        me, actor, rights_path, commits):
    with commits():
        me.post(url("me_housing"), HOUSING)
    data = {"housing_status": "tenant", "rent": "520", "commune_insee": "29019",
            "couple": "no", "received": []}
    with commits():
        services.situation_save(actor=actor, person=rights_path.person, path=rights_path,
                                data=data, request_estimate=False)
    s = HouseholdSituation.objects.get(path=rights_path)
    assert s.provenance["housing"]["source"] == "person"  # unchanged by the référent
    assert s.provenance["household"]["source"] == "professional"
    assert s.provenance["household"]["by"] == "Rozenn Le Bihan"


@pytest.mark.parametrize(("step", "data", "field_error"), [
    ("me_household", {**HOUSEHOLD, "couple": ""}, "Répondez oui ou non."),
    ("me_household", {**HOUSEHOLD, "partner_birth_date": ""},
     "Indiquez la date de naissance de votre conjoint ou conjointe."),
    ("me_household", {**HOUSEHOLD, "enfants-0-birth_date": ""},
     "Indiquez la date de naissance de cet enfant."),
    ("me_household", {**HOUSEHOLD, "enfants-0-birth_date": "2999-01-01"},
     "La date de naissance est dans le futur."),
    ("me_housing", {**HOUSING, "housing_status": "hosted"}, "vous ne louez pas votre logement"),
    ("me_housing", {**HOUSING, "commune": "Zzyzx-sur-Mer"}, "Nous ne trouvons pas cette commune"),
    ("me_housing", {**HOUSING, "rent": "beaucoup"}, "Écrivez un montant en euros"),
    ("me_resources", {**RESOURCES, "self_salary": "-20"}, "Le montant ne peut pas être négatif."),
    ("me_resources", {**RESOURCES, "complete": ""}, "Choisissez une réponse."),
])
def test_bad_input_gives_a_french_error_next_to_the_field_and_stores_nothing(
        me, rights_path, commits, step, data, field_error):
    with commits():
        response = me.post(url(step), data)
    html = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 400
    assert field_error in html
    assert "Rien n'est enregistré pour le moment." in html
    assert "fr-message--error" in html or "fr-error-text" in html  # next to the field
    assert not HouseholdSituation.objects.filter(path=rights_path).exists()
    assert not RightsCheck.objects.exists()
    assert not AuditEvent.objects.filter(object_type="household_situation").exists()


def test_every_birth_date_in_error_shows_at_once(me, rights_path):
    response = me.post(url("me_household"), {
        **HOUSEHOLD, "partner_birth_date": "2999-01-01", "enfants-0-birth_date": "2998-01-01",
        "enfants-1-first_name": "Youn", "enfants-1-birth_date": "1850-01-01"})
    html = response.content.decode()
    assert response.status_code == 400
    assert html.count("La date de naissance est dans le futur.") >= 2  # the partner and Lena
    assert "La date de naissance est trop ancienne." in html  # Youn
    assert not HouseholdSituation.objects.filter(path=rights_path).exists()


def test_adding_a_child_row_saves_nothing(me, rights_path):
    response = me.post(url("me_household"), {**HOUSEHOLD, "ajouter": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enfant 3" in html and 'value="Lena"' in html
    assert not HouseholdSituation.objects.exists()


def test_resources_the_person_confirms_keep_the_referents_details(me, actor, rights_path,
                                                                  commits):
    start = (timezone.localdate().replace(day=1) - timedelta(days=200)).replace(day=1)
    data = {"couple": "no", "incomes": [
        {"kind": "salary", "monthly_amount": "700", "start_month": start.isoformat()[:7],
         "hours_per_week": 20},
        {"kind": "unemployment", "monthly_amount": "400", "start_month": "2024-01",
         "end_month": "2024-06"}]}
    with commits():
        services.situation_save(actor=actor, person=rights_path.person, path=rights_path,
                                data=data, request_estimate=False)
    page = me.get(url("me_resources")).content.decode()
    assert 'value="700' in page  # what they receive now is prefilled
    with commits():
        me.post(url("me_resources"), {"self_salary": "700", "self_rsa": "120",
                                      "complete": "yes"})
    lines = list(IncomeLine.objects.order_by("kind", "start_month"))
    kinds = [(line.kind, line.monthly_amount, line.start_month, line.hours_per_week)
             for line in lines]
    assert ("salary", 700, start, 20) in kinds  # confirmed: kept with its months and hours
    assert ("unemployment", 400, date(2024, 1, 1), None) in kinds  # past: kept
    assert ("rsa", 120, None, None) in kinds
    with commits():
        me.post(url("me_resources"), {"self_salary": "950", "complete": "yes"})
    salary = IncomeLine.objects.get(kind="salary")
    assert (salary.monthly_amount, salary.start_month, salary.end_month) == (950, None, None)
    assert not IncomeLine.objects.filter(kind="rsa").exists()  # emptied: nothing now


def test_only_the_person_declares_and_a_professional_has_no_such_page(pro_client, actor,
                                                                       rights_path):
    with pytest.raises(NotFound):
        services.situation_declare(actor=actor, person=rights_path.person,
                                   data={"housing_status": "owner"})
    for name in ("me_situation", "me_household", "me_housing", "me_resources"):
        assert pro_client.get(url(name)).status_code == 404
    assert not HouseholdSituation.objects.exists()


def test_another_person_sees_and_changes_only_their_own_situation(client, me, rights_path,
                                                                  org, commits):
    with commits():
        me.post(url("me_housing"), HOUSING)
    other = PersonFactory(user=UserFactory(email="other@example.org"))
    PathFactory(person=other, organisation=org)
    client.force_login(other.user)
    html = client.get(url("me_situation")).content.decode()
    assert "520" not in html and "Pas encore indiqué." in html
    with commits():
        client.post(url("me_housing"), {"housing_status": "owner", "commune": ""})
    mine = HouseholdSituation.objects.get(path=rights_path)
    assert (mine.housing_status, mine.rent) == ("tenant", 520)


def test_other_organisation_cannot_read_what_the_person_declared(client, outsider, me,
                                                                 rights_path, commits):
    with commits():
        me.post(url("me_housing"), HOUSING)
    client.force_login(outsider.user)
    page = client.get(reverse("rights:pro", kwargs={"public_id": rights_path.person.public_id}))
    assert page.status_code == 404


def test_unknown_information_is_refused(rights_path):
    me = Actor(user=rights_path.person.user)
    with pytest.raises(Exception) as err:
        services.situation_declare(actor=me, person=rights_path.person,
                                   data={"received": ["rsa"]})
    assert getattr(err.value, "code", "") == "invalid_field"
    assert not HouseholdSituation.objects.exists()


def test_the_person_says_whether_they_study_and_their_disability_rate(me, rights_path, commits):
    """The screening asked for these and only the référent could give them (review
    finding): the household step asks them in plain words; left empty, nothing changes."""
    page = me.get(url("me_household")).content.decode()
    assert "Faites-vous des études ?" in page and "Avez-vous un handicap reconnu par la MDPH ?" in page
    with commits():
        me.post(url("me_household"), {**HOUSEHOLD, "student": "no", "disability_rate": "80"})
    s = HouseholdSituation.objects.get(path=rights_path)
    assert (s.student, s.disability_rate) == ("no", "80")
    check = RightsCheck.objects.filter(person=rights_path.person).order_by("-pk").first()
    assert check is not None and not {"student", "disability"} & set(check.missing)
    with commits():
        me.post(url("me_household"), {**HOUSEHOLD})  # not answered this time: kept
    s.refresh_from_db()
    assert (s.student, s.disability_rate) == ("no", "80")


def test_a_huge_amount_is_refused_with_one_message(me, rights_path):
    page = me.post(url("me_resources"), {**RESOURCES, "self_salary": "123456789012"}).content.decode()
    assert page.count("Ce montant paraît trop élevé : vérifiez-le.") == 1
    assert not IncomeLine.objects.filter(situation__path=rights_path).exists()
