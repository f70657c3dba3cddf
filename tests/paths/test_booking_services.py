"""Booking invitations: the référent proposes slots, the person picks one (in their
space or through a single-use link) and exactly one appointment is created."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from passeport.core.actor import Actor
from passeport.core.errors import Conflict, NotFound, PasseportError
from passeport.core.models import AuditEvent
from passeport.paths.booking_selectors import (
    invitation_for_link,
    invitations_open_for_person,
    invitations_unanswered,
)
from passeport.paths.booking_services import (
    SlotIn,
    booking_cancel,
    booking_choose,
    booking_choose_by_link,
    booking_decline,
    booking_decline_by_link,
    booking_invite,
)
from passeport.paths.enums import AppointmentOutcome, BookingStatus, EventKind
from passeport.paths.models import BookingInvitation, BookingSlot, TimelineEvent
from tests.factories import UserFactory

from .booking_helpers import at, deadline, slots


@pytest.fixture
def with_account(followed_path):
    person = followed_path.person
    person.user = UserFactory(email="elodie@example.org")
    person.save()
    return Actor(user=person.user, membership=None)


def test_invite_stores_the_slots_a_note_and_an_audit_event(actor, followed_path):
    created = booking_invite(actor=actor, path=followed_path, slots=slots((4, 14), (3, 10)),
                             answer_by=deadline(), motive="  Faire le point   sur votre CV ")
    invitation = created.invitation
    assert invitation.status == BookingStatus.PENDING and invitation.motive == "Faire le point sur votre CV"
    assert invitation.referent == actor.membership and invitation.with_name == "Rozenn Le Bihan"
    assert [s.starts_at for s in invitation.slots.all()] == [at(3, 10), at(4, 14)]
    # No account: a link token, stored only hashed.
    assert created.raw_token and invitation.token_hash and created.raw_token not in invitation.token_hash
    note = followed_path.events.get(kind=EventKind.NOTE)
    assert note.title.startswith("Invitation à choisir un rendez-vous (2 créneaux")
    assert AuditEvent.objects.filter(object_type="booking_invitation", action="create",
                                      person_uid=followed_path.person.public_id).count() == 1


def test_a_person_with_an_account_gets_no_link(actor, followed_path, with_account):
    created = booking_invite(actor=actor, path=followed_path, slots=slots(), answer_by=deadline())
    assert created.raw_token == "" and created.invitation.token_hash is None


BAD = [
    (slots((3, 10)), deadline(), "slots_count", "Proposez entre 2 et 10 créneaux."),
    (slots(*[(d, 10) for d in range(1, 12)]), deadline(1), "slots_count", "Proposez entre 2 et 10"),
    ([SlotIn(at(-1, 10), 45, "on_site", "Brest"), *slots()], deadline(), "slot_in_past",
     "Créneau 1 : cette date est passée"),
    (slots((3, 10)) + [SlotIn(at(3, 10, 30), 30, "phone", "")], deadline(), "slots_overlap",
     "Créneau 2 : il chevauche le créneau 1"),
    (slots(mode="on_site", place=" "), deadline(), "slot_place_required",
     "Créneau 1 : indiquez le lieu"),
    ([SlotIn(at(3, 10), 5, "phone", ""), *slots((4, 10))], deadline(), "slot_duration",
     "entre 10 et 240 minutes"),
    (slots(), deadline(-1), "deadline_in_past", "La date limite de réponse est passée"),
    (slots(), deadline(10), "deadline_after_slots", "après le dernier créneau"),
    (slots((400, 10), (401, 10)), deadline(), "slot_too_far", "365 jours"),
]


@pytest.mark.parametrize(("given", "answer_by", "code", "message"), BAD)
def test_bad_slots_are_refused_in_french_and_nothing_is_stored(actor, followed_path, given,
                                                               answer_by, code, message):
    events = followed_path.events.count()
    with pytest.raises(PasseportError) as exc:
        booking_invite(actor=actor, path=followed_path, slots=given, answer_by=answer_by)
    assert exc.value.code == code and message in exc.value.message
    assert BookingInvitation.objects.count() == 0 and BookingSlot.objects.count() == 0
    assert followed_path.events.count() == events and not AuditEvent.objects.filter(
        object_type="booking_invitation").exists()


def test_another_organisation_cannot_invite(outsider_actor, followed_path):
    with pytest.raises(NotFound):
        booking_invite(actor=outsider_actor, path=followed_path, slots=slots(), answer_by=deadline())


def test_choosing_in_the_space_creates_exactly_one_appointment(actor, followed_path, with_account):
    invitation = booking_invite(actor=actor, path=followed_path, slots=slots(),
                                answer_by=deadline(), motive="Point emploi").invitation
    second = invitation.slots.all()[1]
    event = booking_choose(actor=with_account, invitation=invitation, slot_id=second.pk)
    assert event.kind == EventKind.APPOINTMENT and event.appointment_outcome == AppointmentOutcome.PLANNED
    assert event.occurred_at == at(4, 14) and event.by_person and event.organisation == followed_path.organisation
    assert event.title == "Rendez-vous choisi : Point emploi" and "Rozenn Le Bihan" in event.body
    invitation.refresh_from_db()
    assert invitation.status == BookingStatus.BOOKED and invitation.appointment == event
    assert invitation.chosen_slot == second and invitation.answered_via == "space"
    # A second choice is refused; still one appointment.
    with pytest.raises(Conflict) as exc:
        booking_choose(actor=with_account, invitation=invitation, slot_id=invitation.slots.first().pk)
    assert exc.value.code == "already_answered"
    assert followed_path.events.filter(kind=EventKind.APPOINTMENT).count() == 1
    assert invitations_open_for_person(followed_path) == []


def test_only_the_person_chooses_and_only_a_slot_of_the_invitation(actor, followed_path, with_account):
    invitation = booking_invite(actor=actor, path=followed_path, slots=slots(),
                                answer_by=deadline()).invitation
    with pytest.raises(NotFound):
        booking_choose(actor=actor, invitation=invitation, slot_id=invitation.slots.first().pk)
    stranger = Actor(user=UserFactory(), membership=None)
    with pytest.raises(NotFound):
        booking_choose(actor=stranger, invitation=invitation, slot_id=invitation.slots.first().pk)
    with pytest.raises(PasseportError) as exc:
        booking_choose(actor=with_account, invitation=invitation, slot_id=999999)
    assert exc.value.code == "invalid_slot"
    assert not TimelineEvent.objects.filter(kind=EventKind.APPOINTMENT).exists()


def test_the_link_is_single_use(actor, followed_path):
    created = booking_invite(actor=actor, path=followed_path, slots=slots(), answer_by=deadline())
    slot = created.invitation.slots.first()
    assert invitation_for_link(created.raw_token) == created.invitation
    event = booking_choose_by_link(raw_token=created.raw_token, slot_id=slot.pk)
    assert event.by_person and event.author is None
    with pytest.raises(NotFound):
        booking_choose_by_link(raw_token=created.raw_token, slot_id=slot.pk)
    with pytest.raises(NotFound):
        invitation_for_link(created.raw_token)
    with pytest.raises(NotFound):
        booking_decline_by_link(raw_token=created.raw_token)
    assert followed_path.events.filter(kind=EventKind.APPOINTMENT).count() == 1
    assert AuditEvent.objects.filter(object_type="booking_invitation", action="update",
                                     detail__via="link").count() == 1


def test_the_link_expires_at_the_deadline(actor, followed_path):
    created = booking_invite(actor=actor, path=followed_path, slots=slots(), answer_by=deadline(0))
    BookingInvitation.objects.filter(pk=created.invitation.pk).update(
        answer_by=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(NotFound):
        invitation_for_link(created.raw_token)
    with pytest.raises(Conflict) as exc:
        booking_choose_by_link(raw_token=created.raw_token,
                               slot_id=created.invitation.slots.first().pk)
    assert exc.value.code == "invitation_expired"
    assert not followed_path.events.filter(kind=EventKind.APPOINTMENT).exists()
    # The référent sees it "sans réponse".
    assert invitations_unanswered(followed_path) == [created.invitation]


def test_a_wrong_token_is_not_found(actor, followed_path):
    booking_invite(actor=actor, path=followed_path, slots=slots(), answer_by=deadline())
    for token in ("", "nope", "x" * 43):
        with pytest.raises(NotFound):
            invitation_for_link(token)


def test_none_suits_me_tells_the_referent(actor, followed_path, with_account):
    invitation = booking_invite(actor=actor, path=followed_path, slots=slots(),
                                answer_by=deadline()).invitation
    event = booking_decline(actor=with_account, invitation=invitation,
                            message="Je travaille le matin.")
    assert event.kind == EventKind.MESSAGE and event.by_person and event.seen_by_referent_at is None
    assert event.title == "Aucun créneau ne me convient" and event.body == "Je travaille le matin."
    invitation.refresh_from_db()
    assert invitation.status == BookingStatus.DECLINED
    with pytest.raises(Conflict):
        booking_choose(actor=with_account, invitation=invitation, slot_id=invitation.slots.first().pk)


def test_decline_by_link_then_the_link_is_dead(actor, followed_path):
    created = booking_invite(actor=actor, path=followed_path, slots=slots(), answer_by=deadline())
    booking_decline_by_link(raw_token=created.raw_token, message="")
    with pytest.raises(NotFound):
        booking_choose_by_link(raw_token=created.raw_token,
                               slot_id=created.invitation.slots.first().pk)


def test_cancel_kills_the_link(actor, followed_path):
    created = booking_invite(actor=actor, path=followed_path, slots=slots(), answer_by=deadline())
    booking_cancel(actor=actor, invitation=created.invitation)
    with pytest.raises(NotFound):
        invitation_for_link(created.raw_token)
    with pytest.raises(Conflict):
        booking_cancel(actor=actor, invitation=created.invitation)


def test_a_slot_passed_meanwhile_cannot_be_chosen(actor, followed_path):
    created = booking_invite(actor=actor, path=followed_path, slots=slots(), answer_by=deadline())
    slot = created.invitation.slots.first()
    BookingSlot.objects.filter(pk=slot.pk).update(starts_at=timezone.now() - dt.timedelta(hours=1))
    with pytest.raises(PasseportError) as exc:
        booking_choose_by_link(raw_token=created.raw_token, slot_id=slot.pk)
    assert exc.value.code == "slot_in_past"
    assert invitation_for_link(created.raw_token)  # still usable for another slot


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_uses_of_the_link_create_one_appointment(org, referent, followed_path):
    """Two requests with the same link at the same instant: the row lock lets one book and
    the other is refused (PostgreSQL; SQLite serialises writes anyway)."""
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter")
    actor = Actor(user=referent.user, membership=referent)
    created = booking_invite(actor=actor, path=followed_path, slots=slots(), answer_by=deadline())
    ids = [s.pk for s in created.invitation.slots.all()]
    barrier, results = threading.Barrier(2), []

    def choose(slot_id):
        try:
            barrier.wait()
            booking_choose_by_link(raw_token=created.raw_token, slot_id=slot_id)
            results.append("booked")
        except (NotFound, Conflict) as exc:
            results.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=choose, args=(pk,)) for pk in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["booked", "link_used"]
    assert TimelineEvent.objects.filter(path=followed_path, kind=EventKind.APPOINTMENT).count() == 1
