"""Validation against the 1EdTech JSON Schema of an AchievementCredential (shipped)."""

from __future__ import annotations

import json
from functools import lru_cache

from jsonschema import Draft201909Validator

from .loader import CONTEXTS_DIR


@lru_cache(maxsize=1)
def validator() -> Draft201909Validator:
    schema = json.loads((CONTEXTS_DIR / "ob_v3p0_achievementcredential_schema.json").read_text())
    return Draft201909Validator(schema)


def schema_errors(credential: dict) -> list[str]:
    """Every violation, as `path: message` (empty when the credential is valid)."""
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '(racine)'}: {e.message}"
            for e in validator().iter_errors(credential)]
