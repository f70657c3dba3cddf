import pytest
from django.urls import reverse

from passeport.core.models import AuditEvent
from passeport.paths.models import Path
from passeport.people.enums import ConsentMethod, ConsentScope
from passeport.people.models import Consent, Person
from tests.factories import ConsentFactory, MembershipFactory, PathFactory, PersonFactory

URL = reverse("pro:person_create")
VALID_NIR = "2 90 05 29 019 123 11"


def form_data(**overrides):
    data = {
        "first_name": "Maëlys", "last_name": "Le Goff", "birth_name": "", "birth_date": "1994-03-08",
        "birth_place": "Quimper", "gender": "f", "email": "maelys@example.org",
        "phone": "06 12 34 56 78", "address": "3 rue de Siam", "postal_code": "29200",
        "commune_name": "Brest", "commune_insee": "29019", "nir": "",
        "scopes": [ConsentScope.PATH, ConsentScope.RIGHTS], "method": ConsentMethod.WRITTEN,
        "purpose": "", "agreed": "on",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_form_shows_identity_consent_and_referent(pro_client, referent):
    html = pro_client.get(URL).content.decode()
    for label in ("Prénom", "Nom d&#x27;usage", "Date de naissance", "Numéro de sécurité sociale",
                  "Comment l&#x27;accord a été recueilli", "La personne est d&#x27;accord",
                  "Référent de parcours", "Créer le passeport"):
        assert label in html, label
    # The référent is me by default; the "in-app" method is only for the person.
    assert f'<option value="{referent.pk}" selected>' in html
    assert "Donné par la personne dans son espace" not in html


@pytest.mark.django_db
def test_create_person_records_consent_and_opens_the_path(pro_client, org, referent):
    response = pro_client.post(URL, form_data(
        nir=VALID_NIR, referent=referent.pk, purpose="Accompagnement vers l'emploi"))
    person = Person.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("pro:passport", args=[person.public_id])
    assert person.first_name == "Maëlys" and person.commune_insee == "29019"
    assert person.nir == "290052901912311"
    consents = Consent.objects.filter(person=person, organisation=org)
    assert sorted(consents.values_list("scope", flat=True)) == ["path", "rights"]
    assert {c.method for c in consents} == {ConsentMethod.WRITTEN}
    assert consents.first().purpose == "Accompagnement vers l'emploi"
    path = Path.objects.get(person=person)
    assert path.referent == referent and path.organisation == org
    page = pro_client.get(response["Location"]).content.decode()
    assert "Le passeport de Maëlys Le Goff est créé." in page


@pytest.mark.django_db
def test_referent_may_be_a_colleague(pro_client, org):
    colleague = MembershipFactory(organisation=org)
    pro_client.post(URL, form_data(referent=colleague.pk))
    assert Path.objects.get().referent == colleague


@pytest.mark.parametrize("overrides, field, message", [
    ({"nir": "2 90 05 29 019 123 99"}, "nir", "n&#x27;est pas valide"),
    ({"agreed": ""}, "agreed", "sans l&#x27;accord de la personne"),
    ({"method": ""}, "method", "Indiquez comment la personne a donné son accord"),
    ({"birth_date": "2999-01-01"}, "birth_date", "dans le futur"),
    ({"first_name": ""}, "first_name", "Ce champ est obligatoire"),
    ({"commune_insee": "123"}, "commune_insee", "5 caractères"),
    ({"postal_code": "2920"}, "postal_code", "5 chiffres"),
    ({"scopes": [ConsentScope.RIGHTS]}, "scopes", "Mon parcours"),
])
@pytest.mark.django_db
def test_bad_input_shows_error_next_to_field_keeps_data_saves_nothing(
        pro_client, referent, overrides, field, message):
    response = pro_client.post(URL, form_data(referent=referent.pk, **overrides))
    assert response.status_code == 200
    html = response.content.decode()
    form = response.context["form"]
    assert field in form.errors
    # The message sits in the field's error block, which the field points to.
    assert f'id="id_{field}-desc-error"' in html and message in html
    # What was typed is kept.
    assert 'value="Quimper"' in html and 'value="06 12 34 56 78"' in html
    assert Person.objects.count() == 0 and Consent.objects.count() == 0
    assert Path.objects.count() == 0


@pytest.mark.django_db
def test_duplicate_warning_keeps_data_and_shows_minimal_candidates(pro_client, org, other_org,
                                                                     referent):
    elsewhere = PersonFactory(first_name="Maelys", last_name="LE GOFF", commune_name="Morlaix",
                              birth_date="1994-03-08", email="secret@example.org",
                              phone="0799999999")
    ConsentFactory(person=elsewhere, organisation=other_org)
    response = pro_client.post(URL, form_data(referent=referent.pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Cette personne a peut-être déjà un passeport" in html
    assert "Maelys LE GOFF" in html and "8 mars 1994" in html and "Morlaix" in html
    assert "même date de naissance et nom proche" in html
    # Minimal data only: no contact details of the candidate.
    assert "secret@example.org" not in html and "0799999999" not in html
    assert "C'est cette personne : enregistrer son accord et ouvrir son passeport" in html
    assert "Ce n'est pas la même personne, créer le passeport" in html
    assert "Ouvrir ce passeport" not in html
    assert 'value="Quimper"' in html and 'value="maelys@example.org"' in html
    assert Person.objects.count() == 1 and Path.objects.count() == 0
    assert not Consent.objects.filter(organisation=org).exists()
    # Showing the candidate is recorded in its access log.
    assert AuditEvent.objects.filter(person_uid=elsewhere.public_id,
                                     object_type="duplicate_candidate").exists()


@pytest.mark.django_db
def test_duplicate_it_is_this_person_records_consent_and_opens_path(pro_client, org, other_org,
                                                                     referent):
    elsewhere = PersonFactory(first_name="Maelys", last_name="LE GOFF", birth_date="1994-03-08")
    ConsentFactory(person=elsewhere, organisation=other_org)
    response = pro_client.post(URL, form_data(referent=referent.pk, method=ConsentMethod.ORAL,
                                              existant=elsewhere.public_id))
    assert response.status_code == 302
    assert response["Location"] == reverse("pro:passport", args=[elsewhere.public_id])
    assert Person.objects.count() == 1
    consents = Consent.objects.filter(person=elsewhere, organisation=org)
    assert sorted(consents.values_list("scope", flat=True)) == ["path", "rights"]
    assert {c.method for c in consents} == {ConsentMethod.ORAL}
    path = Path.objects.get(person=elsewhere)
    assert path.referent == referent
    assert pro_client.get(response["Location"]).status_code == 200


@pytest.mark.django_db
def test_duplicate_it_is_this_person_joins_the_open_path_of_another_organisation(
        pro_client, org, other_org, referent, outsider):
    elsewhere = PersonFactory(first_name="Maelys", last_name="Le Goff", birth_date="1994-03-08")
    ConsentFactory(person=elsewhere, organisation=other_org)
    their_path = PathFactory(person=elsewhere, organisation=other_org, referent=outsider)
    pro_client.post(URL, form_data(referent=referent.pk, existant=elsewhere.public_id))
    assert list(Path.objects.filter(person=elsewhere)) == [their_path]
    their_path.refresh_from_db()
    assert their_path.referent == outsider  # the path goes on, with its référent
    html = pro_client.get(reverse("pro:passport", args=[elsewhere.public_id])).content.decode()
    assert "PLIE de Cornouaille" in html and "Mission locale du Pays de Brest" in html


@pytest.mark.django_db
def test_it_is_this_person_only_for_a_real_candidate(pro_client, org, other_org, referent):
    stranger = PersonFactory(first_name="Jean", last_name="Autre", birth_date="1960-01-01")
    ConsentFactory(person=stranger, organisation=other_org)
    response = pro_client.post(URL, form_data(referent=referent.pk, existant=stranger.public_id))
    assert response.status_code == 200
    assert not Consent.objects.filter(person=stranger, organisation=org).exists()
    assert not Path.objects.exists()


@pytest.mark.django_db
def test_duplicate_not_the_same_person_creates_the_passport(pro_client, other_org, referent):
    elsewhere = PersonFactory(first_name="Maelys", last_name="Le Goff", birth_date="1994-03-08")
    ConsentFactory(person=elsewhere, organisation=other_org)
    response = pro_client.post(URL, form_data(referent=referent.pk, creer_quand_meme="1"))
    assert response.status_code == 302
    created = Person.objects.exclude(pk=elsewhere.pk).get()
    assert created.first_name == "Maëlys"
    assert Path.objects.get(person=created).referent == referent
    assert not Path.objects.filter(person=elsewhere).exists()


@pytest.mark.django_db
def test_duplicate_by_nir_cannot_be_forced(pro_client, other_org, referent):
    elsewhere = PersonFactory(first_name="Anne", last_name="Martin", birth_date="1980-01-01")
    elsewhere.set_nir(VALID_NIR)
    elsewhere.save()
    ConsentFactory(person=elsewhere, organisation=other_org)
    response = pro_client.post(URL, form_data(referent=referent.pk, nir=VALID_NIR))
    assert "même numéro de sécurité sociale" in response.content.decode()
    response = pro_client.post(URL, form_data(referent=referent.pk, nir=VALID_NIR,
                                              creer_quand_meme="1"))
    assert response.status_code == 200
    assert "nir" in response.context["form"].errors
    assert Person.objects.count() == 1


@pytest.mark.django_db
def test_candidate_already_followed_offers_to_open_the_passport(pro_client, referent,
                                                                 followed_path):
    person = followed_path.person  # Élodie Kerouac, 17/05/1990, followed by my organisation
    response = pro_client.post(URL, form_data(first_name="Elodie", last_name="KEROUAC",
                                              birth_date="1990-05-17", referent=referent.pk))
    html = response.content.decode()
    assert "Ouvrir ce passeport" in html
    assert reverse("pro:passport", args=[person.public_id]) in html
    assert "C'est cette personne" not in html
    assert Person.objects.count() == 1


@pytest.mark.django_db
def test_person_enrol_saves_nothing_when_opening_the_path_fails(actor, org):
    """person_create then path_open in one transaction: if the path cannot be opened
    (here: an inactive référent), the person and the consent are not kept either."""
    from passeport.core.errors import PasseportError
    from passeport.paths.services import person_enrol

    gone = MembershipFactory(organisation=org, is_active=False)
    with pytest.raises(PasseportError) as exc:
        person_enrol(actor=actor, data={"first_name": "Anne", "last_name": "Martin",
                                        "birth_date": "1990-05-17"}, referent=gone)
    assert exc.value.field == "referent"
    assert Person.objects.count() == 0 and Consent.objects.count() == 0
    assert Path.objects.count() == 0


@pytest.mark.django_db
def test_page_size_setting(pro_client, org, referent, settings):
    settings.PASSEPORT_PAGE_SIZE = 2
    for name in ("Abadie", "Bernard", "Cariou"):
        person = PersonFactory(last_name=name)
        ConsentFactory(person=person, organisation=org)
        PathFactory(person=person, organisation=org, referent=referent)
    page = pro_client.get(reverse("pro:caseload")).context["page"]
    assert page.paginator.per_page == 2 and page.paginator.num_pages == 2
