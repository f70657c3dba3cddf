"""Orientations: creation with the person's consent, the state machine, what the partner
may see, reminders and expiry, e-mails and signals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from passeport.core.actor import Actor
from passeport.core.errors import Conflict, Forbidden, NotFound, PasseportError
from passeport.directory import signals
from passeport.directory.enums import OrientationStatus
from passeport.directory.models import Orientation
from passeport.directory.selectors import orientation_get_for, orientations_received
from passeport.directory.services import (
    orientation_accept,
    orientation_cancel,
    orientation_create,
    orientation_provide_info,
    orientation_refuse,
    orientation_request_info,
    orientations_follow_up,
)
from passeport.directory.states import InvalidTransition, WrongSide
from passeport.people.enums import ConsentScope
from passeport.people.models import Consent
from passeport.people.selectors import active_consent, person_get_for

from .helpers import make_service, make_structure


@pytest.fixture
def person(followed_path):
    return followed_path.person


@pytest.fixture
def partner_actor(partner):
    return Actor(user=partner.user, membership=partner)


def orient(actor, person, service, scopes=(ConsentScope.PATH,), **kw):
    kw.setdefault("message", "Elle a besoin d'une voiture pour aller travailler à Landerneau.")
    kw.setdefault("consent_method", "oral")
    kw.setdefault("person_agreed", True)
    return orientation_create(actor=actor, person=person, service=service, scopes=list(scopes),
                              **kw)


def test_orient_a_person_grants_the_shared_scopes_to_the_partner(actor, person, partner_service,
                                                                  partner_org, mailoutbox,
                                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        orientation = orient(actor, person, partner_service)

    assert orientation.status == OrientationStatus.SENT
    assert (orientation.partner, orientation.sender) == (partner_org, actor.organisation)
    consent = active_consent(person, partner_org.pk, ConsentScope.PATH)
    assert consent is not None and consent.method == "oral"
    assert consent.recorded_by == actor.user and "Location de voitures" in consent.purpose
    assert list(orientation.consents.all()) == [consent]
    assert [e.action for e in orientation.events.all()] == ["send"]
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["contact@garage-solidaire.example"]
    assert "Location de voitures à 2 € par jour" in mailoutbox[0].subject
    assert person.last_name not in mailoutbox[0].body  # no personal data in the e-mail
    assert f"/pro/orientations/{orientation.pk}/" in mailoutbox[0].body


@pytest.mark.parametrize("kw,code,field", [
    ({"person_agreed": False}, "person_agreement_required", "person_agreed"),
    ({"consent_method": "in_app"}, "invalid_method", "consent_method"),
    ({"message": "  "}, "message_required", "message"),
    ({"scopes": ["everything"]}, "invalid_scope", "scopes"),
])
def test_orientation_needs_the_persons_agreement_and_a_message(actor, person, partner_service,
                                                                kw, code, field):
    scopes = kw.pop("scopes", [ConsentScope.PATH])
    with pytest.raises(PasseportError) as exc:
        orient(actor, person, partner_service, scopes=scopes, **kw)
    assert (exc.value.code, exc.value.field) == (code, field)
    assert Orientation.objects.count() == 0 and Consent.objects.filter(
        organisation=partner_service.structure.organisation).count() == 0


def test_cannot_orient_to_an_unlinked_service_own_service_twice_or_an_unknown_person(
        actor, outsider_actor, person, partner_service, org):
    imported = make_service(make_structure(source="dora", di_id="dora--x"), source="dora")
    with pytest.raises(PasseportError) as exc:
        orient(actor, person, imported)
    assert exc.value.code == "service_not_orientable"
    own = make_service(make_structure(organisation=org))
    with pytest.raises(PasseportError) as exc:
        orient(actor, person, own)
    assert exc.value.code == "own_service"
    orient(actor, person, partner_service)
    with pytest.raises(Conflict) as exc:
        orient(actor, person, partner_service)
    assert exc.value.code == "orientation_already_open"
    with pytest.raises(NotFound):  # no consent of the person to the outsider's organisation
        orient(outsider_actor, person, partner_service)


def test_partner_accepts(actor, partner_actor, person, partner_service, mailoutbox,
                         django_capture_on_commit_callbacks):
    orientation = orient(actor, person, partner_service)
    with django_capture_on_commit_callbacks(execute=True):
        orientation_accept(actor=partner_actor, orientation=orientation, comment="RDV lundi 10 h")
    orientation.refresh_from_db()
    assert orientation.status == OrientationStatus.ACCEPTED
    assert orientation.answer_comment == "RDV lundi 10 h" and orientation.closed_at is not None
    assert mailoutbox[-1].to == [actor.user.email] and "acceptée" in mailoutbox[-1].subject
    # The partner keeps the access the person gave.
    assert active_consent(person, partner_actor.organisation_id, ConsentScope.PATH) is not None


def test_state_machine_refuses_an_illegal_transition_with_a_clear_error(actor, partner_actor,
                                                                        person, partner_service):
    orientation = orient(actor, person, partner_service)
    orientation_accept(actor=partner_actor, orientation=orientation)

    with pytest.raises(InvalidTransition) as exc:
        orientation_refuse(actor=partner_actor, orientation=orientation, reason="no_capacity")
    assert exc.value.code == "invalid_transition" and exc.value.status == 409
    assert exc.value.message == ("Impossible : cette orientation est « Acceptée », elle ne peut "
                                 "pas être « refusée par le partenaire ».")
    assert exc.value.details["allowed_actions"] == []
    with pytest.raises(InvalidTransition):
        orientation_cancel(actor=actor, orientation=orientation)
    orientation.refresh_from_db()
    assert orientation.status == OrientationStatus.ACCEPTED and orientation.refusal_reason == ""
    assert [e.action for e in orientation.events.all()] == ["send", "accept"]


def test_each_side_does_its_own_part(actor, partner_actor, person, partner_service,
                                     outsider_actor):
    orientation = orient(actor, person, partner_service)
    with pytest.raises(WrongSide) as exc:
        orientation_accept(actor=actor, orientation=orientation)  # the sender cannot accept
    assert exc.value.code == "not_your_side" and exc.value.status == 403
    with pytest.raises(WrongSide):
        orientation_cancel(actor=partner_actor, orientation=orientation)
    with pytest.raises(NotFound):
        orientation_accept(actor=outsider_actor, orientation=orientation)


def test_information_requested_then_provided_then_refused(actor, partner_actor, person,
                                                          partner_service, mailoutbox,
                                                          django_capture_on_commit_callbacks):
    orientation = orient(actor, person, partner_service)
    with django_capture_on_commit_callbacks(execute=True):
        orientation_request_info(actor=partner_actor, orientation=orientation,
                                 message="A-t-elle le permis B ?")
    assert orientation.status == OrientationStatus.INFO_REQUESTED
    assert mailoutbox[-1].to == [actor.user.email]
    with pytest.raises(InvalidTransition):
        orientation_request_info(actor=partner_actor, orientation=orientation, message="Et ?")
    with pytest.raises(PasseportError) as exc:
        orientation_provide_info(actor=actor, orientation=orientation, message="")
    assert exc.value.code == "message_required"
    orientation_provide_info(actor=actor, orientation=orientation, message="Oui, depuis 2019.")
    assert orientation.status == OrientationStatus.SENT

    with pytest.raises(PasseportError) as exc:
        orientation_refuse(actor=partner_actor, orientation=orientation, reason="")
    assert exc.value.code == "refusal_reason_required"
    with pytest.raises(PasseportError) as exc:
        orientation_refuse(actor=partner_actor, orientation=orientation, reason="other")
    assert (exc.value.code, exc.value.field) == ("comment_required", "comment")
    orientation_refuse(actor=partner_actor, orientation=orientation, reason="no_capacity",
                       comment="Plus de voiture avant mars.")
    orientation.refresh_from_db()
    assert (orientation.status, orientation.refusal_reason) == ("refused", "no_capacity")
    assert [(e.action, e.from_status, e.to_status) for e in orientation.events.all()] == [
        ("send", "", "sent"), ("request_info", "sent", "info_requested"),
        ("provide_info", "info_requested", "sent"), ("refuse", "sent", "refused")]
    # The access given for this orientation only ends with it.
    assert active_consent(person, partner_actor.organisation_id, ConsentScope.PATH) is None


def test_a_partner_that_already_followed_the_person_keeps_its_access(actor, partner_actor,
                                                                      person, partner_service,
                                                                      partner_org):
    from ..factories import ConsentFactory
    before = ConsentFactory(person=person, organisation=partner_org, scope=ConsentScope.PATH)
    orientation = orient(actor, person, partner_service, scopes=[ConsentScope.PATH,
                                                                 ConsentScope.RIGHTS])
    assert [c.scope for c in orientation.consents.all()] == ["rights"]
    orientation_cancel(actor=actor, orientation=orientation, comment="Elle a trouvé une voiture.")
    assert active_consent(person, partner_org.pk, ConsentScope.PATH) == before
    assert active_consent(person, partner_org.pk, ConsentScope.RIGHTS) is None


def test_the_partner_sees_only_the_shared_scopes(actor, partner_actor, person, partner_service):
    orient(actor, person, partner_service, scopes=[ConsentScope.RIGHTS])

    orientation = orientation_get_for(partner_actor, Orientation.objects.get().pk)
    assert orientation.shared_scopes == ["rights"]
    assert person_get_for(partner_actor, person.public_id, scope=ConsentScope.RIGHTS) == person
    with pytest.raises(NotFound):
        person_get_for(partner_actor, person.public_id, scope=ConsentScope.PATH)
    with pytest.raises(NotFound):
        person_get_for(partner_actor, person.public_id, scope=ConsentScope.DOCUMENTS)


def test_another_organisation_never_finds_an_orientation(actor, outsider_actor, partner_actor,
                                                          person, partner_service):
    orientation = orient(actor, person, partner_service)
    with pytest.raises(NotFound):
        orientation_get_for(outsider_actor, orientation.pk)
    assert list(orientations_received(outsider_actor)) == []
    assert list(orientations_received(partner_actor)) == [orientation]


def test_reminders_then_expiry(actor, partner_actor, person, partner_service, partner_org,
                               mailoutbox, django_capture_on_commit_callbacks, settings):
    settings.PASSEPORT_ORIENTATION_REMIND_DAYS = 7
    settings.PASSEPORT_ORIENTATION_EXPIRE_DAYS = 30
    orientation = orient(actor, person, partner_service)
    start = orientation.waiting_since
    mailoutbox.clear()

    def follow_up(days):
        with django_capture_on_commit_callbacks(execute=True):
            return orientations_follow_up(now=start + dt.timedelta(days=days))

    assert vars(follow_up(6)) == {"reminded": 0, "expired": 0}
    assert vars(follow_up(7)) == {"reminded": 1, "expired": 0}
    assert mailoutbox[-1].to == ["contact@garage-solidaire.example"]
    assert "Relance" in mailoutbox[-1].subject and "7 jours" in mailoutbox[-1].body
    assert vars(follow_up(8)) == {"reminded": 0, "expired": 0}  # once every 7 days
    assert vars(follow_up(14)) == {"reminded": 1, "expired": 0}
    assert vars(follow_up(30)) == {"reminded": 0, "expired": 1}
    orientation.refresh_from_db()
    assert (orientation.status, orientation.reminders_sent) == ("expired", 2)
    assert [e.action for e in orientation.events.all()] == ["send", "remind", "remind", "expire"]
    assert actor.user.email in mailoutbox[-1].to and "expirée" in mailoutbox[-1].subject
    assert active_consent(person, partner_org.pk, ConsentScope.PATH) is None
    assert vars(follow_up(60)) == {"reminded": 0, "expired": 0}


def test_follow_up_command_and_task(actor, person, partner_service):
    orientation = orient(actor, person, partner_service)
    Orientation.objects.filter(pk=orientation.pk).update(
        waiting_since=timezone.now() - dt.timedelta(days=40))
    call_command("orientations_follow_up")
    orientation.refresh_from_db()
    assert orientation.status == OrientationStatus.EXPIRED


def test_signals_tell_the_path_what_happened(actor, partner_actor, person, partner_service):
    received = []

    def record(signal_name):
        def receiver(sender, orientation, event, actor, **kwargs):
            received.append((signal_name, orientation.pk, event.action, event.to_status,
                             actor.organisation_id))
        return receiver

    handlers = {name: record(name) for name in
                ("created", "answered", "status_changed")}
    signals.orientation_created.connect(handlers["created"])
    signals.orientation_answered.connect(handlers["answered"])
    signals.orientation_status_changed.connect(handlers["status_changed"])
    try:
        orientation = orient(actor, person, partner_service)
        orientation_accept(actor=partner_actor, orientation=orientation)
    finally:
        signals.orientation_created.disconnect(handlers["created"])
        signals.orientation_answered.disconnect(handlers["answered"])
        signals.orientation_status_changed.disconnect(handlers["status_changed"])
    assert received == [
        ("created", orientation.pk, "send", "sent", actor.organisation_id),
        ("answered", orientation.pk, "accept", "accepted", partner_actor.organisation_id),
        ("status_changed", orientation.pk, "accept", "accepted", partner_actor.organisation_id),
    ]


def test_forbidden_for_a_referent_to_answer_for_the_partner_even_with_a_token(
        person, actor, partner_service, org):
    from passeport.core.services import api_token_create
    orientation = orient(actor, person, partner_service)
    token, _raw = api_token_create(actor=Actor.system(), organisation=org, name="SI")
    with pytest.raises(Forbidden):
        orientation_accept(actor=Actor(api_token=token, channel="api"), orientation=orientation)
