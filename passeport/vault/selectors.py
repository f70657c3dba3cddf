"""Reads of the safe. Every read starts from `safe_get_for`: the person's own safe, or
a professional's view of it through the consent check of the "documents" scope (which
records an audit event). Outside that, NotFound."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from passeport.core.actor import Actor
from passeport.core.errors import NotFound
from passeport.core.models import Organisation
from passeport.people.enums import ConsentScope
from passeport.people.models import Consent, Person
from passeport.people.selectors import person_get_for

from . import ledger
from .enums import LogAction
from .models import Document, DocumentVersion, LogEntry, Share
from .perms import ensure_owner, is_owner


@dataclass
class Safe:
    """A person's safe as seen by an actor."""

    person: Person
    actor: Actor
    owner: bool

    @property
    def organisation_id(self) -> int | None:
        return None if self.owner else self.actor.organisation_id


def safe_get_for(actor: Actor, public_id: str) -> Safe:
    person = person_get_for(actor, public_id, scope=ConsentScope.DOCUMENTS, what="documents")
    return Safe(person=person, actor=actor, owner=is_owner(actor, person))


def safe_of_person(actor: Actor, person: Person) -> Safe:
    """The person's own safe (pages of the person's space, where `person` comes from
    the logged-in user)."""
    ensure_owner(actor, person)
    return Safe(person=person, actor=actor, owner=True)


def _versions_prefetch() -> Prefetch:
    return Prefetch("versions", queryset=DocumentVersion.objects.order_by("-number"))


def documents_of(safe: Safe) -> QuerySet[Document]:
    """All the person's documents for the person; for a professional, those an active
    share opens to their organisation."""
    qs = Document.objects.filter(person=safe.person)
    if not safe.owner:
        qs = qs.shared_with(safe.organisation_id)
    return qs.prefetch_related(_versions_prefetch()).order_by("category", "title", "-created_at")


def _parse_uid(uid) -> uuid.UUID:
    try:
        return uuid.UUID(str(uid))
    except ValueError:
        raise NotFound(_("Document introuvable.")) from None


def document_get_for(safe: Safe, uid, *, record_view: bool = False) -> Document:
    """One document of the safe that the actor may see (NotFound otherwise). With
    `record_view`, the view is appended to the safe's log."""
    document = documents_of(safe).filter(uid=_parse_uid(uid)).first()
    if document is None:
        raise NotFound(_("Document introuvable."))
    if record_view:
        latest = latest_version(document)
        ledger.append(safe.actor, action=LogAction.VIEW, person_uid=safe.person.public_id,
                      document_uid=str(document.uid), version=latest.number if latest else None,
                      sha256=latest.sha256 if latest else "")
    return document


def document_by_uid_for(actor: Actor, uid, *, record_view: bool = False) -> tuple[Safe, Document]:
    """For URLs that name only the document: its person's safe, through the same checks."""
    person_uid = (Document.objects.filter(uid=_parse_uid(uid))
                  .values_list("person__public_id", flat=True).first())
    if person_uid is None:
        raise NotFound(_("Document introuvable."))
    safe = safe_get_for(actor, person_uid)
    return safe, document_get_for(safe, uid, record_view=record_view)


def latest_version(document: Document) -> DocumentVersion | None:
    versions = list(document.versions.all())  # prefetched, newest first
    return max(versions, key=lambda v: v.number) if versions else None


def version_get(document: Document, number: int | None = None) -> DocumentVersion:
    versions = {v.number: v for v in document.versions.all()}
    if not versions:
        raise NotFound(_("Ce document n'a pas de fichier."))
    version = versions.get(number if number is not None else max(versions))
    if version is None:
        raise NotFound(_("Cette version du document n'existe pas."))
    return version


def shares_of(safe: Safe) -> QuerySet[Share]:
    ensure_owner(safe.actor, safe.person)
    return (Share.objects.filter(person=safe.person).select_related("organisation", "document")
            .order_by("-created_at", "-id"))


def share_get_for(safe: Safe, share_id: int) -> Share:
    share = shares_of(safe).filter(pk=share_id).first()
    if share is None:
        raise NotFound(_("Partage introuvable."))
    return share


def document_shares(document: Document) -> QuerySet[Share]:
    """Active shares that cover the document (its own and its category's)."""
    from django.db.models import Q

    return (Share.objects.active().filter(person_id=document.person_id)
            .filter(Q(document=document) | Q(document__isnull=True, category=document.category))
            .select_related("organisation").order_by("organisation__name"))


def sharable_organisations(person: Person) -> QuerySet[Organisation]:
    """The organisations that follow the person (an active consent of any scope)."""
    orgs = Consent.objects.active().filter(person=person).values("organisation_id")
    return Organisation.objects.filter(pk__in=orgs).order_by("name")


def log_of(safe: Safe) -> QuerySet[LogEntry]:
    """The log of the person's documents, newest first (the person only)."""
    ensure_owner(safe.actor, safe.person)
    return LogEntry.objects.filter(person_uid=safe.person.public_id).order_by("-seq")
