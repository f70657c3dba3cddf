"""French typography: the first day of a month is written « 1er » in the pages."""

from __future__ import annotations

import datetime as dt

from django.template import Context, Template
from django.utils import translation

from passeport.web.templatetags.french import premier


def render(day: dt.date, fmt: str = "j F Y") -> str:
    with translation.override("fr"):
        return Template('{{ d|date:"' + fmt + '"|premier }}').render(Context({"d": day}))


def test_first_of_the_month_is_an_ordinal_in_every_page_template():
    assert render(dt.date(2026, 12, 1)) == "1er décembre 2026"
    assert render(dt.date(2026, 12, 1), "l j F") == "mardi 1er décembre"
    assert render(dt.date(2026, 12, 11)) == "11 décembre 2026"
    assert render(dt.date(2026, 12, 21)) == "21 décembre 2026"
    assert render(None) == ""
    assert premier("1,1 mai") == "1,1 mai" and premier("à 1 mai") == "à 1er mai"
