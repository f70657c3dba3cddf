"""Text messages (SMS): a small provider interface, like Django's e-mail backends.

`PASSEPORT_SMS_BACKEND` names the class: the console backend in development (prints the
message), the memory backend in tests (`outbox`), and Brevo's transactional SMS API in
production (https://developers.brevo.com, `POST /v3/transactionalSMS/sms`, key in the
`api-key` header). Another provider is one class with a `send` method.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

import requests
from django.conf import settings
from django.utils.module_loading import import_string


class SmsError(Exception):
    """The provider refused or could not be reached; `code` is stable, for the logs."""

    def __init__(self, message: str, *, code: str = "sms_failed"):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class SmsMessage:
    to: str  # international format without "+", e.g. 33612345678
    text: str
    tag: str = ""


_FR_MOBILE = re.compile(r"^0[67]\d{8}$")


def mobile_number(raw: str) -> str | None:
    """A French mobile number in the international form providers expect (33612345678),
    or None when it is not one (a landline cannot receive a text message)."""
    digits = re.sub(r"[\s.\-()]", "", raw or "")
    if digits.startswith("+33"):
        digits = "0" + digits[3:]
    elif digits.startswith("0033"):
        digits = "0" + digits[4:]
    if not _FR_MOBILE.match(digits):
        return None
    return "33" + digits[1:]


class BaseBackend:
    def send(self, message: SmsMessage) -> str:
        """Sends one message; returns the provider's reference. Raises SmsError."""
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    """Development: writes the message to the standard output."""

    def send(self, message: SmsMessage) -> str:
        sys.stdout.write(f"SMS to {message.to}: {message.text}\n")
        sys.stdout.flush()
        return "console"


outbox: list[SmsMessage] = []


class MemoryBackend(BaseBackend):
    """Tests: keeps the messages in `passeport.core.sms.outbox`."""

    def send(self, message: SmsMessage) -> str:
        outbox.append(message)
        return f"memory-{len(outbox)}"


class BrevoBackend(BaseBackend):
    """Brevo's transactional SMS API. Settings: PASSEPORT_SMS_BREVO_API_KEY,
    PASSEPORT_SMS_BREVO_URL (default https://api.brevo.com), PASSEPORT_SMS_SENDER (11
    letters or digits at most)."""

    timeout = 10

    def __init__(self):
        self.url = settings.PASSEPORT_SMS_BREVO_URL.rstrip("/") + "/v3/transactionalSMS/sms"
        self.key = settings.PASSEPORT_SMS_BREVO_API_KEY
        self.sender = settings.PASSEPORT_SMS_SENDER

    def send(self, message: SmsMessage) -> str:
        if not self.key:
            raise SmsError("PASSEPORT_SMS_BREVO_API_KEY is not set", code="sms_not_configured")
        payload = {"sender": self.sender, "recipient": message.to, "content": message.text,
                   "type": "transactional", "unicodeEnabled": not _gsm7(message.text)}
        if message.tag:
            payload["tag"] = message.tag
        try:
            response = requests.post(self.url, json=payload, timeout=self.timeout,
                                     headers={"api-key": self.key, "accept": "application/json"})
        except requests.RequestException as exc:
            raise SmsError(f"Brevo unreachable: {exc.__class__.__name__}", code="sms_unreachable") from exc
        if response.status_code >= 300:
            try:
                body = response.json()
            except ValueError:
                body = {}
            raise SmsError(f"Brevo {response.status_code}: {body.get('message', '')}"[:250],
                           code=f"sms_{body.get('code') or response.status_code}")
        data = response.json()
        return str(data.get("messageId") or data.get("reference") or "")


# The GSM 03.38 basic alphabet (a text outside it is sent as Unicode, in shorter parts).
_GSM7 = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
            "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")


def _gsm7(text: str) -> bool:
    return all(ch in _GSM7 for ch in text)


def backend() -> BaseBackend:
    return import_string(settings.PASSEPORT_SMS_BACKEND)()


def send_sms(to: str, text: str, *, tag: str = "") -> str:
    return backend().send(SmsMessage(to=to, text=text, tag=tag))
