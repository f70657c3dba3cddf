"""The directory's pages: search, the services for a person's freins, orienting a person,
the partner's inbox and answers, the person's page, the organisation's own offer, import
and export. Another organisation gets 404 on every orientation URL."""

from __future__ import annotations

import json

import pytest
from data_inclusion.schema.v1 import Service as DiService
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from passeport.core.enums import Role
from passeport.directory.enums import OrientationStatus
from passeport.directory.models import Orientation, Service, Structure
from passeport.paths.models import DiagnosticEntry
from passeport.people.enums import ConsentScope
from passeport.people.models import Consent

from ..factories import MembershipFactory, UserFactory
from .helpers import di_service, di_structure, make_service


@pytest.fixture
def person(followed_path):
    return followed_path.person


@pytest.fixture
def freins(followed_path):
    """Mobility is a blocking frein; housing a light one; health no more a frein."""
    for theme, severity in (("mobilite", 3), ("logement-hebergement", 1), ("sante", 0)):
        DiagnosticEntry.objects.create(path=followed_path, theme=theme, severity=severity)
    return followed_path


def logged_in(user) -> Client:
    """A client of its own (the `client` fixture is the référent's in most tests)."""
    other = Client()
    other.force_login(user)
    return other


@pytest.fixture
def partner_client(partner):
    return logged_in(partner.user)


def orient_url(person, service):
    return reverse("directory:orientation_create", args=[person.public_id, service.pk])


def post_orientation(client, person, service, **over):
    data = {"message": "Pas de voiture, un emploi à Landerneau.", "scopes": ["path"],
            "consent_method": "oral", "person_agreed": "on"}
    data.update(over)
    return client.post(orient_url(person, service), data)


# --- search ---------------------------------------------------------------------------

def test_search_by_need_and_commune(pro_client, partner_service):
    far = make_service(partner_service.structure, nom="Garage solidaire de Rennes",
                       thematiques=["mobilite--acceder-a-un-vehicule"], code_insee="35238")
    response = pro_client.get(reverse("directory:search"), {
        "thematique": "mobilite", "commune": "29200", "radius_km": "30"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Location de voitures à 2 € par jour" in html and far.nom not in html
    assert "1 service trouvé" in html and "à moins de 30 km de Brest" in html
    assert "à 18,6 km" in html  # Landerneau


def test_search_results_as_an_htmx_fragment(pro_client, partner_service):
    response = pro_client.get(reverse("directory:search"), {"q": "voiture"},
                              HTTP_HX_REQUEST="true", HTTP_HX_TARGET="resultats")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="resultats"') and "<h1>" not in html
    assert "Location de voitures" in html


def test_unknown_commune_is_shown_next_to_the_field(pro_client):
    response = pro_client.get(reverse("directory:search"), {"commune": "Zzyzx"})
    html = response.content.decode()
    assert "Commune introuvable" in html and 'id="id_commune-desc-error"' in html
    assert 'value="Zzyzx"' in html


def test_commune_suggestions(pro_client):
    html = pro_client.get(reverse("directory:commune_suggestions"), {"commune": "quimp"}
                          ).content.decode()
    assert '<option value="Quimper (29000)">' in html and "Quimperlé" in html


def test_service_page(pro_client, partner_service, person):
    html = pro_client.get(reverse("directory:service_detail", args=[partner_service.pk]),
                          {"personne": person.public_id}).content.decode()
    assert "<h1>Location de voitures à 2 € par jour</h1>" in html
    assert orient_url(person, partner_service) in html


# --- from the passport: services for the freins -----------------------------------------

def test_the_freins_of_the_diagnostic_propose_services_near_the_person(pro_client, freins,
                                                                         partner_service):
    person = freins.person  # lives in Brest (29019)
    housing = make_service(partner_service.structure, nom="Permanence logement",
                           thematiques=["logement-hebergement--louer-un-logement"],
                           code_insee="29019")
    make_service(partner_service.structure, nom="Maison de santé", thematiques=[
        "sante--acces-aux-soins"], code_insee="29019")
    response = pro_client.get(reverse("directory:person_services", args=[person.public_id]))
    html = response.content.decode()
    assert response.status_code == 200
    # The most severe frein first, with the services that answer it.
    assert html.index("frein-mobilite-titre") < html.index("frein-logement-hebergement-titre")
    assert "Location de voitures à 2 € par jour" in html and housing.nom in html
    assert "Maison de santé" not in html  # not a frein any more
    assert orient_url(person, partner_service) in html
    assert "Orienter vers ce service" in html
    # Further away: nothing within 5 km for mobility (the car is 20 km away).
    html = pro_client.get(reverse("directory:person_services", args=[person.public_id]),
                          {"radius_km": "5"}).content.decode()
    assert "Location de voitures" not in html and "Aucun service à moins de 5 km." in html


def test_freins_page_is_404_for_another_organisation(client, outsider, freins):
    client.force_login(outsider.user)
    url = reverse("directory:person_services", args=[freins.person.public_id])
    assert client.get(url).status_code == 404


# --- orienting --------------------------------------------------------------------------

def test_orient_a_person_from_a_service(pro_client, person, partner_service, partner_org,
                                        mailoutbox, django_capture_on_commit_callbacks):
    page = pro_client.get(orient_url(person, partner_service))
    assert "Garage solidaire de Quimper" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = post_orientation(pro_client, person, partner_service)

    orientation = Orientation.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("directory:orientation_detail", args=[orientation.pk])
    assert orientation.status == OrientationStatus.SENT and orientation.shared_scopes == ["path"]
    assert Consent.objects.active().filter(person=person, organisation=partner_org,
                                           scope="path").exists()
    assert len(mailoutbox) == 1
    detail = pro_client.get(response.url).content.decode()
    assert "Envoyée, en attente de réponse" in detail and "Annuler l&#x27;orientation" in detail


def test_orientation_without_the_persons_agreement_shows_what_to_fix(pro_client, person,
                                                                      partner_service):
    response = post_orientation(pro_client, person, partner_service, person_agreed="",
                                message="Pour une voiture")
    html = response.content.decode()
    assert response.status_code == 200
    assert "sans son accord, pas d&#x27;orientation" in html
    assert 'id="id_person_agreed-desc-error"' in html or "person_agreed" in html
    assert "Pour une voiture" in html  # what was typed is kept
    assert Orientation.objects.count() == 0 and not Consent.objects.filter(
        organisation=partner_service.structure.organisation).exists()


def test_partner_inbox_accept(partner_client, pro_client, person, partner_service, referent,
                              mailoutbox, django_capture_on_commit_callbacks):
    post_orientation(pro_client, person, partner_service)
    orientation = Orientation.objects.get()

    inbox = partner_client.get(reverse("directory:orientations")).content.decode()
    assert "Élodie Kerouac → Location de voitures à 2 € par jour" in inbox
    assert "1 à traiter" in inbox
    detail = partner_client.get(reverse("directory:orientation_detail", args=[orientation.pk]))
    html = detail.content.decode()
    assert "Pas de voiture, un emploi à Landerneau." in html
    assert "Voir son parcours" in html  # the path was shared
    assert "Accepter l&#x27;orientation" in html and "Refuser l&#x27;orientation" in html

    with django_capture_on_commit_callbacks(execute=True):
        response = partner_client.post(
            reverse("directory:orientation_accept", args=[orientation.pk]),
            {"accepter-comment": "Rendez-vous lundi à 10 h."})
    assert response.status_code == 302
    orientation.refresh_from_db()
    assert orientation.status == OrientationStatus.ACCEPTED
    assert mailoutbox[-1].to == [referent.user.email]
    sent = pro_client.get(reverse("directory:orientations"), {"boite": "envoyees"}).content.decode()
    assert "Acceptée" in sent


def test_refuse_needs_a_reason_then_an_illegal_transition_is_refused(partner_client, pro_client,
                                                                      person, partner_service):
    post_orientation(pro_client, person, partner_service)
    orientation = Orientation.objects.get()
    url = reverse("directory:orientation_refuse", args=[orientation.pk])

    response = partner_client.post(url, {"refuser-reason": "other", "refuser-comment": ""})
    assert response.status_code == 200
    assert "Précisez la raison du refus" in response.content.decode()
    orientation.refresh_from_db()
    assert orientation.status == OrientationStatus.SENT

    partner_client.post(url, {"refuser-reason": "no_capacity"})
    orientation.refresh_from_db()
    assert (orientation.status, orientation.refusal_reason) == ("refused", "no_capacity")

    again = partner_client.post(reverse("directory:orientation_accept", args=[orientation.pk]),
                                {}, follow=True)
    assert "elle ne peut pas être « acceptée par le partenaire »" in again.content.decode()
    orientation.refresh_from_db()
    assert orientation.status == OrientationStatus.REFUSED


def test_ask_for_information_and_answer(partner_client, pro_client, person, partner_service):
    post_orientation(pro_client, person, partner_service)
    orientation = Orientation.objects.get()
    partner_client.post(reverse("directory:orientation_request_info", args=[orientation.pk]),
                        {"demander-complement-message": "A-t-elle le permis ?"})
    html = pro_client.get(reverse("directory:orientation_detail", args=[orientation.pk])
                          ).content.decode()
    assert "A-t-elle le permis ?" in html and "Envoyer le complément" in html
    pro_client.post(reverse("directory:orientation_provide_info", args=[orientation.pk]),
                    {"completer-message": "Oui."})
    orientation.refresh_from_db()
    assert orientation.status == OrientationStatus.SENT


def test_the_partner_sees_only_the_shared_scopes(partner_client, pro_client, person,
                                                 partner_service):
    post_orientation(pro_client, person, partner_service, scopes=["rights"])
    orientation = Orientation.objects.get()
    html = partner_client.get(reverse("directory:orientation_detail", args=[orientation.pk])
                              ).content.decode()
    assert str(ConsentScope.RIGHTS.label) in html and "Voir son parcours" not in html
    assert partner_client.get(reverse("pro:passport", args=[person.public_id])).status_code == 404


@pytest.mark.parametrize("method,name,data", [
    ("get", "directory:orientation_detail", None),
    ("post", "directory:orientation_accept", {}),
    ("post", "directory:orientation_refuse", {"refuser-reason": "no_capacity"}),
    ("post", "directory:orientation_request_info", {"demander-complement-message": "?"}),
    ("post", "directory:orientation_provide_info", {"completer-message": "!"}),
    ("post", "directory:orientation_cancel", {}),
])
def test_another_organisation_gets_404_on_every_orientation_url(client, pro_client, outsider,
                                                                 person, partner_service, method,
                                                                 name, data):
    post_orientation(pro_client, person, partner_service)
    orientation = Orientation.objects.get()
    client.force_login(outsider.user)
    response = getattr(client, method)(reverse(name, args=[orientation.pk]), data or {})
    assert response.status_code == 404
    orientation.refresh_from_db()
    assert orientation.status == OrientationStatus.SENT


def test_another_organisation_gets_404_on_a_persons_orientation_pages(client, outsider, person,
                                                                      partner_service):
    client.force_login(outsider.user)
    for url in (reverse("directory:person_orientations", args=[person.public_id]),
                orient_url(person, partner_service)):
        assert client.get(url).status_code == 404
    assert post_orientation(client, person, partner_service).status_code == 404
    assert Orientation.objects.count() == 0


def test_person_orientations_from_the_passport(pro_client, person, partner_service):
    post_orientation(pro_client, person, partner_service)
    html = pro_client.get(reverse("directory:person_orientations", args=[person.public_id])
                          ).content.decode()
    assert "Location de voitures à 2 € par jour" in html and "Garage solidaire de Quimper" in html


# --- the person's page ----------------------------------------------------------------------

def test_the_person_sees_where_they_were_oriented_and_the_answer(pro_client, partner_client,
                                                                  person, partner_service):
    post_orientation(pro_client, person, partner_service)
    orientation = Orientation.objects.get()
    person.user = UserFactory(email="elodie@example.org")
    person.save()
    client = logged_in(person.user)
    url = reverse("directory:my_orientations")

    html = client.get(url).content.decode()
    assert "Location de voitures à 2 € par jour" in html
    assert "En attente : Garage solidaire de Quimper va répondre." in html
    assert "peut voir dans votre passeport" in html

    partner_client.post(reverse("directory:orientation_refuse", args=[orientation.pk]),
                        {"refuser-reason": "no_capacity", "refuser-comment": "Note interne"})
    html = client.get(url).content.decode()
    assert "C'est non" in html and "Il n&#x27;y a plus de place pour le moment." in html
    assert "Note interne" not in html  # the partner's comment is for the référent
    assert "ne voit pas votre passeport" in html


def test_a_professional_has_no_personal_orientations_page(pro_client):
    assert pro_client.get(reverse("directory:my_orientations")).status_code == 404


# --- the organisation's own offer ---------------------------------------------------------------

@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager.user)
    return client


def test_publish_a_structure_then_a_service_through_the_forms(manager_client, org):
    response = manager_client.post(reverse("directory:structure_create"), {
        "nom": "Mission locale du Pays de Brest", "commune": "Brest", "code_postal": "29200",
        "adresse": "8 rue de Siam", "courriel": "contact@ml.example"})
    assert response.status_code == 302, response.content.decode()
    structure = Structure.objects.get(organisation=org)
    assert (structure.source, structure.code_insee) == ("passeport", "29019")

    bad = manager_client.post(reverse("directory:service_create"), {
        "structure": structure.pk, "nom": "CV", "description": "Atelier CV.",
        "thematiques": ["preparer-sa-candidature--realiser-un-cv-et-ou-une-lettre-de-motivation"]})
    assert bad.status_code == 200
    assert "trop court (3 caractères au moins)" in bad.content.decode()
    assert Service.objects.count() == 0

    good = manager_client.post(reverse("directory:service_create"), {
        "structure": structure.pk, "nom": "Atelier CV du mardi", "description": "Atelier CV.",
        "thematiques": ["preparer-sa-candidature--realiser-un-cv-et-ou-une-lettre-de-motivation"],
        "publics": ["jeunes"], "modes_accueil": ["en-presentiel"], "frais": "gratuit",
        "zone_eligibilite": "29 56"})
    assert good.status_code == 302
    service = Service.objects.get()
    assert service.zone_eligibilite == ["29", "56"] and service.geo_lat is not None
    DiService.model_validate(json.loads(manager_client.get(
        reverse("directory:export"), {"mine": "1"}).content)[0])
    offer = manager_client.get(reverse("directory:offer")).content.decode()
    assert "Atelier CV du mardi" in offer

    manager_client.post(reverse("directory:service_publish", args=[service.pk]), {"publier": "0"})
    service.refresh_from_db()
    assert not service.is_published


def test_a_referent_cannot_publish_for_the_organisation(pro_client):
    assert pro_client.get(reverse("directory:service_create")).status_code == 403
    assert pro_client.get(reverse("directory:offer")).status_code == 200


def test_import_page_for_administrators(client, org, referent):
    admin = MembershipFactory(organisation=org, role=Role.ADMIN)
    client.force_login(admin.user)
    content = json.dumps([di_structure(), di_service(), di_service(id="dora--x", nom="x")])
    response = client.post(reverse("directory:import"), {
        "file": SimpleUploadedFile("offre.json", content.encode(), "application/json")})
    html = response.content.decode()
    assert "Structures : 1 ajoutées" in html and "1 enregistrement écarté." in html
    assert "nom : trop court (3 caractères au moins)" in html
    client.force_login(referent.user)
    assert client.get(reverse("directory:import")).status_code == 403


def test_export_csv(pro_client, partner_service):
    response = pro_client.get(reverse("directory:export"), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert "Location de voitures à 2 € par jour" in response.content.decode()


def test_pages_need_a_professional(client, partner_service):
    response = client.get(reverse("directory:search"))
    assert response.status_code == 302 and "/connexion/" in response.url


def test_every_page_renders(manager_client, manager, org, person, partner_service):
    """GET of each page of the directory, as a manager (who may edit the offer)."""
    structure = Structure.objects.create(organisation=org, source="passeport",
                                         di_id="passeport--ml", nom="Mission locale",
                                         date_maj="2025-01-01", code_insee="29019")
    own = make_service(structure, nom="Atelier CV")
    for url, params in [
        (reverse("directory:search"), {}),
        (reverse("directory:search"), {"personne": person.public_id}),
        (reverse("directory:search"), {"thematique": "mobilite", "personne": person.public_id}),
        (reverse("directory:offer"), {}),
        (reverse("directory:structure_create"), {}),
        (reverse("directory:structure_edit", args=[structure.pk]), {}),
        (reverse("directory:service_create"), {}),
        (reverse("directory:service_edit", args=[own.pk]), {}),
        (reverse("directory:orientations"), {"boite": "envoyees", "statut": "sent"}),
        (reverse("directory:person_services", args=[person.public_id]), {"commune": "Quimper"}),
    ]:
        response = manager_client.get(url, params)
        assert response.status_code == 200, url
        assert response.content.decode().count("<h1") == 1, url
    assert manager_client.get(reverse("directory:import")).status_code == 403
