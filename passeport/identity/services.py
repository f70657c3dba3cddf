"""Writes of the identity app: two-factor enrolment, recovery codes, the organisation
setting, and the links between OpenID Connect identities and users."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from passeport.core.actor import Actor
from passeport.core.enums import AuditAction
from passeport.core.errors import Forbidden, NotFound, PasseportError
from passeport.core.models import Membership
from passeport.core.services import audit_record
from passeport.core.text import normalize
from passeport.people.models import Person
from passeport.people.selectors import person_for_user
from passeport.people.services import invitation_accept, invitation_lookup

from .enums import OidcProvider
from .models import (
    OidcIdentity,
    OrganisationSecurity,
    RecoveryCode,
    RecoveryCodeDevice,
    recovery_code_hash,
)

RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


# --- Two-factor authentication ---------------------------------------------------------

@transaction.atomic
def totp_enrol_start(*, actor: Actor) -> TOTPDevice:
    """The authenticator app being enrolled (unconfirmed), the same one until it is
    confirmed with a code: reloading the page keeps the QR code."""
    pending = TOTPDevice.objects.filter(user=actor.user, confirmed=False).order_by("-pk").first()
    if pending is not None:
        return pending
    return TOTPDevice.objects.create(user=actor.user, name=_("Application d'authentification"),
                                     confirmed=False)


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


@transaction.atomic
def recovery_codes_generate(*, actor: Actor) -> list[str]:
    """New recovery codes (the old ones stop working). Returned once, stored hashed."""
    RecoveryCodeDevice.objects.filter(user=actor.user).delete()
    device = RecoveryCodeDevice.objects.create(user=actor.user, name=_("Codes de secours"),
                                               confirmed=True)
    codes = [_new_recovery_code() for _ in range(settings.PASSEPORT_RECOVERY_CODES)]
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(device=device, code_hash=recovery_code_hash(c)) for c in codes])
    audit_record(actor, action=AuditAction.UPDATE, object_type="account", object_id=actor.user.pk,
                 detail={"event": "recovery_codes_generated"})
    return codes


@transaction.atomic
def totp_enrol_confirm(*, actor: Actor, device: TOTPDevice, token: str) -> list[str]:
    """Confirm the authenticator app with a code it shows; returns the recovery codes."""
    if device.user_id != actor.user.pk or device.confirmed:
        raise NotFound(_("Recommencez l'enregistrement de votre application."))
    token = "".join(ch for ch in (token or "") if ch.isdigit())
    if len(token) != device.digits or not device.verify_token(token):
        raise PasseportError(
            _("Ce code ne correspond pas. Saisissez les %(n)s chiffres affichés maintenant "
              "par votre application.") % {"n": device.digits},
            code="bad_token", field="token")
    TOTPDevice.objects.filter(user=actor.user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(actor, action=AuditAction.UPDATE, object_type="account", object_id=actor.user.pk,
                 detail={"event": "two_factor_enabled"})
    return recovery_codes_generate(actor=actor)


@transaction.atomic
def organisation_security_update(*, actor: Actor, require_two_factor: bool) -> OrganisationSecurity:
    """An administrator of the organisation makes two-factor authentication mandatory."""
    if actor.membership is None or not actor.membership.is_admin:
        raise Forbidden(_("Seuls les administrateurs de la structure peuvent changer ce réglage."))
    security, _created = OrganisationSecurity.objects.get_or_create(organisation=actor.organisation)
    security.require_two_factor = require_two_factor
    security.updated_at = timezone.now()
    security.updated_by = actor.user
    security.save()
    audit_record(actor, action=AuditAction.UPDATE, object_type="organisation",
                 object_id=actor.organisation.pk,
                 detail={"event": "require_two_factor", "value": require_two_factor})
    return security


@transaction.atomic
def two_factor_reset(*, actor: Actor, membership: Membership) -> None:
    """An administrator removes a member's authenticator app and recovery codes (lost
    phone and lost codes). If the organisation requires it, the member enrols again at
    their next page."""
    if actor.membership is None or not actor.membership.is_admin:
        raise Forbidden(_("Seuls les administrateurs de la structure peuvent faire cela."))
    if membership.organisation_id != actor.organisation_id:
        raise NotFound(_("Membre introuvable."))
    TOTPDevice.objects.filter(user=membership.user).delete()
    RecoveryCodeDevice.objects.filter(user=membership.user).delete()
    audit_record(actor, action=AuditAction.UPDATE, object_type="account",
                 object_id=membership.user_id, detail={"event": "two_factor_reset"})


# --- OpenID Connect ----------------------------------------------------------------------

def _touch(identity: OidcIdentity) -> None:
    identity.last_login_at = timezone.now()
    identity.save(update_fields=["last_login_at"])


@transaction.atomic
def oidc_pro_login(*, claims: dict) -> Membership | None:
    """The membership matching a professional's identity (e-mail and SIRET claims of a
    ProConnect-compatible provider), or None: nobody is created, an administrator of the
    organisation adds its members. The provider's `sub` is linked on the first login."""
    email = (claims.get("email") or "").strip().lower()
    siret = "".join(ch for ch in str(claims.get("siret") or "") if ch.isdigit())
    subject = str(claims.get("sub") or "")
    if not (email and siret and subject):
        return None
    membership = (Membership.objects.active().select_related("user", "organisation")
                  .filter(user__email__iexact=email, user__is_active=True,
                          organisation__siret=siret).first())
    if membership is None:
        return None
    identity = OidcIdentity.objects.filter(provider=OidcProvider.PRO, subject=subject).first()
    if identity is not None and identity.user_id != membership.user_id:
        return None  # this provider account is linked to someone else: never switch users
    if identity is None:
        identity = OidcIdentity.objects.create(provider=OidcProvider.PRO, subject=subject,
                                               user=membership.user)
    _touch(identity)
    audit_record(Actor(user=membership.user, membership=membership), action=AuditAction.UPDATE,
                 object_type="account", object_id=membership.user.pk,
                 detail={"event": "oidc_login", "provider": OidcProvider.PRO})
    return membership


def oidc_person_login(*, subject: str):
    """The user already linked to this person's identity, or None."""
    identity = (OidcIdentity.objects.select_related("user")
                .filter(provider=OidcProvider.PERSON, subject=subject, user__is_active=True).first())
    if identity is None:
        return None
    _touch(identity)
    return identity.user


@dataclass
class PersonMatch:
    person: Person
    matches: bool
    reason: str = ""


def _birthdate(claims: dict) -> date | None:
    try:
        return date.fromisoformat(str(claims.get("birthdate") or ""))
    except ValueError:
        return None


def person_identity_match(person: Person, claims: dict) -> PersonMatch:
    """Do the identity claims (given_name, family_name, birthdate) describe this person?
    Names compare accent- and case-insensitively; the first given name is enough (the
    provider lists all of them); the family name may be the birth name."""
    given = normalize(claims.get("given_name")).split()
    family = normalize(claims.get("family_name"))
    first = normalize(person.first_name)
    last_names = {normalize(person.last_name), normalize(getattr(person, "birth_name", ""))} - {""}
    if _birthdate(claims) is None or person.birth_date != _birthdate(claims):
        return PersonMatch(person, False, "birthdate")
    if not given or not first or " ".join(given[: len(first.split())]) != first:
        return PersonMatch(person, False, "given_name")
    if family not in last_names:
        return PersonMatch(person, False, "family_name")
    return PersonMatch(person, True)


def person_match_for_invitation(*, raw_token: str, claims: dict) -> PersonMatch:
    """Propose the passport of an invitation to a person identified by the provider."""
    invitation = invitation_lookup(raw_token)
    return person_identity_match(invitation.person, claims)


@transaction.atomic
def oidc_person_link_account(*, user, claims: dict, label: str = "FranceConnect"):
    """A person who already has a password account confirmed with it that the passport is
    theirs: the provider's identity is linked to their account."""
    subject = str(claims.get("sub") or "")
    person = person_for_user(user)
    if not subject or person is None:
        raise NotFound(_("Ce compte n'est relié à aucun passeport."))
    if OidcIdentity.objects.filter(provider=OidcProvider.PERSON, subject=subject).exists():
        raise PasseportError(_("Cette identité est déjà reliée à un passeport."), code="already_linked")
    if not person_identity_match(person, claims).matches:
        raise PasseportError(
            _("Votre identité ne correspond pas à ce passeport (nom, prénom ou date de naissance). "
              "Demandez à votre référent de vérifier votre passeport."), code="identity_mismatch")
    OidcIdentity.objects.create(provider=OidcProvider.PERSON, subject=subject, user=user,
                                last_login_at=timezone.now())
    audit_record(Actor(user=user), action=AuditAction.UPDATE, object_type="account",
                 object_id=person.public_id, person_uid=person.public_id,
                 detail={"event": "oidc_linked", "via": label})
    return user


@transaction.atomic
def oidc_person_link(*, raw_token: str, claims: dict, label: str = "FranceConnect"):
    """The person confirmed that the passport of their invitation is theirs: their account
    is created without a password and linked to the provider's identity."""
    subject = str(claims.get("sub") or "")
    if not subject:
        raise PasseportError(_("Le fournisseur d'identité n'a pas transmis d'identifiant."))
    if OidcIdentity.objects.filter(provider=OidcProvider.PERSON, subject=subject).exists():
        raise PasseportError(_("Cette identité est déjà reliée à un passeport."), code="already_linked")
    match = person_match_for_invitation(raw_token=raw_token, claims=claims)
    if not match.matches:
        raise PasseportError(
            _("Votre identité ne correspond pas à ce passeport (nom, prénom ou date de naissance). "
              "Demandez à votre référent de vérifier votre passeport."), code="identity_mismatch")
    user = invitation_accept(raw_token=raw_token, password=None, via=label)
    OidcIdentity.objects.create(provider=OidcProvider.PERSON, subject=subject, user=user,
                                last_login_at=timezone.now())
    return user
