"""Typed helpers that read settings from the environment.

Every setting of Passeport comes from here: the defaults run locally with no
`.env` file; production differs only by environment variables (see `.env.example`).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in _TRUE


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_secret(name: str, *, allow_local: bool) -> str:
    """A secret from the environment (or from a file named by NAME_FILE).

    Outside production (`allow_local`), a missing secret is generated once and kept
    in `var/` (ignored by git), so that `make run` works on a fresh machine while no
    secret is ever written in the repository.
    """
    value = os.environ.get(name)
    if value:
        return value
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text().strip()
    if not allow_local:
        raise RuntimeError(f"The environment variable {name} (or {name}_FILE) must be set.")
    local = BASE_DIR / "var" / "secrets" / name.lower()
    if not local.exists():
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_text(secrets.token_urlsafe(48))
        local.chmod(0o600)
    return local.read_text().strip()


def env_secret_list(name: str) -> list[str]:
    """Several secrets (e.g. retired keys still needed to read old data): comma-separated
    in NAME, or one per line in the file named by NAME_FILE. Empty when neither is set."""
    value = os.environ.get(name)
    if value is None and os.environ.get(f"{name}_FILE"):
        value = Path(os.environ[f"{name}_FILE"]).read_text().replace("\n", ",")
    return [item.strip() for item in (value or "").split(",") if item.strip()]
