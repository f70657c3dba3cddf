"""System checks of the safe's configuration."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security)
def vault_settings_check(app_configs, **kwargs):
    from .keys import VaultKeyError, keyring

    messages = []
    try:
        keyring()
    except VaultKeyError as exc:
        messages.append(Error(str(exc), id="vault.E001"))
    if settings.PASSEPORT_VAULT_STORAGE not in ("filesystem", "s3"):
        messages.append(Error("PASSEPORT_VAULT_STORAGE must be 'filesystem' or 's3'.",
                              id="vault.E002"))
    if settings.PASSEPORT_VAULT_STORAGE == "s3" and not settings.PASSEPORT_VAULT_S3["bucket_name"]:
        messages.append(Error("PASSEPORT_VAULT_S3_BUCKET is required with the s3 storage.",
                              id="vault.E003"))
    if settings.PRODUCTION and not settings.PASSEPORT_VAULT_CLAMD:
        messages.append(Warning(
            "No antivirus: set PASSEPORT_VAULT_CLAMD to clamd's socket or address so that "
            "uploads are scanned.", id="vault.W001"))
    return messages
