"""The OpenFisca-France tax-benefit system, built once per process (2.5 to 5 s).

`tax_benefit_system()` is a lazy, thread-safe singleton: the first caller builds it, the
others wait for it and share it. Workers (the `rights_worker` command, the task backend)
warm it up at start so that requests never pay for it.
"""

from __future__ import annotations

import bisect
import importlib.metadata
import threading
from datetime import date
from functools import cache

_lock = threading.Lock()
_system = None

# Where the benefits' scales live in the parameter tree: their latest change on or before
# the month computed is "the legislation the estimate relies on".
LEGISLATION_NODES = ("prestations_sociales",)


def tax_benefit_system():
    global _system
    if _system is None:
        with _lock:
            if _system is None:
                from openfisca_france import FranceTaxBenefitSystem

                _system = FranceTaxBenefitSystem()
    return _system


@cache
def engine_versions() -> dict[str, str]:
    return {
        "openfisca_france": importlib.metadata.version("openfisca-france"),
        "openfisca_core": importlib.metadata.version("openfisca-core"),
    }


@cache
def _change_dates() -> list[date]:
    """Every date on which a benefits' parameter changed, sorted (read once)."""
    from openfisca_core.parameters import Parameter, ParameterNode

    dates: set[date] = set()

    def walk(node) -> None:
        if isinstance(node, Parameter):
            for at in node.values_list:
                dates.add(date.fromisoformat(str(at.instant_str)))
        elif isinstance(node, ParameterNode):
            for child in node.children.values():
                walk(child)
        else:  # scales (barèmes): their brackets hold parameters
            for bracket in getattr(node, "brackets", []):
                for child in bracket.children.values():
                    walk(child)

    params = tax_benefit_system().parameters
    for name in LEGISLATION_NODES:
        walk(params.children[name])
    return sorted(dates)


def legislation_date(month: date) -> date:
    """The latest change of the benefits' scales in force during `month` (first day)."""
    dates = _change_dates()
    end = date(month.year + 1, 1, 1) if month.month == 12 else date(month.year, month.month + 1, 1)
    i = bisect.bisect_left(dates, end)
    return dates[i - 1] if i else month


def warm_up() -> None:
    """Build the system and run one small estimate, so that the first real batch is fast."""
    from .household import HouseholdInput, MemberInput
    from .simulate import estimate_many

    today = date.today().replace(day=1)
    estimate_many([HouseholdInput(month=today, members=[MemberInput("self", date(1990, 1, 1))],
                                  housing_status="tenant", rent=400.0, commune="75056")])
    legislation_date(today)
