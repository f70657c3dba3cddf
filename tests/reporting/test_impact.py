"""Impact dashboard (charts with data tables) and the public page never showing small counts."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from passeport.paths.enums import ActionStatus
from passeport.paths.models import Action
from passeport.reporting.impact import (
    entries_exits_by_month,
    public_participants_by_territory,
    rights_opened,
)
from passeport.rights.models import RightsAction

from .helpers import operation, participant

pytestmark = pytest.mark.django_db


def test_impact_page_has_svg_charts_with_tables(pro_client, org):
    op = operation(org)
    participant(op, entry_on=date(2025, 3, 4), exit_on=date(2025, 5, 1), exit_observed_on=date(2025, 5, 2),
                exit_employed=True)
    participant(op, entry_on=date(2025, 3, 20))
    html = pro_client.get(reverse("reporting:impact")).content.decode()
    assert html.count("<svg") == 6
    assert "<th scope=\"row\">03/2025</th><td>2</td>" in html


def test_entries_and_exits_by_month_show_the_empty_months(org):
    op = operation(org)
    participant(op, entry_on=date(2025, 3, 4))
    participant(op, entry_on=date(2025, 6, 10), exit_on=date(2025, 6, 30), exit_observed_on=date(2025, 7, 1),
                exit_employed=True)
    months = entries_exits_by_month(org.pk)
    assert [m["month"] for m in months] == [date(2025, 3, 1), date(2025, 4, 1), date(2025, 5, 1),
                                            date(2025, 6, 1)]
    assert [(m["entries"], m["exits"]) for m in months] == [(1, 0), (0, 0), (0, 0), (1, 1)]


def test_impact_counts_rights_opened_from_a_rights_check(pro_client, org, followed_path):
    """A right not claimed turned into an action counts as opened once the action is done."""
    for code, status in (("rsa", ActionStatus.DONE), ("css", ActionStatus.DONE),
                         ("css", ActionStatus.DONE), ("ppa", ActionStatus.TODO)):
        action = Action.objects.create(path=followed_path, title=f"Demander {code}", status=status)
        RightsAction.objects.create(path=followed_path, code=code, action=action)
    assert dict(rights_opened(org.pk))["Complémentaire santé solidaire"] == 2
    assert dict(rights_opened(org.pk))["Prime d'activité"] == 0
    html = pro_client.get(reverse("reporting:impact")).content.decode()
    assert "Droits ouverts après un repérage" in html
    assert "<th scope=\"row\">Complémentaire santé solidaire</th><td>2</td>" in html


def test_public_aggregates_hide_small_counts_and_differences(client, org):
    brest = operation(org, code="B", territory="Brest")
    quimper = operation(org, code="Q", territory="Quimper")
    for _ in range(15):
        participant(brest, gender="f")
    for _ in range(12):
        participant(brest, gender="m")
    for _ in range(3):
        participant(brest, gender="x")
    for _ in range(20):
        participant(quimper, gender="f")
    for _ in range(25):
        participant(quimper, gender="m")
    data = public_participants_by_territory()
    assert data["territories"] == ["Brest", "Quimper"]
    brest_row = data["cells"][0]
    assert brest_row[2] is None  # 3 non-binary people
    assert sum(v is None for v in brest_row) >= 2  # 30 - 15 - 12 would give 3
    # non-binary column: Quimper 0 shown, total 3 must be hidden
    assert data["col_totals"][2] is None
    html = client.get(reverse("reporting:public_impact")).content.decode()
    assert "<td>3</td>" not in html
    assert "Brest" in html
