"""Orientations sent from the directory appear in the path's timeline, so the référent
and the person follow them in the same history as the rest of the path."""

from __future__ import annotations

import pytest

from passeport.core.actor import Actor
from passeport.core.errors import PasseportError
from passeport.directory.services import (
    orientation_accept,
    orientation_create,
    orientation_provide_info,
    orientation_refuse,
    orientation_request_info,
)
from passeport.paths.enums import EventKind
from passeport.people.enums import ConsentScope


def _orient(actor, person, service):
    return orientation_create(actor=actor, person=person, service=service,
                              scopes=[ConsentScope.PATH], consent_method="oral",
                              person_agreed=True, message="Besoin d'une voiture.")


def _orientation_events(path):
    return list(path.events.filter(kind=EventKind.ORIENTATION).order_by("occurred_at", "id"))


def test_sending_and_answers_are_written_in_the_timeline(actor, followed_path, partner,
                                                         partner_service):
    partner_actor = Actor(user=partner.user, membership=partner)
    orientation = _orient(actor, followed_path.person, partner_service)
    orientation_request_info(actor=partner_actor, orientation=orientation,
                             message="A-t-elle le permis B ?")
    orientation_provide_info(actor=actor, orientation=orientation, message="Oui.")
    orientation_refuse(actor=partner_actor, orientation=orientation, reason="no_capacity",
                       comment="Plus de voiture avant mars.")

    events = _orientation_events(followed_path)
    service, partner_name = partner_service.nom, partner.organisation.name
    assert [e.title for e in events] == [
        f"Orientation envoyée vers « {service} » ({partner_name})",
        f"{partner_name} demande un complément pour « {service} »",
        f"Complément envoyé à {partner_name} pour « {service} »",
        f"{partner_name} a refusé l'orientation vers « {service} »",
    ]
    assert events[0].author == actor.user and events[0].organisation == actor.organisation
    assert events[-1].organisation == partner.organisation
    assert events[-1].body == "Plus de place disponible pour le moment"
    # The partner's free comment stays with the orientation, not in the shared history.
    assert all("mars" not in e.body for e in events)


def test_an_accepted_orientation_is_one_event_not_two(actor, followed_path, partner,
                                                      partner_service):
    orientation = _orient(actor, followed_path.person, partner_service)
    orientation_accept(actor=Actor(user=partner.user, membership=partner),
                       orientation=orientation, comment="RDV lundi")
    titles = [e.title for e in _orientation_events(followed_path)]
    assert len(titles) == 2 and "a accepté" in titles[1]


@pytest.mark.django_db
def test_a_failed_orientation_leaves_no_event(actor, followed_path, partner_service):
    with pytest.raises(PasseportError):
        orientation_create(actor=actor, person=followed_path.person, service=partner_service,
                           scopes=[ConsentScope.PATH], consent_method="oral",
                           person_agreed=False, message="Besoin d'une voiture.")
    assert _orientation_events(followed_path) == []
