"""Access requests: a professional asks the person holding a passport number to open
parts of it to their organisation; the person accepts (all or some parts), refuses, or
lets it expire; the organisation may cancel. Never reveals whether a number exists."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from passeport.core.actor import Actor
from passeport.core.enums import AuditAction
from passeport.core.errors import (
    Conflict,
    NotFound,
    PasseportError,
    PasseportErrors,
    TooManyRequests,
)
from passeport.core.models import Organisation
from passeport.core.services import audit_record

from ..enums import AccessRequestStatus, ConsentMethod, ConsentScope
from ..models import AccessRequest, Consent, Person, as_public_id
from . import _require_org, consent_grant

ACCESS_REQUEST_MESSAGE_MAX = 1000


def access_request_input_errors(*, public_id: str | None = None, scopes: list[str] | None = None,
                                purpose: str | None = None, message: str | None = None
                                ) -> list[PasseportError]:
    """The rules of what the professional typed, every field in error at once (a field
    left out, None, is not checked): the pages check them with their other errors."""
    errors = []
    if public_id is not None and as_public_id(public_id, number_only=True) is None:
        errors.append(PasseportError(
            _("Ce numéro de passeport n'est pas valide. Il a 12 caractères, lettres et "
              "chiffres, par exemple 7KQ2-M9XD-4HRT."),
            code="invalid_public_id", field="public_id"))
    if scopes is not None:
        if not scopes:
            errors.append(PasseportError(_("Choisissez au moins une partie du passeport."),
                                         code="no_scope", field="scopes"))
        elif any(s not in ConsentScope.values for s in scopes):
            errors.append(PasseportError(_("Cette partie du passeport n'existe pas."),
                                         code="invalid_scope", field="scopes"))
    if purpose is not None:
        if not purpose.strip():
            errors.append(PasseportError(_("Dites pour quoi faire vous demandez l'accès."),
                                         code="purpose_required", field="purpose"))
        elif len(purpose.strip()) > 250:
            errors.append(PasseportError(_("Le motif fait au plus 250 caractères."),
                                         code="purpose_too_long", field="purpose"))
    if message is not None and len(message.strip()) > ACCESS_REQUEST_MESSAGE_MAX:
        errors.append(PasseportError(_("Le message fait au plus 1000 caractères."),
                                     code="message_too_long", field="message"))
    return errors


def _access_request_input(public_id: str, scopes: list[str], purpose: str, message: str
                          ) -> tuple[str, list[str], str, str]:
    PasseportErrors.raise_any(access_request_input_errors(
        public_id=public_id or "", scopes=list(scopes or []), purpose=purpose or "",
        message=message or ""))
    number = as_public_id(public_id, number_only=True) or ""  # (a number: checked above)
    return (number, [ConsentScope(s).value for s in dict.fromkeys(scopes)], purpose.strip(),
            (message or "").strip())


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
    if person is not None:
        # Parts the organisation already holds are not asked again (it sees the person
        # already, so saying so reveals nothing).
        held = set(Consent.objects.active().filter(person=person, organisation=org, scope__in=scopes)
                   .values_list("scope", flat=True))
        if held and held >= set(scopes):
            raise Conflict(_("Votre structure a déjà l'accord de la personne pour ces parties de son "
                             "passeport."), code="already_granted", field="scopes")
        scopes = [s for s in scopes if s not in held]
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
