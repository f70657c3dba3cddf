"""The adapter around OpenFisca-France.

Pure Python and numpy (no Django): `household.py` says what a household is for the
engine (a JSON-able snapshot), `system.py` builds the tax-benefit system once per process,
`simulate.py` computes many households at once in vectorised, chunked simulations.

Pinned: openfisca-france 176.1.8 (variable names change between majors).
"""

from .household import ESTIMATED, HouseholdInput, snapshot_hash
from .simulate import Estimate, estimate_many
from .system import engine_versions, legislation_date, tax_benefit_system, warm_up

__all__ = [
    "ESTIMATED",
    "Estimate",
    "HouseholdInput",
    "engine_versions",
    "estimate_many",
    "legislation_date",
    "snapshot_hash",
    "tax_benefit_system",
    "warm_up",
]
