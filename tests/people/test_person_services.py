import datetime as dt

import pytest

from passeport.core.errors import NotFound, PasseportError
from passeport.core.models import AuditEvent
from passeport.people.enums import ConsentScope
from passeport.people.models import Consent, Person
from passeport.people.selectors import person_get_for
from passeport.people.services import (
    DuplicateSuspected,
    consent_withdraw,
    person_create,
)

VALID_NIR = "2 90 05 29 019 123 11"  # key 11 = 97 - (2900529019123 mod 97)


def test_valid_nir_fixture_is_valid():
    from stdnum.fr import nir

    assert nir.is_valid(VALID_NIR)


@pytest.mark.django_db
def test_create_person_records_consent_and_audit(actor, org):
    person = person_create(actor=actor, data={"first_name": "Élodie", "last_name": "Kérouac",
                                              "birth_date": dt.date(1990, 5, 17)}, nir=VALID_NIR)
    assert len(person.public_id) == 14 and person.public_id.count("-") == 2
    assert person.nir == "290052901912311"
    assert "290052901912311" not in person.nir_sealed
    consent = Consent.objects.get(person=person)
    assert consent.organisation == org and consent.scope == ConsentScope.PATH and consent.is_active
    assert AuditEvent.objects.filter(person_uid=person.public_id, action="create").exists()


@pytest.mark.django_db
def test_duplicate_detected_accent_and_case_insensitive(actor):
    person_create(actor=actor, data={"first_name": "Élodie", "last_name": "Kérouac",
                                     "birth_date": dt.date(1990, 5, 17)})
    with pytest.raises(DuplicateSuspected) as exc:
        person_create(actor=actor, data={"first_name": "ELODIE", "last_name": "kerouac",
                                         "birth_date": dt.date(1990, 5, 17)})
    assert exc.value.candidates[0].person.last_name == "Kérouac"
    assert Person.objects.count() == 1
    # Another birth date: not a duplicate.
    person_create(actor=actor, data={"first_name": "Elodie", "last_name": "Kerouac",
                                     "birth_date": dt.date(1991, 5, 17)})
    assert Person.objects.count() == 2


@pytest.mark.django_db
def test_duplicate_by_nir_even_with_other_names(actor):
    person_create(actor=actor, data={"first_name": "Anne", "last_name": "Martin",
                                     "birth_date": dt.date(1990, 5, 17)}, nir=VALID_NIR)
    with pytest.raises(DuplicateSuspected):
        person_create(actor=actor, data={"first_name": "Annie", "last_name": "Durand",
                                         "birth_date": dt.date(1980, 1, 1)}, nir=VALID_NIR)


@pytest.mark.django_db
def test_invalid_nir_is_rejected_and_nothing_stored(actor):
    with pytest.raises(PasseportError) as exc:
        person_create(actor=actor, data={"first_name": "Anne", "last_name": "Martin",
                                         "birth_date": dt.date(1990, 5, 17)}, nir="290052901912399")
    assert exc.value.code == "invalid_nir"
    assert Person.objects.count() == 0 and Consent.objects.count() == 0


@pytest.mark.django_db
def test_withdrawn_consent_cuts_access_immediately(actor, outsider_actor):
    person = person_create(actor=actor, data={"first_name": "Anne", "last_name": "Martin",
                                              "birth_date": dt.date(1990, 5, 17)})
    assert person_get_for(actor, person.public_id, scope=ConsentScope.PATH) == person
    with pytest.raises(NotFound):
        person_get_for(outsider_actor, person.public_id, scope=ConsentScope.PATH)
    consent_withdraw(actor=actor, consent=Consent.objects.get(person=person))
    with pytest.raises(NotFound):
        person_get_for(actor, person.public_id, scope=ConsentScope.PATH)


@pytest.mark.django_db
def test_every_read_leaves_an_audit_event(actor):
    person = person_create(actor=actor, data={"first_name": "Anne", "last_name": "Martin",
                                              "birth_date": dt.date(1990, 5, 17)})
    before = AuditEvent.objects.filter(person_uid=person.public_id, action="view").count()
    person_get_for(actor, person.public_id, scope=ConsentScope.PATH)
    event = AuditEvent.objects.filter(person_uid=person.public_id, action="view").latest("id")
    assert AuditEvent.objects.filter(person_uid=person.public_id, action="view").count() == before + 1
    assert event.actor == actor.user and event.organisation == actor.organisation
    assert event.consent_id == Consent.objects.get(person=person).pk
