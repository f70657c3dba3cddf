"""Helpers of the booking invitation tests: slots in the days to come."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from passeport.paths.booking_services import SlotIn


def at(days: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def slots(*specs, mode="on_site", place="12 rue de Siam, Brest") -> list[SlotIn]:
    """`slots((3, 10), (4, 14))`: 45-minute slots on day +3 at 10 h and day +4 at 14 h."""
    specs = specs or ((3, 10), (4, 14))
    return [SlotIn(starts_at=at(d, h), duration_minutes=45, mode=mode, place=place) for d, h in specs]


def deadline(days: int = 2) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)
