"""Template filters of the directory pages: `{% load directory %}`."""

from django import template

from passeport.directory import enums

register = template.Library()


@register.filter
def theme_label(slug: str) -> str:
    """The label of a data·inclusion category or thématique."""
    return enums.theme_label(slug or "")


@register.filter
def public_label(slug: str) -> str:
    return enums.PUBLICS.get(slug, slug)


@register.filter
def mode_accueil_label(slug: str) -> str:
    return enums.MODES_ACCUEIL.get(slug, slug)
