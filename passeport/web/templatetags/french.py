"""Template filters for French typography, available in every template (builtins)."""

from __future__ import annotations

from django import template

from passeport.core.text import premier as _premier

register = template.Library()


@register.filter(is_safe=True)
def premier(value) -> str:
    """« 1 décembre 2026 » → « 1er décembre 2026 » (the first day of a month is written
    as an ordinal in French). Use after `date`: `{{ d|date:"j F Y"|premier }}`."""
    return _premier(str(value)) if value not in (None, "") else value
