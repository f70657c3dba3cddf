"""Co-construction: the person proposes, marks their own actions done, writes; the
référent sees what the person added."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from passeport.paths.enums import ActionStatus, EventKind, ObjectiveStatus, PathStatus
from passeport.paths.models import Action, Objective, TimelineEvent
from passeport.paths.selectors import path_get_for, path_view
from tests.factories import ActionFactory


def _referent_view(actor, person):
    """What the référent's passport page reads."""
    _, path = path_get_for(actor, person.public_id)
    return path_view(path)


def test_propose_an_objective(me_client, person, actor, referent):
    url = reverse("me:objective_propose")
    page = me_client.get(url).content.decode()
    assert "Votre référent verra votre proposition." in page
    response = me_client.post(url, {"title": "Passer le permis de conduire",
                                     "description": "Pour aller travailler à Landerneau."})
    assert response.status_code == 302 and response.url == reverse("me:home")
    objective = Objective.objects.get(title="Passer le permis de conduire")
    assert objective.status == ObjectiveStatus.PROPOSED
    assert objective.proposed_by_person
    assert objective.created_by == person.user
    # The référent sees it: proposed, by the person, not yet seen.
    view = _referent_view(actor, person)
    assert objective in view.objectives
    assert [e.title for e in view.unseen_from_person] == [
        "Objectif proposé : Passer le permis de conduire"]
    pro_client = Client()
    pro_client.force_login(referent.user)
    assert "Passer le permis de conduire" in pro_client.get(
        reverse("pro:passport", args=[person.public_id])).content.decode()
    # The person sees their proposal on their home page.
    home = me_client.get(reverse("me:home")).content.decode()
    assert "Passer le permis de conduire" in home
    assert "Votre proposition" in home


def test_objective_without_title_keeps_what_was_typed(me_client):
    response = me_client.post(reverse("me:objective_propose"),
                              {"title": "  ", "description": "Travailler dans la vente"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Écrivez votre objectif." in html
    assert "Rien n'est enregistré pour le moment." in html
    assert "Travailler dans la vente" in html
    assert 'aria-describedby="id_title-desc-error"' in html
    assert not Objective.objects.exists()


def test_propose_an_action_for_an_objective(me_client, person, actor, followed_path):
    objective = Objective.objects.create(path=followed_path, title="Trouver un logement",
                                         status=ObjectiveStatus.ACTIVE)
    page = me_client.get(reverse("me:action_propose")).content.decode()
    assert "Pour quel objectif ?" in page and "Trouver un logement" in page
    response = me_client.post(reverse("me:action_propose"),
                              {"title": "Remplir la demande de logement social",
                               "objective": objective.pk})
    assert response.status_code == 302
    action = Action.objects.get(title="Remplir la demande de logement social")
    assert action.status == ActionStatus.PROPOSED
    assert action.proposed_by_person and action.for_person
    assert action.objective == objective
    view = _referent_view(actor, person)
    assert action in view.actions
    assert "Action proposée : Remplir la demande de logement social" in [
        e.title for e in view.unseen_from_person]
    # Waiting for the référent: no "done" button yet.
    home = me_client.get(reverse("me:home")).content.decode()
    assert "Vos propositions" in home
    assert reverse("me:action_done", args=[action.pk]) not in home


def test_cannot_attach_an_action_to_another_persons_objective(me_client, followed_path,
                                                             other_person):
    Objective.objects.create(path=followed_path, title="Mon objectif",
                             status=ObjectiveStatus.ACTIVE)
    foreign = Objective.objects.get(title="Objectif secret de Maëlle")
    response = me_client.post(reverse("me:action_propose"),
                              {"title": "Ma proposition", "objective": foreign.pk})
    assert response.status_code == 200
    assert not Action.objects.filter(title="Ma proposition").exists()
    html = response.content.decode()
    assert "Choisissez un objectif de la liste." in html
    assert "Objectif secret de Maëlle" not in html


def test_propose_an_action_without_objective(me_client, followed_path):
    page = me_client.get(reverse("me:action_propose")).content.decode()
    assert "Pour quel objectif ?" not in page
    me_client.post(reverse("me:action_propose"), {"title": "Faire un stage"})
    action = Action.objects.get(title="Faire un stage")
    assert action.objective is None and action.status == ActionStatus.PROPOSED


def test_mark_my_action_done_then_undo(me_client, my_action, actor, person):
    response = me_client.post(reverse("me:action_done", args=[my_action.pk]))
    assert response.status_code == 302
    my_action.refresh_from_db()
    assert my_action.status == ActionStatus.DONE and my_action.done_at is not None
    event = TimelineEvent.objects.filter(path=my_action.path, kind=EventKind.ACTION).latest("id")
    assert event.by_person and "Faire mon CV" in event.title
    home = me_client.get(reverse("me:home")).content.decode()
    assert "Bravo ! Vous avez fait : « Faire mon CV »." in home
    assert "Ce que vous avez déjà fait" in home
    # A mistake: the person puts it back to do.
    me_client.post(reverse("me:action_undo", args=[my_action.pk]))
    my_action.refresh_from_db()
    assert my_action.status == ActionStatus.TODO and my_action.done_at is None


def test_cannot_mark_done_an_action_of_the_professionals(me_client, pro_action):
    response = me_client.post(reverse("me:action_done", args=[pro_action.pk]))
    assert response.status_code == 404
    pro_action.refresh_from_db()
    assert pro_action.status == ActionStatus.IN_PROGRESS


def test_cannot_mark_done_a_proposal_not_yet_validated(me_client, followed_path):
    proposal = ActionFactory(path=followed_path, title="Ma proposition", for_person=True,
                             proposed_by_person=True, status=ActionStatus.PROPOSED)
    response = me_client.post(reverse("me:action_done", args=[proposal.pk]), follow=True)
    assert "pas encore validé" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == ActionStatus.PROPOSED


def test_mark_done_needs_post(me_client, my_action):
    assert me_client.get(reverse("me:action_done", args=[my_action.pk])).status_code == 405
    my_action.refresh_from_db()
    assert my_action.status == ActionStatus.TODO


def test_leave_a_message_the_referent_sees(me_client, person, actor):
    response = me_client.post(reverse("me:message"),
                              {"body": "Je ne pourrai pas venir jeudi. Mon fils est malade."})
    assert response.status_code == 302
    message = TimelineEvent.objects.get(kind=EventKind.MESSAGE)
    assert message.by_person and message.seen_by_referent_at is None
    assert message.body == "Je ne pourrai pas venir jeudi. Mon fils est malade."
    assert message in _referent_view(actor, person).unseen_from_person
    home = me_client.get(reverse("me:home")).content.decode()
    assert "Votre message est envoyé." in home
    assert "Je ne pourrai pas venir jeudi." in home
    assert "Votre référent ne l'a pas encore vu." in home
    TimelineEvent.objects.filter(pk=message.pk).update(seen_by_referent_at=timezone.now())
    assert "Votre référent l'a vu le" in me_client.get(reverse("me:home")).content.decode()


def test_empty_message_is_refused(me_client):
    response = me_client.post(reverse("me:message"), {"body": "   "})
    assert response.status_code == 200
    assert "Écrivez votre message." in response.content.decode()
    assert not TimelineEvent.objects.filter(kind=EventKind.MESSAGE).exists()


@pytest.mark.parametrize("name", ["me:objective_propose", "me:action_propose", "me:message"])
def test_nothing_can_be_added_to_a_closed_path(me_client, followed_path, name):
    followed_path.status = PathStatus.CLOSED
    followed_path.closed_on = timezone.localdate()
    followed_path.exit_reason = "employment"
    followed_path.save()
    response = me_client.post(reverse(name), {"title": "Encore une idée", "body": "Bonjour"})
    assert response.status_code == 302
    assert not Objective.objects.exists() and not Action.objects.exists()
    assert not TimelineEvent.objects.filter(kind=EventKind.MESSAGE).exists()
