"""Writes of the people app: persons, consents, invitations; access requests in
`access_requests.py`, re-exported here."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from passeport.core.actor import Actor
from passeport.core.crypto import token_hash
from passeport.core.enums import AuditAction
from passeport.core.errors import Conflict, Forbidden, NotFound, PasseportError
from passeport.core.models import Organisation
from passeport.core.services import audit_record

from ..enums import ConsentMethod, ConsentScope
from ..models import Consent, Invitation, Person
from ..selectors import DuplicateCandidate, person_duplicates

PERSON_FIELDS = (
    "first_name", "last_name", "birth_name", "birth_date", "birth_place", "gender",
    "email", "phone", "address", "postal_code", "commune_insee", "commune_name",
)


class DuplicateSuspected(Conflict):
    code = "duplicate_suspected"

    def __init__(self, candidates: list[DuplicateCandidate]):
        super().__init__(
            _("Une ou plusieurs personnes ressemblent à celle que vous créez. "
              "Vérifiez avant de créer un nouveau passeport."),
            details={"candidates": [c.as_dict() for c in candidates]},
        )
        self.candidates = candidates


def _validation_to_error(exc: ValidationError) -> PasseportError:
    if hasattr(exc, "error_dict"):
        field, errors = next(iter(exc.error_dict.items()))
        err = errors[0]
        return PasseportError(" ".join(err.messages), code=err.code or "invalid", field=field,
                              details={"errors": exc.message_dict})
    code = getattr(exc, "code", None) or "invalid"
    # Person.set_nir raises a plain ValidationError: name the field it is about.
    return PasseportError(" ".join(exc.messages), code=code,
                          field="nir" if code == "invalid_nir" else None)


def _require_org(actor: Actor) -> Organisation:
    org = actor.organisation
    if org is None:
        raise Forbidden(_("Cette action est réservée aux professionnels d'une structure."))
    return org


@transaction.atomic
def person_create(
    *,
    actor: Actor,
    data: dict[str, Any],
    nir: str | None = None,
    scopes: list[str] | None = None,
    consent_method: str = ConsentMethod.ORAL,
    purpose: str = "",
    ignore_duplicates: bool = False,
) -> Person:
    """Create a passport and record the person's consent to the actor's organisation.

    Unless `ignore_duplicates`, raises DuplicateSuspected when likely duplicates exist
    (same NIR, or same birth date and accent/case-insensitive similar names).
    """
    org = _require_org(actor)
    person = Person(**{k: v for k, v in data.items() if k in PERSON_FIELDS and v is not None})
    person.created_by_organisation = org
    try:
        person.set_nir(nir)
        person.full_clean(exclude=["search_name", "public_id"])
    except ValidationError as exc:
        raise _validation_to_error(exc) from exc
    if not ignore_duplicates:
        candidates = person_duplicates(
            actor=actor, first_name=person.first_name, last_name=person.last_name,
            birth_name=person.birth_name, birth_date=person.birth_date, nir=nir,
        )
        if candidates:
            raise DuplicateSuspected(candidates)
    elif person.nir_hash and Person.objects.filter(nir_hash=person.nir_hash).exists():
        raise Conflict(
            _("Un passeport existe déjà avec ce numéro de sécurité sociale."),
            code="duplicate_nir", field="nir",
        )
    person.save()
    audit_record(actor, action=AuditAction.CREATE, object_type="person", object_id=person.public_id,
                 person_uid=person.public_id)
    consent_grant(
        actor=actor, person=person, organisation=org,
        scopes=scopes or [ConsentScope.PATH], method=consent_method,
        purpose=purpose or _("Accompagnement du parcours d'insertion"),
    )
    return person


@transaction.atomic
def person_update(*, actor: Actor, person: Person, data: dict[str, Any], nir: str | None = None) -> Person:
    changed = []
    for key, value in data.items():
        if key in PERSON_FIELDS and getattr(person, key) != value:
            setattr(person, key, value)
            changed.append(key)
    try:
        if nir is not None:
            person.set_nir(nir)
            changed.append("nir")
        # created_by_organisation is empty once that organisation is deleted (SET_NULL).
        person.full_clean(exclude=["search_name", "public_id", "created_by_organisation"])
    except ValidationError as exc:
        raise _validation_to_error(exc) from exc
    if person.nir_hash and Person.objects.filter(nir_hash=person.nir_hash).exclude(pk=person.pk).exists():
        raise Conflict(_("Un autre passeport a déjà ce numéro de sécurité sociale."),
                       code="duplicate_nir", field="nir")
    person.save()
    audit_record(actor, action=AuditAction.UPDATE, object_type="person", object_id=person.public_id,
                 person_uid=person.public_id, detail={"fields": changed})
    return person


@transaction.atomic
def consent_grant(
    *,
    actor: Actor,
    person: Person,
    organisation: Organisation,
    scopes: list[str],
    method: str,
    purpose: str,
    valid_from: date | None = None,
    valid_until: date | None = None,
) -> list[Consent]:
    """Record the person's consent, one row per scope. An active consent for the same
    organisation and scope is replaced (withdrawn then granted anew) so history is kept."""
    if not scopes:
        raise PasseportError(_("Choisissez au moins une partie du passeport."), code="no_scope",
                             field="scopes")
    valid_from = valid_from or timezone.localdate()
    if valid_until is not None and valid_until < valid_from:
        raise PasseportError(_("La date de fin est avant la date de début."),
                             code="consent_dates", field="valid_until")
    is_person = actor.user is not None and actor.user == person.user
    if not is_person and method == ConsentMethod.IN_APP:
        raise PasseportError(_("Seule la personne peut donner son accord dans son espace."),
                             code="invalid_method", field="method")
    now = timezone.now()
    created = []
    for scope in dict.fromkeys(scopes):
        scope = ConsentScope(scope)
        Consent.objects.active().filter(person=person, organisation=organisation, scope=scope).update(
            withdrawn_at=now, withdrawn_by=actor.user
        )
        consent = Consent.objects.create(
            person=person, organisation=organisation, scope=scope, purpose=purpose[:250],
            valid_from=valid_from, valid_until=valid_until, method=ConsentMethod(method),
            recorded_by=actor.user,
        )
        audit_record(actor, action=AuditAction.CONSENT_GRANT, object_type="consent",
                     object_id=consent.pk, person_uid=person.public_id, consent_id=consent.pk,
                     detail={"scope": scope, "organisation": organisation.name})
        created.append(consent)
    return created


@transaction.atomic
def consent_withdraw(*, actor: Actor, consent: Consent) -> Consent:
    """Withdraw a consent: by the person, or recorded by a member of the organisation."""
    person = consent.person
    is_person = actor.user is not None and actor.user == person.user
    if not is_person and actor.organisation_id != consent.organisation_id:
        raise NotFound(_("Consentement introuvable."))
    if consent.withdrawn_at is None:
        consent.withdrawn_at = timezone.now()
        consent.withdrawn_by = actor.user
        consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
        audit_record(actor, action=AuditAction.CONSENT_WITHDRAW, object_type="consent",
                     object_id=consent.pk, person_uid=person.public_id, consent_id=consent.pk,
                     detail={"scope": consent.scope, "organisation": consent.organisation.name})
    return consent


@dataclass
class InvitationSent:
    invitation: Invitation
    url_token: str


@transaction.atomic
def invitation_create(*, actor: Actor, person: Person, email: str, base_url: str) -> InvitationSent:
    """Send the person a link to create their own access to their passport."""
    org = _require_org(actor)
    if person.user_id is not None:
        raise Conflict(_("Cette personne a déjà un accès à son passeport."), code="already_has_access")
    email = email.strip().lower()
    if not email:
        raise PasseportError(_("Indiquez l'adresse e-mail de la personne."), code="email_required",
                             field="email")
    User = get_user_model()
    if User.objects.filter(email=email).exists():
        raise Conflict(_("Cette adresse e-mail est déjà utilisée par un autre compte."),
                       code="email_taken", field="email")
    Invitation.objects.filter(person=person, used_at__isnull=True).update(expires_at=timezone.now())
    raw = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        person=person, email=email, token_hash=token_hash(raw), created_by=actor.user,
        organisation=org,
        expires_at=timezone.now() + timedelta(days=settings.PASSEPORT_INVITATION_DAYS),
    )
    if person.email != email:
        person.email = email
        person.save(update_fields=["email", "search_name", "updated_at"])
    audit_record(actor, action=AuditAction.INVITE, object_type="person", object_id=person.public_id,
                 person_uid=person.public_id)
    link = f"{base_url.rstrip('/')}/invitation/{raw}/"
    subject = _("Votre passeport parcours vous attend")
    body = _(
        "Bonjour %(first_name)s,\n\n%(org)s vous invite à ouvrir votre passeport.\n"
        "Vous y verrez votre parcours, vos prochaines étapes et qui peut voir vos informations.\n\n"
        "Cliquez sur ce lien pour choisir votre mot de passe :\n%(link)s\n\n"
        "Ce lien marche pendant %(days)s jours.\n"
    ) % {"first_name": person.first_name, "org": org.name, "link": link,
         "days": settings.PASSEPORT_INVITATION_DAYS}
    transaction.on_commit(lambda: send_mail(subject, body, None, [email]))
    return InvitationSent(invitation=invitation, url_token=raw)


def invitation_lookup(raw_token: str) -> Invitation:
    invitation = (Invitation.objects.select_related("person")
                  .filter(token_hash=token_hash(raw_token)).first())
    if invitation is None or not invitation.is_usable:
        raise NotFound(_("Ce lien n'est plus valable. Demandez un nouveau lien à votre référent."),
                       code="invitation_invalid")
    return invitation


@transaction.atomic
def invitation_accept(*, raw_token: str, password: str | None, via: str = ""):
    """The person sets their password: their account is created and linked to the passport.
    With `password=None` the account has no password: the person logs in through an
    identity provider (`via`, e.g. "FranceConnect"), linked by the identity app."""
    invitation = invitation_lookup(raw_token)
    person = invitation.person
    User = get_user_model()
    user = User(email=invitation.email, username=invitation.email,
                first_name=person.first_name, last_name=person.last_name)
    if password is not None:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise PasseportError(" ".join(exc.messages), code="weak_password",
                                 field="password") from exc
    if User.objects.filter(email=invitation.email).exists():
        raise Conflict(_("Cette adresse e-mail est déjà utilisée."), code="email_taken")
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save()
    person.user = user
    person.save(update_fields=["user", "search_name", "updated_at"])
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    audit_record(Actor(user=user), action=AuditAction.UPDATE, object_type="account",
                 object_id=person.public_id, person_uid=person.public_id,
                 detail={"event": "invitation_accepted", **({"via": via} if via else {})})
    return user


@transaction.atomic
def person_claim_existing(
    *,
    actor: Actor,
    existing_public_id: str,
    data: dict[str, Any],
    nir: str | None = None,
    scopes: list[str] | None = None,
    consent_method: str = ConsentMethod.ORAL,
    purpose: str = "",
) -> Person:
    """"It is this person": instead of creating a passport, use `existing_public_id`,
    which must be one of the likely duplicates of `data`/`nir` (what person_create
    reported), and record the person's consent to the actor's organisation (unless an
    active consent for each scope already exists). NotFound if it is not a duplicate."""
    org = _require_org(actor)
    candidates = person_duplicates(
        actor=actor, first_name=data.get("first_name") or "", last_name=data.get("last_name") or "",
        birth_name=data.get("birth_name") or "", birth_date=data.get("birth_date"), nir=nir,
    )
    match = next((c for c in candidates if c.person.public_id == existing_public_id), None)
    if match is None:
        raise NotFound(_("Passeport introuvable."))
    person = match.person
    missing = [s for s in dict.fromkeys(scopes or [ConsentScope.PATH])
               if not Consent.objects.active().filter(person=person, organisation=org,
                                                     scope=s).exists()]
    if missing:
        consent_grant(actor=actor, person=person, organisation=org, scopes=missing,
                      method=consent_method,
                      purpose=purpose or _("Accompagnement du parcours d'insertion"))
    return person


@transaction.atomic
def consents_end_with_purpose(*, actor: Actor, consents: list[Consent], reason: str) -> int:
    """Withdraw consents that were given for one purpose only, now ended (e.g. an
    orientation to a partner refused, cancelled or expired): the partner keeps no access
    the person did not otherwise give. Each withdrawal leaves an audit event with `reason`.
    Consents already withdrawn are left as they are. Returns how many were withdrawn."""
    now = timezone.now()
    ended = 0
    for consent in consents:
        if consent.withdrawn_at is not None:
            continue
        consent.withdrawn_at = now
        consent.withdrawn_by = actor.user
        consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
        audit_record(actor, action=AuditAction.CONSENT_WITHDRAW, object_type="consent",
                     object_id=consent.pk, person_uid=consent.person.public_id,
                     consent_id=consent.pk,
                     detail={"scope": consent.scope, "organisation": consent.organisation.name,
                             "reason": reason})
        ended += 1
    return ended


# Access requests live in their own module; the app's writes stay importable from here.
from .access_requests import (  # noqa: E402
    ACCESS_REQUEST_MESSAGE_MAX,
    access_request_accept,
    access_request_cancel,
    access_request_create,
    access_request_input_errors,
    access_request_refuse,
    access_requests_answers_seen,
    access_requests_expire,
)

__all__ = [
    "ACCESS_REQUEST_MESSAGE_MAX",
    "DuplicateSuspected",
    "InvitationSent",
    "access_request_accept",
    "access_request_cancel",
    "access_request_create",
    "access_request_input_errors",
    "access_request_refuse",
    "access_requests_answers_seen",
    "access_requests_expire",
    "consent_grant",
    "consent_withdraw",
    "consents_end_with_purpose",
    "invitation_accept",
    "invitation_create",
    "invitation_lookup",
    "person_claim_existing",
    "person_create",
    "person_update",
]
