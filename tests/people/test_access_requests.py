"""Access requests: a professional asks, the person answers. The request never tells
whether a passport number exists; accepting opens the passport through the consent
service, refusing opens nothing; requests expire; every write is audited."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.utils import timezone

from passeport.core.actor import Actor
from passeport.core.enums import AuditAction
from passeport.core.errors import Conflict, NotFound, PasseportError, TooManyRequests
from passeport.core.models import AuditEvent
from passeport.people.enums import AccessRequestStatus, ConsentMethod, ConsentScope
from passeport.people.models import AccessRequest, Consent
from passeport.people.selectors import (
    access_request_get_for,
    access_requests_of_organisation,
    access_requests_pending_for,
    person_get_for,
)
from passeport.people.services import (
    access_request_accept,
    access_request_create,
    access_request_refuse,
)
from tests.factories import MembershipFactory, PersonFactory, UserFactory

UNKNOWN = "ZZZZ-ZZZZ-ZZZZ"


@pytest.fixture
def person(followed_path):
    """Élodie, followed by the mission locale, with her own account."""
    person = followed_path.person
    person.user = UserFactory(email="elodie@example.org")
    person.save()
    return person


@pytest.fixture
def person_actor(person):
    return Actor(user=person.user, membership=None)


def ask(actor, public_id, **kwargs):
    kwargs.setdefault("scopes", [ConsentScope.PATH, ConsentScope.SKILLS])
    kwargs.setdefault("purpose", "Préparer une immersion au chantier")
    return access_request_create(actor=actor, public_id=public_id, **kwargs)


def test_request_does_not_reveal_whether_the_number_exists(
        outsider_actor, person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        real = ask(outsider_actor, person.public_id.lower().replace("-", " "))
        fake = ask(outsider_actor, UNKNOWN)
    # Same answer either way: pending, no person named, same expiry rule.
    for req in (real, fake):
        assert req.current_status == AccessRequestStatus.PENDING
        assert req.expires_at - req.created_at == dt.timedelta(days=30)
    assert real.public_id == person.public_id  # the typed number, normalised
    listed = {r.public_id: r for r in access_requests_of_organisation(outsider_actor)}
    assert set(listed) == {person.public_id, UNKNOWN}
    # Still no access to the passport before the person answers.
    with pytest.raises(NotFound):
        person_get_for(outsider_actor, person.public_id, scope=ConsentScope.PATH)
    # The person is told by e-mail, with the organisation's name only.
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["elodie@example.org"]
    assert "PLIE de Cornouaille" in sent.body
    for secret in (person.first_name, person.last_name, person.public_id,
                   "Préparer une immersion"):
        assert secret not in sent.body and secret not in sent.subject


def test_accept_grants_the_scopes_in_app_and_the_organisation_then_sees(
        outsider_actor, person, person_actor, other_org):
    req = ask(outsider_actor, person.public_id)
    assert list(access_requests_pending_for(person)) == [req]
    consents = access_request_accept(actor=person_actor, access_request=req)
    assert {c.scope for c in consents} == {ConsentScope.PATH, ConsentScope.SKILLS}
    for c in consents:
        assert c.organisation == other_org and c.is_active
        assert c.method == ConsentMethod.IN_APP
        assert c.purpose == "Préparer une immersion au chantier"
        assert c.recorded_by == person.user
    req.refresh_from_db()
    assert req.status == AccessRequestStatus.ACCEPTED and req.decided_at is not None
    assert person_get_for(outsider_actor, person.public_id, scope=ConsentScope.PATH) == person
    assert list(access_requests_pending_for(person)) == []
    # Audited: the request, the consents, the decision.
    events = AuditEvent.objects.filter(person_uid=person.public_id)
    assert events.filter(action=AuditAction.CREATE, object_type="access_request",
                         organisation=other_org).exists()
    assert events.filter(action=AuditAction.CONSENT_GRANT, actor=person.user).count() == 2
    decision = events.get(action=AuditAction.UPDATE, object_type="access_request")
    assert decision.detail["decision"] == "accepted" and decision.actor == person.user


def test_refuse_grants_nothing(outsider_actor, person, person_actor, other_org):
    req = ask(outsider_actor, person.public_id)
    before = Consent.objects.count()
    access_request_refuse(actor=person_actor, access_request=req)
    req.refresh_from_db()
    assert req.status == AccessRequestStatus.REFUSED
    assert Consent.objects.count() == before
    assert not Consent.objects.filter(organisation=other_org).exists()
    with pytest.raises(NotFound):
        person_get_for(outsider_actor, person.public_id, scope=ConsentScope.PATH)
    assert AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="access_request"
                                  ).detail["decision"] == "refused"
    # Answered once: no second answer.
    with pytest.raises(Conflict) as exc:
        access_request_accept(actor=person_actor, access_request=req)
    assert exc.value.code == "access_request_decided"
    assert not Consent.objects.filter(organisation=other_org).exists()


def test_a_request_expires_after_30_days(outsider_actor, person, person_actor, other_org):
    req = ask(outsider_actor, person.public_id)
    AccessRequest.objects.filter(pk=req.pk).update(
        created_at=timezone.now() - dt.timedelta(days=31),
        expires_at=timezone.now() - dt.timedelta(days=1))
    req.refresh_from_db()
    assert req.current_status == AccessRequestStatus.EXPIRED
    assert list(access_requests_pending_for(person)) == []
    assert list(access_requests_of_organisation(outsider_actor, AccessRequestStatus.EXPIRED)) == [req]
    assert list(access_requests_of_organisation(outsider_actor, AccessRequestStatus.PENDING)) == []
    with pytest.raises(Conflict) as exc:
        access_request_accept(actor=person_actor, access_request=req)
    assert exc.value.code == "access_request_expired"
    assert not Consent.objects.filter(organisation=other_org).exists()
    # Once expired, the organisation may ask again.
    assert ask(outsider_actor, person.public_id).is_pending


def test_only_the_person_answers_and_other_organisations_do_not_see(
        outsider_actor, actor, person, person_actor, other_org):
    req = ask(outsider_actor, person.public_id)
    assert access_request_get_for(outsider_actor, req.pk) == req
    assert access_request_get_for(person_actor, req.pk) == req
    someone = PersonFactory(user=UserFactory())
    for stranger in (actor, Actor(user=someone.user)):
        with pytest.raises(NotFound):
            access_request_get_for(stranger, req.pk)
        assert req not in access_requests_of_organisation(stranger)
    # The requesting organisation cannot accept on the person's behalf, nor can a colleague.
    colleague = MembershipFactory(organisation=other_org)
    for not_the_person in (outsider_actor, actor, Actor(user=colleague.user, membership=colleague),
                           Actor(user=someone.user)):
        with pytest.raises(NotFound):
            access_request_accept(actor=not_the_person, access_request=req)
    assert not Consent.objects.filter(organisation=other_org).exists()


@pytest.mark.parametrize(("kwargs", "code", "field"), [
    ({"public_id": "pas un numéro"}, "invalid_public_id", "public_id"),
    ({"scopes": []}, "no_scope", "scopes"),
    ({"scopes": ["everything"]}, "invalid_scope", "scopes"),
    ({"purpose": "   "}, "purpose_required", "purpose"),
    ({"purpose": "x" * 251}, "purpose_too_long", "purpose"),
    ({"message": "x" * 1001}, "message_too_long", "message"),
])
def test_bad_input_writes_nothing(outsider_actor, person, kwargs, code, field):
    kwargs = {"public_id": person.public_id, **kwargs}
    with pytest.raises(PasseportError) as exc:
        ask(outsider_actor, **kwargs)
    assert (exc.value.code, exc.value.field) == (code, field)
    assert not AccessRequest.objects.exists()
    assert not AuditEvent.objects.filter(object_type="access_request").exists()


def test_bad_input_reports_every_field_at_once(outsider_actor):
    with pytest.raises(PasseportError) as exc:
        ask(outsider_actor, public_id="pas un numéro", scopes=[], purpose=" ")
    assert (exc.value.code, exc.value.field) == ("invalid_public_id", "public_id")  # the first
    assert [(e.code, e.field) for e in exc.value.errors] == [
        ("invalid_public_id", "public_id"), ("no_scope", "scopes"), ("purpose_required", "purpose")]
    assert [e["field"] for e in exc.value.details["errors"]] == ["public_id", "scopes", "purpose"]
    assert not AccessRequest.objects.exists()


def test_a_person_cannot_send_a_request(person_actor, person):
    with pytest.raises(PasseportError):
        ask(person_actor, person.public_id)


def test_one_pending_request_per_number(outsider_actor, person):
    ask(outsider_actor, person.public_id)
    with pytest.raises(Conflict) as exc:
        ask(outsider_actor, person.public_id)
    assert exc.value.code == "access_request_pending"
    assert AccessRequest.objects.count() == 1


def test_throttled_per_member_and_per_organisation(outsider_actor, other_org, settings):
    settings.PASSEPORT_ACCESS_REQUESTS_PER_HOUR = 3
    settings.PASSEPORT_ACCESS_REQUESTS_PER_HOUR_ORG = 5
    numbers = [f"AAAA-AAAA-AA{n:02d}" for n in range(10)]
    for number in numbers[:3]:
        ask(outsider_actor, number)
    with pytest.raises(TooManyRequests) as exc:
        ask(outsider_actor, numbers[3])
    assert exc.value.code == "access_request_throttled" and exc.value.status == 429
    # A colleague may still ask, up to the organisation's limit.
    colleague = MembershipFactory(organisation=other_org)
    colleague_actor = Actor(user=colleague.user, membership=colleague)
    ask(colleague_actor, numbers[4])
    ask(colleague_actor, numbers[5])
    with pytest.raises(TooManyRequests):
        ask(colleague_actor, numbers[6])
    assert AccessRequest.objects.count() == 5
    # An hour later, the counter is free again.
    AccessRequest.objects.update(created_at=timezone.now() - dt.timedelta(minutes=61))
    ask(outsider_actor, numbers[7])


@pytest.mark.parametrize(("decide", "word"), [(access_request_accept, "acceptée"),
                                              (access_request_refuse, "refusée")])
def test_the_professional_who_asked_is_told_the_decision_only(
        outsider_actor, outsider, person, person_actor, decide, word,
        django_capture_on_commit_callbacks):
    req = ask(outsider_actor, person.public_id, message="Vu au forum")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decide(actor=person_actor, access_request=req)
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [outsider.user.email]
    assert f"Votre demande d'accès au passeport n° {person.public_id} a été {word}." in sent.body
    for secret in (person.first_name, person.last_name, person.user.email,
                   "Préparer une immersion", "Vu au forum", "parcours"):
        assert secret not in sent.body and secret not in sent.subject


def test_no_mail_when_the_professional_has_no_address(
        outsider_actor, outsider, person, person_actor, django_capture_on_commit_callbacks):
    req = ask(outsider_actor, person.public_id)
    outsider.user.email = ""
    outsider.user.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        access_request_accept(actor=person_actor, access_request=req)
    assert mail.outbox == []


def test_the_person_accepts_only_some_of_the_scopes(
        outsider_actor, outsider, person, person_actor, other_org,
        django_capture_on_commit_callbacks):
    req = ask(outsider_actor, person.public_id)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        consents = access_request_accept(actor=person_actor, access_request=req,
                                         scopes=[ConsentScope.SKILLS])
    assert [c.scope for c in consents] == [ConsentScope.SKILLS]
    assert {c.scope for c in Consent.objects.active().filter(organisation=other_org)} == {
        ConsentScope.SKILLS}
    req.refresh_from_db()
    assert req.status == AccessRequestStatus.ACCEPTED
    assert req.granted_scopes == [ConsentScope.SKILLS] and req.is_partly_accepted
    with pytest.raises(NotFound):  # the path was not opened
        person_get_for(outsider_actor, person.public_id, scope=ConsentScope.PATH)
    decision = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="access_request")
    assert decision.detail["granted_scopes"] == [ConsentScope.SKILLS]
    assert "a été acceptée en partie." in mail.outbox[0].body


@pytest.mark.parametrize(("scopes", "code"), [([], "scopes_required"),
                                              ([ConsentScope.DOCUMENTS], "scope_not_asked"),
                                              ([ConsentScope.PATH, "everything"], "scope_not_asked")])
def test_accepting_no_scope_or_one_not_asked_writes_nothing(
        outsider_actor, person, person_actor, other_org, scopes, code):
    req = ask(outsider_actor, person.public_id)
    with pytest.raises(PasseportError) as exc:
        access_request_accept(actor=person_actor, access_request=req, scopes=scopes)
    assert (exc.value.code, exc.value.field) == (code, "scopes")
    req.refresh_from_db()
    assert req.status == AccessRequestStatus.PENDING and req.granted_scopes == []
    assert not Consent.objects.filter(organisation=other_org).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE,
                                         object_type="access_request").exists()


def test_the_daily_command_stores_expired_once(outsider_actor, person, person_actor):
    from django.core.management import call_command

    old = ask(outsider_actor, person.public_id)
    fresh = ask(outsider_actor, UNKNOWN)
    answered = ask(outsider_actor, "AAAA-AAAA-AAA1")
    AccessRequest.objects.filter(pk__in=[old.pk, answered.pk]).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1))
    AccessRequest.objects.filter(pk=answered.pk).update(
        status=AccessRequestStatus.REFUSED, decided_at=timezone.now())
    out = io.StringIO()
    call_command("access_requests_expire", stdout=out)
    assert "Demandes d'accès expirées : 1." in out.getvalue()
    statuses = dict(AccessRequest.objects.values_list("pk", "status"))
    assert statuses == {old.pk: AccessRequestStatus.EXPIRED, fresh.pk: AccessRequestStatus.PENDING,
                        answered.pk: AccessRequestStatus.REFUSED}
    event = AuditEvent.objects.get(object_type="access_request", detail__status="expired")
    assert event.object_id == str(old.pk) and event.person_uid == person.public_id
    assert event.channel == "system"
    # Re-running changes nothing; the person still cannot answer.
    call_command("access_requests_expire", stdout=io.StringIO())
    assert AuditEvent.objects.filter(detail__status="expired").count() == 1
    with pytest.raises(Conflict) as exc:
        access_request_accept(actor=person_actor, access_request=old)
    assert exc.value.code == "access_request_expired"


def test_parts_already_open_to_the_organisation_are_not_asked_again(actor, org):
    """The organisation already holds the person's « path » consent: asking for it again
    is refused (it sees the person, so nothing is revealed), and a request for more only
    asks the parts it lacks (review finding)."""
    from passeport.core.errors import Conflict
    from passeport.people.services import access_request_create
    from tests.factories import ConsentFactory, PersonFactory

    person = PersonFactory()
    ConsentFactory(person=person, organisation=org, scope="path")
    with pytest.raises(Conflict) as exc:
        access_request_create(actor=actor, public_id=person.public_id, scopes=["path"], purpose="Suivi")
    assert exc.value.code == "already_granted"
    request = access_request_create(actor=actor, public_id=person.public_id, scopes=["path", "rights"],
                                    purpose="Repérer ses droits")
    assert request.scopes == ["rights"]


@pytest.mark.parametrize("typed", ["bcde fghj kmnp", "BCDEFGHJKMNP", "bcde-fghj-kmnp"])
def test_a_number_without_digits_is_still_a_number_in_the_request(outsider_actor, person, typed):
    """About 1 passport number in 90 has no digit: the request's field asks for the
    number, so twelve letters are read as the number however they are typed (the
    caseload's search box, which also takes names, reads them as a name)."""
    person.public_id = "BCDE-FGHJ-KMNP"
    person.save()
    assert ask(outsider_actor, typed).person == person
