"""Loading the French communes shipped in `data/communes.csv.gz` (see data/README.md).

Used by the data migration 0002 (with the historical model) and by
`manage.py load_communes` (idempotent: inserts new communes, updates changed ones and,
with `prune`, deletes those that are no longer in the file)."""

from __future__ import annotations

import csv
import gzip
import io
import math
from dataclasses import dataclass
from pathlib import Path

from django.db import connections, router, transaction

from passeport.core.text import normalize

DATA_FILE = Path(__file__).resolve().parent / "data" / "communes.csv.gz"
FIELDS = ["name", "name_normalized", "postal_codes", "departement", "region", "population",
          "latitude", "longitude", "kind", "parent_code"]


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0


def name_key(text: str) -> str:
    """A commune name as it is searched: normalized, 'st'/'ste' written in full.

    >>> name_key("St-Pol-de-Léon")
    'saint pol de leon'
    """
    words = normalize(text).split()
    return " ".join({"st": "saint", "ste": "sainte"}.get(w, w) for w in words)


def _coordinate(raw: str) -> float | None:
    """A coordinate, or None when empty or not a finite number (the file has 'nan')."""
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def read_communes(path: Path = DATA_FILE) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        rows = []
        for row in csv.DictReader(text):
            rows.append({
                "code_insee": row["code_insee"],
                "name": row["nom"],
                "name_normalized": name_key(row["nom"])[:80],
                "postal_codes": row["codes_postaux"].strip(),
                "departement": row["departement"],
                "region": row["region"],
                "population": int(row["population"] or 0),
                "latitude": _coordinate(row["latitude"]),
                "longitude": _coordinate(row["longitude"]),
                "kind": row["type"] or "commune",
                "parent_code": row["commune_parent"] or "",
            })
    return rows


def _insert(connection, cursor, model, names: list[str], values: list[list]) -> None:
    """Insert rows fast: COPY on PostgreSQL (psycopg 3), `executemany` elsewhere."""
    if not values:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    column_list = ", ".join(quote(model._meta.get_field(n).column) for n in names)
    raw = getattr(cursor, "cursor", None)
    if connection.vendor == "postgresql" and hasattr(raw, "copy"):
        with raw.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
    else:
        cursor.executemany(f"INSERT INTO {table} ({column_list}) "  # noqa: S608
                           f"VALUES ({', '.join(['%s'] * len(names))})", values)


def load_communes(model, postal_model, *, path: Path = DATA_FILE, prune: bool = False
                  ) -> LoadResult:
    """Bring the `model` (Commune) and `postal_model` (CommunePostalCode) tables, or their
    historical versions in a migration, in line with the file. Plain SQL (35,000 rows in
    about a second; the ORM's bulk_create takes several times longer), to keep `migrate`
    and the test setup fast."""
    rows = read_communes(path)
    existing = {c["code_insee"]: c for c in model.objects.values("code_insee", *FIELDS)}
    result = LoadResult()
    to_create, to_update = [], []
    for row in rows:
        current = existing.get(row["code_insee"])
        if current is None:
            to_create.append(row)
        elif any(current[f] != row[f] for f in FIELDS):
            to_update.append(row)
        else:
            result.unchanged += 1
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    names = ["code_insee", *FIELDS]
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        _insert(connection, cursor, model, names,
                [[row[name] for name in names] for row in to_create])
        if to_update:
            table = quote(model._meta.db_table)
            columns = [model._meta.get_field(name).column for name in names]
            assignments = ", ".join(f"{quote(c)} = %s" for c in columns[1:])
            cursor.executemany(
                f"UPDATE {table} SET {assignments} WHERE {quote(columns[0])} = %s",  # noqa: S608
                [[row[name] for name in FIELDS] + [row["code_insee"]] for row in to_update])
        result.created, result.updated = len(to_create), len(to_update)
        if prune:
            codes = {row["code_insee"] for row in rows}
            gone = [code for code in existing if code not in codes]
            for start in range(0, len(gone), 500):
                result.deleted += model.objects.filter(
                    code_insee__in=gone[start:start + 500]).delete()[0]
        pairs = [[cp, row["code_insee"]] for row in rows for cp in row["postal_codes"].split()]
        if (to_create or to_update or result.deleted
                or postal_model.objects.count() != len(pairs)):
            postal_model.objects.all().delete()
            _insert(connection, cursor, postal_model, ["code", "commune"], pairs)
    return result
