"""The person's home page, "Mon passeport": their path in plain words."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from passeport.paths.enums import ContractKind, EventKind, FreinTheme, ObjectiveStatus
from passeport.paths.models import DiagnosticEntry, Objective, TimelineEvent, WorkHoursStep
from tests.factories import ActionFactory, MembershipFactory, PersonFactory, UserFactory


def _html(client, name="me:home", **kwargs):
    response = client.get(reverse(name, **kwargs))
    assert response.status_code == 200
    return response.content.decode()


def test_greets_and_gives_the_public_id(me_client, person):
    html = _html(me_client)
    assert "<h1>Bonjour Élodie</h1>" in html
    assert person.public_id in html
    assert "Donnez-lui ce numéro" in html


def test_shows_the_referent_and_how_to_reach_them(me_client, referent, org):
    org.phone = "02 98 00 00 00"
    org.save()
    html = _html(me_client)
    assert "Rozenn Le Bihan" in html
    assert "Mission locale du Pays de Brest" in html
    assert f'href="mailto:{referent.user.email}"' in html
    assert 'href="tel:0298000000"' in html


def test_next_steps_mine_and_the_professionals(me_client, my_action, pro_action):
    html = _html(me_client)
    assert "Ce que vous avez à faire" in html
    assert "Faire mon CV" in html
    assert reverse("me:action_done", args=[my_action.pk]) in html
    assert "J'ai fait cette action" in html
    assert "Ce que les professionnels font pour vous" in html
    assert "Appeler le bailleur social" in html
    assert "Qui s'en occupe : Rozenn Le Bihan, Mission locale du Pays de Brest." in html
    # No "mark done" button on the professionals' actions.
    assert reverse("me:action_done", args=[pro_action.pk]) not in html


def test_objectives_and_freins_in_plain_words(me_client, followed_path, referent):
    Objective.objects.create(path=followed_path, title="Trouver un logement stable",
                             status=ObjectiveStatus.ACTIVE)
    Objective.objects.create(path=followed_path, title="Objectif arrêté",
                             status=ObjectiveStatus.ABANDONED)
    DiagnosticEntry.objects.create(path=followed_path, theme=FreinTheme.MOBILITE, severity=3,
                                   assessed_by=referent.user, comment="Pas de permis")
    DiagnosticEntry.objects.create(path=followed_path, theme=FreinTheme.SANTE, severity=0,
                                   assessed_by=referent.user)
    html = _html(me_client)
    assert "Trouver un logement stable" in html
    assert "Objectif arrêté" not in html
    assert "Se déplacer (transport, permis de conduire, véhicule)" in html
    # No severity jargon, and a frein assessed "no difficulty" is not a frein.
    assert "bloquante" not in html
    assert "La santé" not in html


def test_work_hours_ladder(me_client, followed_path):
    start = timezone.localdate() - dt.timedelta(days=60)
    WorkHoursStep.objects.create(path=followed_path, hours_per_week=4, starts_on=start,
                                 ends_on=start + dt.timedelta(days=29))
    WorkHoursStep.objects.create(path=followed_path, hours_per_week=8,
                                 starts_on=start + dt.timedelta(days=30),
                                 contract=ContractKind.PREMIERES_HEURES,
                                 employer_name="Ateliers de l'Elorn")
    html = _html(me_client)
    assert "Vos heures de travail" in html
    assert "Aujourd'hui : 8 heures par semaine" in html
    assert "Étape 2 sur 7" in html
    assert "Étape suivante :" in html and "12 heures par semaine" in html
    assert "Ateliers de l&#x27;Elorn" in html
    assert "contrat à durée déterminée d'insertion" in html


def test_no_ladder_without_work_hours(me_client):
    assert "Vos heures de travail" not in _html(me_client)


def test_timeline_is_shared_in_plain_words(me_client, followed_path, referent):
    TimelineEvent.objects.create(path=followed_path, kind=EventKind.NOTE,
                                 title="Point sur la recherche de logement",
                                 body="Dossier à compléter.", author=referent.user,
                                 organisation=followed_path.organisation)
    TimelineEvent.objects.create(path=followed_path, kind=EventKind.REASSESSMENT,
                                 title="Diagnostic mis à jour",
                                 body="Mobilité : difficulté bloquante", author=referent.user)
    html = _html(me_client)
    assert "Point sur la recherche de logement" in html
    assert "Dossier à compléter." in html
    assert "Par Rozenn Le Bihan, Mission locale du Pays de Brest." in html
    assert "Votre référent a fait le point avec vous sur ce qui vous freine." in html
    assert "difficulté bloquante" not in html


def test_history_page_is_paginated(me_client, followed_path):
    now = timezone.now()
    for i in range(25):
        TimelineEvent.objects.create(path=followed_path, kind=EventKind.CONTACT,
                                     title=f"Échange numéro {i:02d}",
                                     occurred_at=now - dt.timedelta(hours=i))
    first = _html(me_client, "me:history")
    assert "Échange numéro 00" in first and "Échange numéro 19" in first
    assert "Échange numéro 20" not in first
    assert "Voir plus ancien" in first
    cursor = first.split("?avant=")[1].split('"')[0]
    second = me_client.get(reverse("me:history"), {"avant": cursor}).content.decode()
    assert "Échange numéro 20" in second and "Échange numéro 24" in second
    assert "Échange numéro 19" not in second
    assert "Revenir au plus récent" in second
    # A broken cursor shows the first page.
    assert "Échange numéro 00" in me_client.get(reverse("me:history"),
                                                {"avant": "n'importe-quoi"}).content.decode()


def test_person_without_path(client, db):
    person = PersonFactory(first_name="Yann", user=UserFactory())
    client.force_login(person.user)
    html = _html(client)
    assert "Bonjour Yann" in html
    assert "Votre parcours n'a pas encore commencé." in html
    assert "Proposer une action" not in html


@pytest.mark.parametrize("name", ["me:home", "me:access", "me:history", "me:message",
                                  "me:objective_propose", "me:action_propose"])
def test_login_required_and_professionals_have_no_person_space(client, name, db):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    client.force_login(MembershipFactory().user)
    assert client.get(url).status_code == 404


def test_home_reads_a_bounded_number_of_queries(me_client, followed_path, referent):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert me_client.get(reverse("me:home")).status_code == 200
        return len(ctx.captured_queries)

    def add(n):
        for i in range(n):
            objective = Objective.objects.create(path=followed_path, title=f"Objectif {i}",
                                                 status=ObjectiveStatus.ACTIVE)
            ActionFactory(path=followed_path, objective=objective, title=f"Pro {i}",
                          assignee=referent, organisation=followed_path.organisation)
            ActionFactory(path=followed_path, objective=objective, title=f"Moi {i}",
                          for_person=True)
            TimelineEvent.objects.create(path=followed_path, kind=EventKind.NOTE,
                                         title=f"Note {i}", author=referent.user,
                                         organisation=followed_path.organisation)

    add(1)
    few = count()
    add(6)
    assert count() == few


def test_links_to_papers_rights_and_orientations(me_client):
    html = _html(me_client)
    for name, label in (("vault:me_documents", "Mes papiers"), ("rights:me", "Mes droits"),
                        ("directory:my_orientations", "Mes orientations")):
        href = reverse(name)
        assert f'<a href="{href}">{label}</a>' in html, name
        assert me_client.get(href).status_code == 200, name


def test_next_appointments_come_first_in_the_next_steps(me_client, followed_path, org):
    moment = timezone.make_aware(dt.datetime.combine(timezone.localdate() + dt.timedelta(days=3),
                                                     dt.time(14, 30)))
    TimelineEvent.objects.create(path=followed_path, kind=EventKind.APPOINTMENT, title="Point emploi",
                                 occurred_at=moment, appointment_outcome="planned", organisation=org)
    TimelineEvent.objects.create(path=followed_path, kind=EventKind.APPOINTMENT, title="Déjà passé",
                                 occurred_at=timezone.now() - dt.timedelta(days=3),
                                 appointment_outcome="held")
    html = _html(me_client)
    section = html[html.index('id="rendez-vous"'):]
    section = section[:section.index("</ul>")]
    assert "Point emploi" in section and org.name in section
    assert "à 14 h 30" in section
    assert "Déjà passé" not in section
