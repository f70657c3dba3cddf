"""Reads of the people app. Every read of a person's data by a professional goes
through `person_get_for` (consent check + audit event) or `persons_visible_to`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from passeport.core.actor import Actor
from passeport.core.enums import AuditAction
from passeport.core.errors import NotFound
from passeport.core.models import AuditEvent
from passeport.core.services import audit_record, audit_record_many
from passeport.core.text import normalize

from .enums import AccessRequestStatus, ConsentScope
from .models import AccessRequest, Consent, Invitation, Person, nir_hash


def persons_visible_to(actor: Actor, scope: str | None = None) -> QuerySet[Person]:
    """Persons whose active consent covers the actor's organisation (and scope)."""
    org_id = actor.organisation_id
    if org_id is None:
        return Person.objects.none()
    return Person.objects.with_consent(org_id, scope)


def active_consent(person: Person, organisation_id: int | None, scope: str) -> Consent | None:
    if organisation_id is None:
        return None
    return (
        Consent.objects.active()
        .filter(person=person, organisation_id=organisation_id, scope=scope)
        .order_by("-recorded_at")
        .first()
    )


def person_get_for(actor: Actor, public_id: str, *, scope: str, what: str = "person") -> Person:
    """The person, if the actor's organisation holds an active consent for `scope`.

    Records an audit event for the read. Raises NotFound otherwise (never reveals
    whether the passport exists). `person.current_consent` is the consent used.
    """
    person = Person.objects.filter(public_id=public_id).first()
    if person is None:
        raise NotFound(_("Passeport introuvable."))
    if actor.user is not None and person.user_id == actor.user.pk and actor.membership is None:
        person.current_consent = None  # the person reads their own passport
        return person
    consent = active_consent(person, actor.organisation_id, scope)
    if consent is None:
        raise NotFound(_("Passeport introuvable."))
    person.current_consent = consent
    audit_record(actor, action=AuditAction.VIEW, object_type=what, object_id=person.public_id,
                 person_uid=person.public_id, consent_id=consent.pk, detail={"scope": scope})
    return person


def person_for_user(user) -> Person | None:
    if user is None or not user.is_authenticated:
        return None
    return Person.objects.filter(user=user).first()


@dataclass
class DuplicateCandidate:
    person: Person
    reason: str
    visible: bool  # the actor's organisation already has consent

    def as_dict(self) -> dict:
        p = self.person
        return {
            "public_id": p.public_id,
            "first_name": p.first_name,
            "last_name": p.last_name,
            "birth_date": p.birth_date.isoformat(),
            "commune": p.commune_name,
            "reason": self.reason,
            "already_followed": self.visible,
        }


def _similar(a: str, b: str) -> bool:
    a, b = normalize(a), normalize(b)
    if not a or not b:
        return False
    return a == b or SequenceMatcher(None, a, b).ratio() >= 0.85


def person_duplicates(
    *,
    actor: Actor,
    first_name: str,
    last_name: str,
    birth_date: date | None,
    birth_name: str = "",
    nir: str | None = None,
) -> list[DuplicateCandidate]:
    """Likely duplicates: same NIR, or same birth date and similar names (accents and
    case ignored, small typos tolerated, usage or birth name)."""
    found: dict[int, DuplicateCandidate] = {}
    if nir:
        try:
            digest = nir_hash(nir)
        except Exception:  # noqa: BLE001 - an invalid NIR is reported by the form
            digest = ""
        if digest:
            for p in Person.objects.filter(nir_hash=digest):
                found[p.pk] = DuplicateCandidate(p, _("même numéro de sécurité sociale"), False)
    if birth_date:
        for p in Person.objects.filter(birth_date=birth_date):
            if p.pk in found:
                continue
            last_ok = any(_similar(x, y) for x in (last_name, birth_name) for y in (p.last_name, p.birth_name))
            if last_ok and _similar(first_name, p.first_name):
                found[p.pk] = DuplicateCandidate(p, _("même date de naissance et nom proche"), False)
    if found and actor.organisation_id:
        followed = set(
            Consent.objects.active()
            .filter(person_id__in=found, organisation_id=actor.organisation_id)
            .values_list("person_id", flat=True)
        )
        for pk, cand in found.items():
            cand.visible = pk in followed
    return list(found.values())


def consents_of(person: Person) -> QuerySet[Consent]:
    return Consent.objects.filter(person=person).select_related("organisation").order_by(
        "organisation__name", "scope", "-recorded_at"
    )


def person_access_log(person: Person) -> QuerySet[AuditEvent]:
    """Who looked at or changed the person's passport (the person's own actions excluded)."""
    qs = AuditEvent.objects.filter(person_uid=person.public_id).select_related("organisation")
    if person.user_id:
        qs = qs.exclude(actor_id=person.user_id)
    return qs


def person_duplicates_shown(actor: Actor, candidates: list[DuplicateCandidate]) -> None:
    """Record in the audit log that likely duplicates were shown to the actor (names,
    birth date and commune only), so that the persons see it in their access log."""
    audit_record_many(actor, action=AuditAction.LIST, object_type="duplicate_candidate",
                      entries=[(c.person.public_id, None) for c in candidates],
                      detail={"reason": "duplicate_check"})


def invitations_of(person: Person) -> QuerySet[Invitation]:
    return Invitation.objects.filter(person=person).select_related("organisation").order_by(
        "-created_at", "-pk")


def consent_get_for(actor: Actor, consent_id: int) -> Consent:
    """A consent the actor may act on: one given to the actor's organisation, or any of
    the person's own consents when the actor is the person. NotFound otherwise."""
    consent = Consent.objects.select_related("person", "organisation").filter(pk=consent_id).first()
    if consent is None:
        raise NotFound(_("Consentement introuvable."))
    is_person = (actor.user is not None and actor.membership is None
                 and consent.person.user_id == actor.user.pk)
    if not is_person and (actor.organisation_id is None
                          or consent.organisation_id != actor.organisation_id):
        raise NotFound(_("Consentement introuvable."))
    return consent


def person_access_log_for(actor: Actor, public_id: str) -> QuerySet[AuditEvent]:
    """Who accessed the person's passport. The person sees every organisation's
    accesses; a professional (or an API token) sees only their own organisation's, for
    its own audit needs. The read itself is checked (consent) and audited."""
    person = person_get_for(actor, public_id, scope=ConsentScope.PATH, what="access_log")
    if person.current_consent is None:  # the person themselves
        return person_access_log(person)
    return (AuditEvent.objects.filter(person_uid=person.public_id,
                                      organisation_id=actor.organisation_id)
            .select_related("organisation"))


# --- Access requests -------------------------------------------------------------------

def access_requests_of_organisation(actor: Actor, status: str = "") -> QuerySet[AccessRequest]:
    """The requests sent by the actor's organisation, newest first. `status` filters on
    the status as it reads now (a pending request past its date is expired). The person
    person may be shown only as `named_person`: accepted, and still consenting (see
    `access_requests_shown`)."""
    if actor.organisation_id is None:
        return AccessRequest.objects.none()
    qs = (AccessRequest.objects.filter(organisation_id=actor.organisation_id)
          .with_consent_open().select_related("person", "requested_by"))
    now = timezone.now()
    if status == AccessRequestStatus.PENDING:
        qs = qs.pending(now)
    elif status == AccessRequestStatus.EXPIRED:
        qs = qs.filter(Q(status=AccessRequestStatus.EXPIRED)
                       | Q(status=AccessRequestStatus.PENDING, expires_at__lte=now))
    elif status:
        qs = qs.filter(status=status)
    return qs


def access_requests_shown(actor: Actor, requests) -> None:
    """Record that the names of the persons who accepted (and still consent) were shown."""
    entries = [(r.named_person.public_id, None) for r in requests if r.named_person]
    if entries:
        audit_record_many(actor, action=AuditAction.LIST, object_type="access_request",
                          entries=entries)


def access_requests_pending_for(person: Person) -> QuerySet[AccessRequest]:
    """The requests waiting for the person's answer, oldest first (they expire first)."""
    return (AccessRequest.objects.pending().filter(person=person)
            .select_related("organisation", "requested_by").order_by("created_at", "pk"))


def access_request_get_for(actor: Actor, pk: int) -> AccessRequest:
    """A request the actor may see: one of their organisation's, or, for the person, one
    addressed to their own passport. NotFound otherwise (another organisation's request
    is never revealed)."""
    request = (AccessRequest.objects.with_consent_open()
               .select_related("organisation", "person", "requested_by").filter(pk=pk).first())
    if request is None:
        raise NotFound(_("Demande introuvable."))
    if actor.membership is None and actor.api_token is None and actor.user is not None:
        if request.person is not None and request.person.user_id == actor.user.pk:
            return request
        raise NotFound(_("Demande introuvable."))
    if actor.organisation_id is None or request.organisation_id != actor.organisation_id:
        raise NotFound(_("Demande introuvable."))
    return request


def access_requests_new_answers_count(actor: Actor) -> int:
    """How many answers (accepted or refused) to the requests of the actor's organisation
    its list « Demandes d'accès envoyées » has not shown yet: the counter of the
    professional's navigation, on every page, so one COUNT and no person read."""
    if actor.organisation_id is None:
        return 0
    return AccessRequest.objects.filter(
        organisation_id=actor.organisation_id, answer_seen_at__isnull=True,
        status__in=[AccessRequestStatus.ACCEPTED, AccessRequestStatus.REFUSED]).count()
