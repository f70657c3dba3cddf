"""What the engine needs to know about a household: a plain, JSON-able snapshot.

The snapshot is what an estimate relied on: it is stored with the estimate and hashed,
so that the page can tell whether the situation changed since the last estimate.
Amounts are monthly, in euros, net (what the person sees on their bank account).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

# Benefits the engine estimates (codes shared with the declared benefits of the path:
# "al" is the housing aid, whichever of APL, ALS or ALF it is).
ESTIMATED = ("rsa", "ppa", "al", "aah", "af", "cf", "asf", "css")

ROLES = ("self", "partner", "child", "other")

# Kinds of monthly income -> the OpenFisca-France variables that receive the amount. Net
# amounts are also used as taxable amounts (a small approximation that spares the engine
# the whole chain of social contributions).
INCOME_VARIABLES: dict[str, tuple[str, ...]] = {
    "salary": ("salaire_net", "salaire_imposable"),
    "self_employed": ("rpns_auto_entrepreneur_benefice",),
    "unemployment": ("chomage_net", "chomage_imposable", "chomage_brut"),
    "ass": ("ass",),
    "sickness": ("indemnites_journalieres_maladie",),
    "pension": ("retraite_nette", "retraite_imposable", "retraite_brute"),
    "invalidity": ("pensions_invalidite",),
    "alimony": ("pensions_alimentaires_percues",),
}
# Benefits received, given as incomes: before the month computed they are facts (the
# household's resources); for the month computed the engine estimates them.
RECEIVED_INDIVIDUAL = {"aah": "aah"}
RECEIVED_FAMILY = {"rsa": "rsa", "ppa": "ppa", "al": "aide_logement", "af": "af", "cf": "cf",
                   "asf": "asf"}
INCOME_KINDS = (*INCOME_VARIABLES, *RECEIVED_INDIVIDUAL, *RECEIVED_FAMILY)

# The path's housing status -> OpenFisca-France's statut_occupation_logement.
HOUSING = {
    "owner": "proprietaire",
    "tenant": "locataire_vide",
    "furnished": "locataire_meuble",
    "social_tenant": "locataire_hlm",
    "hosted": "loge_gratuitement",
    "shelter": "locataire_foyer",
    "homeless": "sans_domicile",
    "other": "non_renseigne",
    "": "non_renseigne",
}
PAYS_RENT = {"tenant", "furnished", "social_tenant", "shelter"}


def month_key(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def add_months(d: date, n: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 + n, 12)
    return date(y, m + 1, 1)


@lru_cache(maxsize=4096)
def _index(key: str) -> int:
    return int(key[:4]) * 12 + int(key[5:7]) - 1


def _key(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _runs(by_month: dict[str, float]) -> list[list]:
    """{month: amount} as runs of consecutive months with the same amount:
    [[first month, last month, amount], ...] (a compact, stable snapshot)."""
    runs: list[list] = []
    for key in sorted(by_month):
        amount = round(by_month[key], 2)
        if runs and runs[-1][2] == amount and _index(runs[-1][1]) + 1 == _index(key):
            runs[-1][1] = key
        else:
            runs.append([key, key, amount])
    return runs


def _expand_runs(runs) -> dict[str, float]:
    if isinstance(runs, dict):  # {month: amount}
        return {m: float(a) for m, a in runs.items()}
    out: dict[str, float] = {}
    for first, last, amount in runs:
        for i in range(_index(first), _index(last) + 1):
            out[_key(i)] = float(amount)
    return out


@dataclass
class MemberInput:
    role: str
    birth_date: date
    disability_rate: int | None = None  # taux d'incapacité, %
    rsdae: bool = False  # restriction substantielle et durable d'accès à l'emploi (CDAPH)
    student: bool = False
    incomes: dict[str, dict[str, float]] = field(default_factory=dict)  # kind -> month -> €

    def as_dict(self) -> dict:
        return {
            "role": self.role,
            "birth_date": self.birth_date.isoformat(),
            "disability_rate": self.disability_rate,
            "rsdae": self.rsdae,
            "student": self.student,
            "incomes": {k: _runs(v) for k, v in sorted(self.incomes.items()) if v},
        }

    @classmethod
    def from_dict(cls, d: dict) -> MemberInput:
        return cls(role=d["role"], birth_date=date.fromisoformat(d["birth_date"]),
                   disability_rate=d.get("disability_rate"), rsdae=bool(d.get("rsdae")),
                   student=bool(d.get("student")),
                   incomes={k: _expand_runs(v) for k, v in (d.get("incomes") or {}).items()})


@dataclass
class HouseholdInput:
    """One household for one month. `members[0]` is the person accompanied."""

    month: date
    members: list[MemberInput]
    housing_status: str = ""
    rent: float | None = None
    commune: str = ""
    received: tuple[str, ...] = ()  # benefits the household declares receiving now

    def as_dict(self) -> dict:
        return {
            "month": month_key(self.month),
            "members": [m.as_dict() for m in self.members],
            "housing": {"status": self.housing_status, "rent": self.rent,
                        "commune": self.commune},
            "received": sorted(set(self.received)),
        }

    def snapshot(self, versions: dict | None = None) -> tuple[dict, str]:
        """The JSON-able snapshot and its hash (with the engine's versions)."""
        snapshot = self.as_dict()
        return snapshot, snapshot_hash(snapshot, versions)

    @classmethod
    def from_dict(cls, d: dict) -> HouseholdInput:
        housing = d.get("housing") or {}
        return cls(month=date.fromisoformat(d["month"] + "-01"),
                   members=[MemberInput.from_dict(m) for m in d["members"]],
                   housing_status=housing.get("status") or "", rent=housing.get("rent"),
                   commune=housing.get("commune") or "",
                   received=tuple(d.get("received") or ()))


def snapshot_hash(snapshot: dict, versions: dict | None = None) -> str:
    """A stable digest of a snapshot made by `as_dict`, which builds its dicts in a fixed
    order (so the keys need no sorting; hash `as_dict()`, not a snapshot read back from
    PostgreSQL, whose jsonb reorders keys)."""
    payload = json.dumps({"s": snapshot, "v": versions or {}}, separators=(",", ":"),
                         ensure_ascii=True)
    return hashlib.sha256(payload.encode()).hexdigest()
