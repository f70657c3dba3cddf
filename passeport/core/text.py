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


_MONTHS = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
_FIRST = re.compile(rf"(?<![\d,.])1 (?=(?:{_MONTHS})\b)", re.IGNORECASE)


def premier(text: str) -> str:
    """French typography: the first day of a month is an ordinal.

    >>> premier("mardi 1 décembre 2026")
    'mardi 1er décembre 2026'
    >>> premier("11 décembre")
    '11 décembre'
    """
    return _FIRST.sub("1er ", text)


def date_fr(day, fmt: str = "j F Y") -> str:
    """A date written out in French (« 1er décembre 2026 », « mardi 1er décembre »)."""
    from django.utils.formats import date_format

    return premier(date_format(day, fmt))
