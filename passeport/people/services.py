"""Writes of the people app: persons, consents, invitations, access requests."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
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
from passeport.core.errors import Conflict, Forbidden, NotFound, PasseportError, TooManyRequests
from passeport.core.models import Organisation
from passeport.core.services import audit_record

from .enums import AccessRequestStatus, ConsentMethod, ConsentScope
from .models import AccessRequest, Consent, Invitation, Person, as_public_id
from .selectors import DuplicateCandidate, person_duplicates

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


# --- Access requests -------------------------------------------------------------------

ACCESS_REQUEST_MESSAGE_MAX = 1000


def _access_request_input(public_id: str, scopes: list[str], purpose: str, message: str
                          ) -> tuple[str, list[str], str, str]:
    number = as_public_id(public_id)
    if number is None:
        raise PasseportError(
            _("Ce numéro de passeport n'est pas valide. Il a 12 caractères, lettres et "
              "chiffres, par exemple 7KQ2-M9XD-4HRT."),
            code="invalid_public_id", field="public_id")
    if not scopes:
        raise PasseportError(_("Choisissez au moins une partie du passeport."), code="no_scope",
                             field="scopes")
    try:
        scopes = [ConsentScope(s).value for s in dict.fromkeys(scopes)]
    except ValueError as exc:
        raise PasseportError(_("Cette partie du passeport n'existe pas."), code="invalid_scope",
                             field="scopes") from exc
    purpose = (purpose or "").strip()
    if not purpose:
        raise PasseportError(_("Dites pour quoi faire vous demandez l'accès."),
                             code="purpose_required", field="purpose")
    if len(purpose) > 250:
        raise PasseportError(_("Le motif fait au plus 250 caractères."), code="purpose_too_long",
                             field="purpose")
    message = (message or "").strip()
    if len(message) > ACCESS_REQUEST_MESSAGE_MAX:
        raise PasseportError(_("Le message fait au plus 1000 caractères."),
                             code="message_too_long", field="message")
    return number, scopes, purpose, message


def _access_request_throttle(actor: Actor, organisation: Organisation) -> None:
    """At most PASSEPORT_ACCESS_REQUESTS_PER_HOUR requests an hour per member, and
    PASSEPORT_ACCESS_REQUESTS_PER_HOUR_ORG per organisation (API tokens included): passport
    numbers cannot be tried in bulk."""
    since = timezone.now() - timedelta(hours=1)
    recent = AccessRequest.objects.filter(organisation=organisation, created_at__gte=since)
    too_many = recent.count() >= settings.PASSEPORT_ACCESS_REQUESTS_PER_HOUR_ORG or (
        actor.user is not None
        and recent.filter(requested_by=actor.user).count()
        >= settings.PASSEPORT_ACCESS_REQUESTS_PER_HOUR)
    if too_many:
        raise TooManyRequests(
            _("Vous avez envoyé beaucoup de demandes d'accès en une heure. Réessayez plus tard."),
            code="access_request_throttled")


def _access_request_notify(person: Person, organisation: Organisation) -> None:
    """Tell the person by e-mail, when they have an account with an address. The mail
    names the organisation only: nothing about the person nor the request's purpose."""
    user = person.user
    email = user.email if user is not None and user.is_active else ""
    if not email:
        return
    link = settings.PASSEPORT_BASE_URL.rstrip("/") + "/mon-passeport/acces/#demandes"
    subject = _("Une structure demande à voir votre passeport")
    body = _(
        "Bonjour,\n\n%(org)s demande à voir une partie de votre passeport.\n"
        "C'est vous qui choisissez : vous pouvez accepter ou refuser.\n\n"
        "Pour répondre, connectez-vous à votre espace :\n%(link)s\n\n"
        "Sans réponse de votre part, la demande s'arrête dans %(days)s jours.\n\n— Passeport\n"
    ) % {"org": organisation.name, "link": link, "days": settings.PASSEPORT_ACCESS_REQUEST_DAYS}
    transaction.on_commit(lambda: send_mail(subject, body, None, [email]))


@transaction.atomic
def access_request_create(
    *,
    actor: Actor,
    public_id: str,
    scopes: list[str],
    purpose: str,
    message: str = "",
) -> AccessRequest:
    """A professional (or an organisation's API token) asks the person holding passport
    `public_id` to open `scopes` of it to their organisation, for `purpose`.

    The answer is the same whether the number is a passport or not: the request is
    recorded either way (with its person only when the number exists) and stays pending
    until it expires. Throttled per member and per organisation."""
    org = _require_org(actor)
    number, scopes, purpose, message = _access_request_input(public_id, scopes, purpose, message)
    # Lock the organisation's row: two requests at once cannot both pass the limits.
    Organisation.objects.select_for_update().filter(pk=org.pk).first()
    _access_request_throttle(actor, org)
    if AccessRequest.objects.pending().filter(organisation=org, public_id=number).exists():
        raise Conflict(_("Votre structure a déjà une demande en attente pour ce numéro."),
                       code="access_request_pending", field="public_id")
    person = Person.objects.filter(public_id=number).select_related("user").first()
    now = timezone.now()
    request = AccessRequest.objects.create(
        organisation=org, public_id=number, person=person, scopes=scopes, purpose=purpose,
        message=message, requested_by=actor.user, requested_by_label=actor.label[:200],
        created_at=now,
        expires_at=now + timedelta(days=settings.PASSEPORT_ACCESS_REQUEST_DAYS),
    )
    audit_record(actor, action=AuditAction.CREATE, object_type="access_request",
                 object_id=request.pk, person_uid=person.public_id if person else "",
                 detail={"scopes": scopes, "public_id": number})
    if person is not None:
        _access_request_notify(person, org)
    return request


def _access_request_answer_notify(request: AccessRequest) -> None:
    """Tell the professional who asked that the person answered, by e-mail when they have
    an address. The mail names only the decision and the passport number: not the
    person's name nor anything else of the passport."""
    user = request.requested_by
    email = user.email if user is not None and user.is_active else ""
    if not email:
        return
    if request.status == AccessRequestStatus.ACCEPTED:
        partial = set(request.granted_scopes) != set(request.scopes)
        decision = _("acceptée en partie") if partial else _("acceptée")
    else:
        decision = _("refusée")
    link = settings.PASSEPORT_BASE_URL.rstrip("/") + "/pro/demandes-acces/"
    subject = _("Réponse à votre demande d'accès")
    body = _(
        "Bonjour,\n\nVotre demande d'accès au passeport n° %(number)s a été %(decision)s.\n\n"
        "Voir vos demandes d'accès :\n%(link)s\n\n— Passeport\n"
    ) % {"number": request.public_id, "decision": decision, "link": link}
    transaction.on_commit(lambda: send_mail(subject, body, None, [email]))


@transaction.atomic
def access_requests_answers_seen(*, actor: Actor, requests) -> int:
    """The organisation's list showed these requests: their answers are no longer new."""
    ids = [r.pk for r in requests if r.is_new_answer and r.organisation_id == actor.organisation_id]
    if not ids:
        return 0
    return AccessRequest.objects.filter(pk__in=ids, answer_seen_at__isnull=True).update(
        answer_seen_at=timezone.now())


def _access_request_to_decide(actor: Actor, access_request: AccessRequest) -> AccessRequest:
    """The request, locked, if the actor is its person and it is still pending."""
    request = (AccessRequest.objects.select_for_update()
               .filter(pk=access_request.pk).first())
    person = Person.objects.filter(pk=request.person_id).first() if request else None
    is_person = (person is not None and actor.user is not None and actor.membership is None
                 and person.user_id == actor.user.pk)
    if not is_person:
        raise NotFound(_("Demande introuvable."), code="not_found")
    request.person = person
    status = request.current_status
    if status == AccessRequestStatus.CANCELLED:
        raise Conflict(_("La structure a annulé cette demande : il n'y a plus rien à "
                         "répondre."), code="access_request_cancelled")
    if status == AccessRequestStatus.EXPIRED:
        raise Conflict(_("Cette demande est trop ancienne : elle est terminée. La structure "
                         "peut vous envoyer une nouvelle demande."),
                       code="access_request_expired")
    if status != AccessRequestStatus.PENDING:
        raise Conflict(_("Vous avez déjà répondu à cette demande."),
                       code="access_request_decided")
    return request


@transaction.atomic
def access_request_accept(*, actor: Actor, access_request: AccessRequest,
                          scopes: list[str] | None = None) -> list[Consent]:
    """The person accepts all the scopes asked (`scopes` None) or only some of them: their
    consent is recorded for each scope accepted, given in their own space (`in_app`), for
    the request's purpose. Returns the consents granted. At least one scope, and only
    scopes that were asked; otherwise nothing is written."""
    request = _access_request_to_decide(actor, access_request)
    if scopes is None:
        granted = list(request.scopes)
    else:
        wanted = set(scopes)
        if not wanted:
            raise PasseportError(_("Cochez au moins une partie du passeport pour accepter. "
                                   "Pour ne rien ouvrir, refusez la demande."),
                                 code="scopes_required", field="scopes")
        if not wanted <= set(request.scopes):
            raise PasseportError(_("Vous ne pouvez accepter que les parties demandées."),
                                 code="scope_not_asked", field="scopes")
        granted = [s for s in request.scopes if s in wanted]  # in the request's order
    consents = consent_grant(actor=actor, person=request.person,
                             organisation=request.organisation, scopes=granted,
                             method=ConsentMethod.IN_APP, purpose=request.purpose)
    request.status = AccessRequestStatus.ACCEPTED
    request.granted_scopes = granted
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "granted_scopes", "decided_at"])
    audit_record(actor, action=AuditAction.UPDATE, object_type="access_request",
                 object_id=request.pk, person_uid=request.person.public_id,
                 detail={"decision": "accepted", "organisation": request.organisation.name,
                         "scopes": request.scopes, "granted_scopes": granted,
                         "consents": [c.pk for c in consents]})
    _access_request_answer_notify(request)
    access_request.status, access_request.decided_at = request.status, request.decided_at
    access_request.granted_scopes = granted
    return consents


@transaction.atomic
def access_request_refuse(*, actor: Actor, access_request: AccessRequest) -> AccessRequest:
    """The person refuses: nothing is opened; the organisation sees « refusée »."""
    request = _access_request_to_decide(actor, access_request)
    request.status = AccessRequestStatus.REFUSED
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "decided_at"])
    audit_record(actor, action=AuditAction.UPDATE, object_type="access_request",
                 object_id=request.pk, person_uid=request.person.public_id,
                 detail={"decision": "refused", "organisation": request.organisation.name,
                         "scopes": request.scopes})
    _access_request_answer_notify(request)
    access_request.status, access_request.decided_at = request.status, request.decided_at
    return access_request


@transaction.atomic
def access_request_cancel(*, actor: Actor, access_request: AccessRequest) -> AccessRequest:
    """The organisation that asked withdraws a pending request: the person no longer sees
    it and can no longer answer it. Any member of the organisation (or its API token) may
    cancel; another organisation's request is NotFound."""
    org = _require_org(actor)
    request = (AccessRequest.objects.select_for_update()
               .filter(pk=access_request.pk, organisation=org).first())
    if request is None:
        raise NotFound(_("Demande introuvable."), code="not_found")
    status = request.current_status
    if status == AccessRequestStatus.CANCELLED:
        raise Conflict(_("Cette demande est déjà annulée."), code="access_request_cancelled")
    if status == AccessRequestStatus.EXPIRED:
        raise Conflict(_("Cette demande est déjà terminée : la personne n'a pas répondu à "
                         "temps."), code="access_request_expired")
    if status != AccessRequestStatus.PENDING:
        raise Conflict(_("La personne a déjà répondu à cette demande."),
                       code="access_request_decided")
    request.status = AccessRequestStatus.CANCELLED
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "decided_at"])
    audit_record(actor, action=AuditAction.UPDATE, object_type="access_request",
                 object_id=request.pk, person_uid=request.public_id if request.person_id else "",
                 detail={"status": "cancelled", "public_id": request.public_id})
    access_request.status, access_request.decided_at = request.status, request.decided_at
    return access_request


@transaction.atomic
def access_requests_expire(*, now: datetime | None = None) -> int:
    """Store « expirée » on the pending requests past their date (run daily by
    `manage.py access_requests_expire`). They already read as expired
    (`AccessRequest.current_status`); storing it keeps the status filters and exports
    plain. Each one is audited (system). Returns how many expired."""
    now = now or timezone.now()
    expiring = list(AccessRequest.objects.select_for_update()
                    .filter(status=AccessRequestStatus.PENDING, expires_at__lte=now)
                    .values_list("pk", "public_id", "person_id"))
    if not expiring:
        return 0
    AccessRequest.objects.filter(pk__in=[pk for pk, _uid, _p in expiring]).update(
        status=AccessRequestStatus.EXPIRED)
    for pk, public_id, person_id in expiring:
        audit_record(Actor.system(), action=AuditAction.UPDATE, object_type="access_request",
                     object_id=pk, person_uid=public_id if person_id else "",
                     detail={"status": "expired", "public_id": public_id})
    return len(expiring)
