"""Reads of the identity app: who must use two-factor authentication, which devices a
user has, which OpenID Connect providers are configured."""

from __future__ import annotations

from django.conf import settings
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

from passeport.core.models import Membership, Organisation

from .models import OidcIdentity, OrganisationSecurity, RecoveryCodeDevice


def two_factor_required_for(user) -> bool:
    """True when one of the user's active memberships is in an organisation that requires
    two-factor authentication."""
    if user is None or not user.is_authenticated:
        return False
    return OrganisationSecurity.objects.filter(
        require_two_factor=True,
        organisation__memberships__in=Membership.objects.active().filter(user=user),
    ).exists()


def has_two_factor(user) -> bool:
    """The user has a confirmed authenticator app (TOTP)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def verification_devices(user) -> list:
    """The confirmed devices that can verify a login (TOTP, recovery codes)."""
    return list(devices_for_user(user, confirmed=True))


def members_with_two_factor(organisation: Organisation) -> list[tuple[Membership, bool]]:
    """The active members of an organisation and whether each has an authenticator app."""
    members = list(Membership.objects.active().filter(organisation=organisation)
                   .select_related("user").order_by("user__last_name", "user__first_name"))
    enrolled = set(TOTPDevice.objects.filter(user__in=[m.user_id for m in members], confirmed=True)
                   .values_list("user_id", flat=True))
    return [(m, m.user_id in enrolled) for m in members]


def recovery_codes_left(user) -> int:
    device = RecoveryCodeDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return 0
    return device.codes.filter(used_at__isnull=True).count()


def organisation_security(organisation: Organisation) -> OrganisationSecurity:
    return (OrganisationSecurity.objects.filter(organisation=organisation).first()
            or OrganisationSecurity(organisation=organisation))


def oidc_provider_config(name: str) -> dict | None:
    """The settings of one provider ("pro" or "person"), or None when not configured."""
    config = settings.PASSEPORT_OIDC.get(name) or {}
    if not (config.get("discovery_url") and config.get("client_id")):
        return None
    return config


def oidc_providers_enabled() -> dict[str, dict]:
    return {name: cfg for name in ("pro", "person") if (cfg := oidc_provider_config(name))}


def oidc_user_for(provider: str, subject: str):
    identity = OidcIdentity.objects.select_related("user").filter(
        provider=provider, subject=subject, user__is_active=True).first()
    return identity.user if identity else None
