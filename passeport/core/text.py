"""Text helpers shared by every app."""

from __future__ import annotations

import re

from unidecode import unidecode

_SPACES = re.compile(r"[^a-z0-9]+")


def normalize(text: str | None) -> str:
    """Lower-case ASCII form of a text, for accent- and case-insensitive search.

    >>> normalize("  Élodie  LE GOFF-Kérouac ")
    'elodie le goff kerouac'
    """
    if not text:
        return ""
    return _SPACES.sub(" ", unidecode(text).lower()).strip()
