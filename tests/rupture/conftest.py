from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from passeport.paths.models import Path
from tests.factories import ConsentFactory, PathFactory, PersonFactory

DAY0 = dt.date(2026, 3, 2)  # the frozen "today" of the hand-made cases


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def reload(path: Path) -> Path:
    return Path.objects.select_related("referent", "person").get(pk=path.pk)


@pytest.fixture
def path(org, referent):
    """A path opened on DAY0 by `org`, followed by `referent`, with the person's consent."""
    person = PersonFactory(first_name="Gwenaëlle", last_name="Morvan")
    ConsentFactory(person=person, organisation=org, valid_from=DAY0 - dt.timedelta(days=400))
    return PathFactory(person=person, organisation=org, referent=referent, opened_on=DAY0)
