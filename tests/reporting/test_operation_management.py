"""ESF+ operations: edit (rules as in creation), delete only without participant, else
close (archive) and reopen; managers and administrators of the owning organisation only;
the participants list is paginated and its links keep the filters."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from passeport.core.actor import Actor
from passeport.core.enums import Role
from passeport.core.errors import Conflict, Forbidden, PasseportError
from passeport.core.models import AuditEvent
from passeport.reporting.models import Operation, Participation
from passeport.reporting.selectors import participations_page
from passeport.reporting.services import (
    operation_delete,
    operation_set_closed,
    operation_update,
    participation_enrol,
)

from ..factories import MembershipFactory, PersonFactory
from .helpers import operation, participant

pytestmark = pytest.mark.django_db

EDIT = {"code": "FSE-29-001", "title": "Accompagnement renforcé", "programme": "PN FSE+",
        "specific_objective": "4.h", "starts_on": "2025-01-01", "ends_on": "2026-12-31",
        "territory": "Finistère"}


def text(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager.user)
    return client


@pytest.fixture
def op(org):
    return operation(org, code="FSE-29-001")


def test_manager_edits_an_operation(manager_client, op):
    url = reverse("reporting:operation_edit", args=[op.pk])
    page = manager_client.get(url)
    assert page.status_code == 200 and 'value="FSE-29-001"' in page.content.decode()
    response = manager_client.post(url, EDIT)
    assert response.status_code == 302
    op.refresh_from_db()
    assert (op.title, op.programme, op.specific_objective, op.territory) == (
        "Accompagnement renforcé", "PN FSE+", "4.h", "Finistère")
    event = AuditEvent.objects.get(object_type="esf_operation", action="update")
    assert set(event.detail["fields"]) == {"title", "programme", "specific_objective", "territory"}


def test_edit_keeps_the_creation_rules(manager_client, org, op):
    operation(org, code="FSE-29-002")
    url = reverse("reporting:operation_edit", args=[op.pk])
    bad_dates = manager_client.post(url, {**EDIT, "starts_on": "2025-06-01", "ends_on": "2025-01-01"})
    assert bad_dates.status_code == 400
    assert "La date de fin doit suivre la date de début." in bad_dates.content.decode()
    taken = manager_client.post(url, {**EDIT, "code": "FSE-29-002"})
    assert taken.status_code == 400 and "Une opération porte déjà ce numéro." in taken.content.decode()
    no_code = manager_client.post(url, {**EDIT, "code": ""})
    assert no_code.status_code == 400
    op.refresh_from_db()
    assert (op.code, op.title, op.starts_on) == ("FSE-29-001", "Opération FSE-29-001", date(2025, 1, 1))


def test_edit_shows_every_field_in_error_at_once(manager_client, org, op):
    operation(org, code="FSE-29-002")
    url = reverse("reporting:operation_edit", args=[op.pk])
    both = text(manager_client.post(url, {**EDIT, "code": "", "starts_on": "2025-06-01",
                                          "ends_on": "2025-01-01"}))
    assert "Ce champ est obligatoire." in both or "Indiquez le numéro de l'opération." in both
    assert "La date de fin doit suivre la date de début." in both
    taken_and_dates = text(manager_client.post(url, {**EDIT, "code": "FSE-29-002", "starts_on": "2025-06-01",
                                                     "ends_on": "2025-01-01"}))
    assert "Une opération porte déjà ce numéro." in taken_and_dates
    assert "La date de fin doit suivre la date de début." in taken_and_dates
    # The page keeps the saved number in its title while the typed one is refused.
    assert "Modifier l'opération FSE-29-001" in taken_and_dates


def test_edit_pages_read_their_object_once(manager_client, op):
    p = participant(op, entry_on=date(2025, 3, 1))
    with CaptureQueriesContext(connection) as queries:
        assert manager_client.get(reverse("reporting:operation_edit", args=[op.pk])).status_code == 200
    assert sum('FROM "reporting_operation"' in q["sql"] for q in queries.captured_queries) == 1
    with CaptureQueriesContext(connection) as queries:
        assert manager_client.get(reverse("reporting:participation", args=[p.pk])).status_code == 200
    assert sum('FROM "reporting_participation"' in q["sql"] for q in queries.captured_queries) == 1


def test_edit_keeps_the_participants_inside_the_period(manager, op):
    participant(op, entry_on=date(2025, 3, 1))
    actor = Actor(user=manager.user, membership=manager)
    with pytest.raises(PasseportError) as exc:
        operation_update(actor=actor, operation=op, starts_on=date(2025, 4, 1))
    assert exc.value.code == "participants_outside_period"
    with pytest.raises(PasseportError) as exc:
        operation_update(actor=actor, operation=op, starts_on=date(2025, 3, 1), ends_on=date(2025, 3, 1))
    assert exc.value.code == "operation_too_short"
    op.refresh_from_db()
    assert (op.starts_on, op.ends_on) == (date(2025, 1, 1), date(2026, 12, 31))
    operation_update(actor=actor, operation=op, starts_on=date(2025, 3, 1))
    op.refresh_from_db()
    assert op.starts_on == date(2025, 3, 1)


def test_delete_an_operation_without_participant(manager_client, op):
    url = reverse("reporting:operation_delete", args=[op.pk])
    page = manager_client.get(url)
    assert page.status_code == 200 and "Supprimer définitivement" in page.content.decode()
    response = manager_client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("reporting:operations")
    assert not Operation.objects.filter(pk=op.pk).exists()
    assert AuditEvent.objects.filter(object_type="esf_operation", action="delete",
                                     object_id=str(op.pk)).exists()


def test_an_operation_with_participants_is_closed_not_deleted(manager_client, manager, op):
    participant(op)
    url = reverse("reporting:operation_delete", args=[op.pk])
    page = text(manager_client.get(url))
    assert "ne peut pas être supprimée" in page and "Clôturer l'opération" in page
    assert "Supprimer définitivement" not in page
    refused = manager_client.post(url)
    assert refused.status_code == 400
    assert Operation.objects.filter(pk=op.pk).exists() and op.participations.count() == 1
    with pytest.raises(Conflict):
        operation_delete(actor=Actor(user=manager.user, membership=manager), operation=op)

    closed = manager_client.post(reverse("reporting:operation_close", args=[op.pk]), {"action": "cloturer"})
    assert closed.status_code == 302
    op.refresh_from_db()
    assert op.is_closed and op.participations.count() == 1
    detail = text(manager_client.get(reverse("reporting:operation", args=[op.pk])))
    assert "Clôturée" in detail and "Inscrire à l'opération" not in detail
    assert "Clôturée" in manager_client.get(reverse("reporting:operations")).content.decode()
    manager_client.post(reverse("reporting:operation_close", args=[op.pk]), {"action": "rouvrir"})
    op.refresh_from_db()
    assert not op.is_closed


def test_a_closed_operation_takes_no_new_enrolment(manager, op, followed_path):
    actor = Actor(user=manager.user, membership=manager)
    operation_set_closed(actor=actor, operation=op, closed=True)
    with pytest.raises(PasseportError) as exc:
        participation_enrol(actor=actor, operation=op, public_id=followed_path.person.public_id)
    assert exc.value.code == "operation_closed"
    assert not Participation.objects.exists()


def test_referent_may_not_edit_close_or_delete(pro_client, referent, op):
    for url in (reverse("reporting:operation_edit", args=[op.pk]),
                reverse("reporting:operation_delete", args=[op.pk])):
        assert pro_client.get(url).status_code == 403
        assert pro_client.post(url, EDIT).status_code == 403
    assert pro_client.post(reverse("reporting:operation_close", args=[op.pk])).status_code == 403
    assert Operation.objects.get(pk=op.pk).title == "Opération FSE-29-001" and not op.is_closed
    detail = pro_client.get(reverse("reporting:operation", args=[op.pk])).content.decode()
    assert reverse("reporting:operation_edit", args=[op.pk]) not in detail
    with pytest.raises(Forbidden):
        operation_update(actor=Actor(user=referent.user, membership=referent), operation=op, title="X")


def test_admin_may_edit(client, org, op):
    admin = MembershipFactory(organisation=org, role=Role.ADMIN)
    client.force_login(admin.user)
    assert client.post(reverse("reporting:operation_edit", args=[op.pk]), EDIT).status_code == 302


def test_other_organisation_gets_404(client, outsider, op):
    client.force_login(outsider.user)  # a manager, of another organisation
    for name in ("operation_edit", "operation_delete", "operation_close"):
        url = reverse(f"reporting:{name}", args=[op.pk])
        assert client.get(url).status_code in (404, 405)
        assert client.post(url, EDIT).status_code == 404, url
    assert Operation.objects.get(pk=op.pk).title == "Opération FSE-29-001"
    with pytest.raises(Forbidden):
        operation_delete(actor=Actor(user=outsider.user, membership=outsider), operation=op)


def _people(op, n, **kw):
    return [participant(op, person=PersonFactory(first_name=f"Prénom{i:02d}", last_name=f"Nom{i:02d}"),
                        entry_on=date(2025, 1, 1) + timedelta(days=i), **kw) for i in range(n)]


def test_participants_are_paginated_and_page_2_shows_the_rest(pro_client, op, settings):
    _people(op, 55)
    url = reverse("reporting:operation", args=[op.pk])
    first = pro_client.get(url).content.decode()
    assert "55 participants · page 1 sur 2" in first
    assert "Nom00" in first and "Nom49" in first and "Nom50" not in first
    assert 'fr-pagination__list' in first and "?page=2" in first
    second = pro_client.get(url, {"page": 2}).content.decode()
    assert all(f"Nom{i:02d}" in second for i in range(50, 55)) and "Nom49" not in second
    assert pro_client.get(url, {"page": 99}).status_code == 200  # the last page


def test_pagination_links_keep_the_filters(pro_client, op):
    people = _people(op, 60)
    for p in people[:55]:
        Participation.objects.filter(pk=p.pk).update(exit_on=date(2025, 6, 1))
    url = reverse("reporting:operation", args=[op.pk])
    html = pro_client.get(url, {"statut": "sortis", "du": "2025-01-01", "q": "nom"}).content.decode()
    assert "55 participants · page 1 sur 2" in html
    link = html.split('class="fr-pagination__link fr-pagination__link--next')[1].split('href="')[1].split('"')[0]
    assert "statut=sortis" in link and "du=2025-01-01" in link and "q=nom" in link and "page=2" in link
    second = pro_client.get(url + link.replace("&amp;", "&")).content.decode()
    assert "Nom54" in second and "Nom55" not in second  # still the ones who left
    # htmx asks for the list only.
    partial = pro_client.get(url + link.replace("&amp;", "&"), HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="resultats">') and "EECO11" not in partial
    searched = pro_client.get(url, {"q": people[3].person.public_id}).content.decode()
    assert "1 participant" in searched and "Nom03" in searched


def test_participant_page_returns_to_the_same_filtered_page(pro_client, op):
    people = _people(op, 60)
    for p in people[:55]:
        Participation.objects.filter(pk=p.pk).update(exit_on=date(2025, 6, 1))
    url = reverse("reporting:operation", args=[op.pk])
    listed = pro_client.get(url, {"statut": "sortis", "q": "nom", "page": "2", "pirate": "x"}).content.decode()
    link = listed.split(">Prénom54 Nom54<")[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    assert link.startswith(reverse("reporting:participation", args=[people[54].pk]) + "?")
    assert "statut=sortis" in link and "q=nom" in link and "page=2" in link and "pirate" not in link
    page = text(pro_client.get(link))
    back = page.split("Retour à la liste des participants")[0].rsplit('href="', 1)[1].split('"')[0]
    back = back.replace("&amp;", "&")
    assert back.startswith(url + "?") and "statut=sortis" in back and "page=2" in back
    returned = pro_client.get(back).content.decode()
    assert "page 2 sur 2" in returned and "Nom54" in returned and "Nom55" not in returned
    # Saving the participant goes back to the same page too.
    data = {"entry_on": "2025-02-24", "exit_on": "2025-06-01", "gender": "f", "entry_status": "inactive",
            "education_level": "isced_5_8", "minority": "declined"}
    saved = pro_client.post(link, data)
    assert saved.status_code == 302 and saved["Location"] == back
    # Only the list's own parameters are carried, and checked.
    odd = text(pro_client.get(reverse("reporting:participation", args=[people[0].pk]),
                              {"statut": "<script>", "page": "-1", "du": "hier", "next": "https://ailleurs.example"}))
    odd_back = odd.split("Retour à la liste des participants")[0].rsplit('href="', 1)[1].split('"')[0]
    assert odd_back == url + "#resultats"


def test_only_the_page_shown_is_audited(actor, op):
    _people(op, 55)
    page = participations_page(actor, op, page_number=2)
    assert len(page.object_list) == 5
    assert AuditEvent.objects.filter(object_type="esf_participation", action="list").count() == 5
