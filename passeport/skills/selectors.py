"""Reads of the skills app. Every read of a person's skills by a professional goes
through `person_get_for(..., scope="skills")` (consent check + audit event)."""

from __future__ import annotations

import re

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from passeport.core.actor import Actor
from passeport.core.errors import NotFound
from passeport.people.enums import ConsentScope
from passeport.people.models import Person
from passeport.people.selectors import person_get_for

from . import credentials as cr
from .models import Award, BadgeClass, Issuer, StatusList

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def issuer_by_uid(uid) -> Issuer:
    issuer = Issuer.objects.filter(uid=uid).first()
    if issuer is None:
        raise NotFound(_("Émetteur introuvable."))
    return issuer


def status_list_by_uid(uid) -> StatusList:
    status = StatusList.objects.select_related("issuer").filter(issuer__uid=uid).first()
    if status is None:
        raise NotFound(_("Liste de statut introuvable."))
    return status


def badge_classes_of(actor: Actor) -> QuerySet[BadgeClass]:
    return BadgeClass.objects.filter(organisation_id=actor.organisation_id, archived=False)


def badge_class_by_uid(uid) -> BadgeClass:
    badge = BadgeClass.objects.select_related("organisation").filter(uid=uid).first()
    if badge is None:
        raise NotFound(_("Badge introuvable."))
    return badge


def award_public(uid) -> Award:
    """An award by its unguessable id (its shareable link): public, no personal data."""
    try:
        award = Award.objects.select_related("badge_class", "organisation").filter(uid=uid).first()
    except Exception:  # noqa: BLE001 - not a UUID
        award = None
    if award is None:
        raise NotFound(_("Badge introuvable."))
    return award


def awards_of_person(person: Person) -> QuerySet[Award]:
    return Award.objects.filter(person=person).select_related("badge_class", "organisation")


def awards_for(actor: Actor, public_id: str) -> tuple[Person, QuerySet[Award]]:
    person = person_get_for(actor, public_id, scope=ConsentScope.SKILLS, what="skills")
    return person, awards_of_person(person)


def local_key_resolver(method: str) -> bytes | None:
    """The public key of one of Passeport's issuers, from its key URL."""
    match = re.fullmatch(rf"{re.escape(cr.base_url())}/badges/emetteurs/({_UUID})/cle", method)
    if match is None:
        return cr.did_key_resolver(method)
    issuer = Issuer.objects.filter(uid=match.group(1)).first()
    if issuer is None:
        return None
    return cr.public_key_from_multibase(issuer.public_key_multibase)


def local_status_bits(url: str) -> bytes | None:
    match = re.fullmatch(rf"{re.escape(cr.base_url())}/badges/statut/({_UUID})", url)
    if match is None:
        return None
    status = StatusList.objects.filter(issuer__uid=match.group(1)).only("bits").first()
    return bytes(status.bits) if status else None


def credential_verify(credential: dict, *, now=None) -> cr.Verification:
    """Verify a credential issued by Passeport (keys and status lists from the database)."""
    return cr.verify_credential(credential, resolve_key=local_key_resolver,
                                status_bits=local_status_bits, now=now)
