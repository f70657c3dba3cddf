"""Hand-made participations for the indicator tests (complete records by default)."""

from __future__ import annotations

from datetime import date

from passeport.reporting.models import Operation, Participation
from tests.factories import PersonFactory


def operation(org, code="OP-1", starts_on=date(2025, 1, 1), ends_on=date(2026, 12, 31), **kw):
    return Operation.objects.create(organisation=org, code=code, title=f"Opération {code}",
                                    starts_on=starts_on, ends_on=ends_on, **kw)


def participant(op, *, person=None, **kw):
    values = {"entry_on": date(2025, 3, 1), "gender": "f", "birth_date": date(1990, 5, 5),
              "entry_status": "inactive", "education_level": "isced_3_4"}
    values.update(kw)
    return Participation.objects.create(operation=op, person=person or PersonFactory(), **values)
