"""Impact dashboard figures (counts grouped in SQL) and public aggregates with small-count
suppression. No person-level data leaves this module."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from .indicators import GENDERS, complete_q
from .models import Participation
from .suppression import suppress


def _scope(organisation_id=None, territory: str | None = None):
    qs = Participation.objects.filter(operation__ends_on__gt=F("operation__starts_on"))
    if organisation_id is not None:
        qs = qs.filter(operation__organisation_id=organisation_id)
    if territory:
        qs = qs.filter(operation__territory=territory)
    return qs


def entries_exits_by_month(organisation_id) -> list[dict]:
    """[{"month": date, "entries": n, "exits": n}] (two grouped queries)."""
    qs = _scope(organisation_id)
    entries = dict(qs.annotate(m=TruncMonth("entry_on")).values("m").order_by().annotate(n=Count("pk"))
                   .values_list("m", "n"))
    exits = dict(qs.filter(exit_on__isnull=False).annotate(m=TruncMonth("exit_on")).values("m").order_by()
                 .annotate(n=Count("pk")).values_list("m", "n"))
    months = sorted(_as_date(m) for m in set(entries) | set(exits))
    entries = {_as_date(m): n for m, n in entries.items()}
    exits = {_as_date(m): n for m, n in exits.items()}
    out, month = [], months[0] if months else None
    while month is not None and month <= months[-1]:  # every month, the empty ones too
        out.append({"month": month, "entries": entries.get(month, 0), "exits": exits.get(month, 0)})
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return out


def _as_date(value) -> date:
    return value.date() if isinstance(value, datetime) else value


def outcomes(organisation_id) -> dict[str, list[tuple[str, int]]]:
    qs = _scope(organisation_id)
    agg = qs.aggregate(
        left=Count("pk", filter=Q(exit_on__isnull=False)),
        employed=Count("pk", filter=Q(exit_employed=True)),
        education=Count("pk", filter=Q(exit_education=True)),
        qualification=Count("pk", filter=Q(exit_qualification=True)),
        searching=Count("pk", filter=Q(exit_job_searching=True)),
        unknown=Count("pk", filter=Q(exit_on__isnull=False, exit_observed_on__isnull=True)),
        six_employed=Count("pk", filter=Q(six_months_employed=True)),
        six_improved=Count("pk", filter=Q(six_months_improved=True)),
        six_declined=Count("pk", filter=Q(followup_status="declined")),
        six_unreachable=Count("pk", filter=Q(followup_status="unreachable")),
    )
    return {
        "exit": [(_("En emploi"), agg["employed"]), (_("En études ou formation"), agg["education"]),
                 (_("Qualification obtenue"), agg["qualification"]), (_("En recherche d'emploi"), agg["searching"]),
                 (_("Situation non renseignée"), agg["unknown"])],
        "six_months": [(_("En emploi"), agg["six_employed"]), (_("Situation améliorée"), agg["six_improved"]),
                       (_("Refus de répondre"), agg["six_declined"]), (_("Injoignable"), agg["six_unreachable"])],
    }


def public_participants_by_territory() -> dict:
    """Participants (complete records) by territory and gender, with small counts suppressed:
    {"territories": [...], "genders": [...], "cells", "row_totals", "col_totals", "total"}."""
    rows = (_scope().filter(complete_q()).values("operation__territory", "gender").order_by()
            .annotate(n=Count("pk")))
    counts: dict[str, dict[str, int]] = {}
    for r in rows:
        counts.setdefault(r["operation__territory"] or "—", {})[r["gender"]] = r["n"]
    territories = sorted(counts)
    table = [[counts[t].get(g, 0) for g in GENDERS] for t in territories]
    result = suppress(table) if table else {"cells": [], "row_totals": [], "col_totals": [0, 0, 0], "total": 0}
    return {"territories": territories, **result}


def bar_chart(items: list[tuple[str, int | None]], *, width: int = 480, bar: int = 24) -> dict:
    """Geometry of a horizontal bar chart for an inline SVG (None = hidden value: no bar)."""
    top = max([v for _, v in items if v] or [1])
    label_w = 190
    bars = [{"label": label, "value": value, "y": i * (bar + 10),
             "w": 0 if not value else max(2, round((width - label_w - 60) * value / top)),
             "x": label_w} for i, (label, value) in enumerate(items)]
    return {"bars": bars, "height": len(items) * (bar + 10), "width": width, "bar": bar, "label_w": label_w}


def orientations_sent(organisation_id) -> list[tuple[str, int]]:
    """Orientations sent by the organisation, by answer (one grouped query)."""
    from passeport.directory.enums import OrientationStatus
    from passeport.directory.models import Orientation

    counts = dict(Orientation.objects.filter(sender_id=organisation_id).values("status").order_by()
                  .annotate(n=Count("pk")).values_list("status", "n"))
    return [(label, counts.get(value, 0)) for value, label in OrientationStatus.choices]


def rights_opened(organisation_id) -> list[tuple[str, int]]:
    """Rights opened on the organisation's paths: the actions created from a right not
    claimed (rights check) that the référent or the person marked done, by benefit."""
    from passeport.paths.enums import ActionStatus
    from passeport.rights.enums import RightCode
    from passeport.rights.models import RightsAction

    counts = dict(RightsAction.objects.filter(path__organisation_id=organisation_id,
                                              action__status=ActionStatus.DONE)
                  .values("code").order_by().annotate(n=Count("pk")).values_list("code", "n"))
    return [(label, counts.get(value, 0)) for value, label in RightCode.choices]


def badges_issued(organisation_id, *, limit: int = 8) -> list[tuple[str, int]]:
    """Open Badges the organisation awarded and did not revoke, by badge (the most awarded
    first)."""
    from passeport.skills.models import Award

    rows = (Award.objects.filter(organisation_id=organisation_id, revoked_at__isnull=True)
            .values("badge_class__name").order_by().annotate(n=Count("pk"))
            .order_by("-n", "badge_class__name")[:limit])
    return [(r["badge_class__name"], r["n"]) for r in rows]
