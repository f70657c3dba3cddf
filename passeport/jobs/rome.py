"""Loading the ROME 4.0 referential shipped in `data/*.csv.gz` (see data/README.md).

Used by the data migration 0002 (with the historical models) and by
`manage.py load_rome` (idempotent: rows are compared with the files; new ones are
inserted, changed ones updated, links replaced when they differ)."""

from __future__ import annotations

import csv
import gzip
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connections, router, transaction

from passeport.core.text import normalize

DATA_DIR = Path(__file__).resolve().parent / "data"


def read(name: str, data_dir: Path = DATA_DIR) -> list[dict]:
    with gzip.open(data_dir / f"{name}.csv.gz", "rb") as raw:
        return list(csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8", newline="")))


@dataclass
class LoadResult:
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, table: str, created: int, updated: int, unchanged: int) -> None:
        self.counts[table] = {"created": created, "updated": updated, "unchanged": unchanged}


def _bulk_insert(model, names: list[str], values: list[list]) -> None:
    """Insert rows fast with plain SQL (the ORM's bulk_create is several times slower
    for the 100,000 links; migrate and the test setup run this)."""
    if not values:
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(model._meta.get_field(n).column) for n in names)
    with connection.cursor() as cursor:
        raw = getattr(cursor, "cursor", None)
        if connection.vendor == "postgresql" and hasattr(raw, "copy"):
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {table} ({columns}) "  # noqa: S608
                               f"VALUES ({', '.join(['%s'] * len(names))})", values)


def _sync(model, key: str, rows: list[dict], result: LoadResult) -> None:
    """Insert the rows whose key is new, update those that changed."""
    fields = [f for f in rows[0] if f != key] if rows else []
    existing = {r[key]: r for r in model.objects.values(key, *fields)}
    to_create, updated, unchanged = [], 0, 0
    for row in rows:
        current = existing.get(row[key])
        if current is None:
            to_create.append(row)
        elif any(current[f] != row[f] for f in fields):
            model.objects.filter(**{key: row[key]}).update(**{f: row[f] for f in fields})
            updated += 1
        else:
            unchanged += 1
    names = [key, *fields]
    _bulk_insert(model, names, [[r[n] for n in names] for r in to_create])
    result.add(model._meta.model_name, len(to_create), updated, unchanged)


def _sync_links(model, names: list[str], rows: list[tuple], result: LoadResult) -> None:
    """Links have no identity of their own: replace them when the set differs."""
    existing = set(model.objects.values_list(*names))
    wanted = set(rows)
    if existing == wanted:
        result.add(model._meta.model_name, 0, 0, len(existing))
        return
    stale = existing - wanted
    if stale:
        model.objects.all().delete()
        existing = set()
    new = [list(r) for r in rows if r not in existing]
    _bulk_insert(model, names, new)
    result.add(model._meta.model_name, len(new), 0, len(rows) - len(new))


def load_rome(apps_models: dict, data_dir: Path = DATA_DIR) -> LoadResult:
    """Bring the referential tables (given as a dict of models, current or historical)
    in line with the files."""
    m = apps_models
    result = LoadResult()
    with transaction.atomic():
        _sync(m["RomeFiche"], "code", [
            {"code": r["code_rome"], "code_ogr": int(r["code_ogr"]), "label": r["libelle"]}
            for r in read("fiches", data_dir)], result)
        _sync(m["RomeAppellation"], "code_ogr", [
            {"code_ogr": int(r["code_ogr"]), "label": r["libelle"],
             "short_label": r["libelle_court"], "label_normalized": normalize(r["libelle"])[:250],
             "fiche_id": r["code_rome"]} for r in read("appellations", data_dir)], result)
        _sync(m["RomeSkill"], "code_ogr", [
            {"code_ogr": int(r["code_ogr"]), "kind": r["kind"], "label": r["libelle"][:300],
             "macro_code": int(r["macro_code_ogr"]) if r["macro_code_ogr"] else None,
             "is_macro": r["is_macro"] == "1"} for r in read("skills", data_dir)], result)
        _sync(m["RomeWorkContext"], "code_ogr", [
            {"code_ogr": int(r["code_ogr"]), "label": r["libelle"], "category": r["type_libelle"]}
            for r in read("contexts", data_dir)], result)
        _sync_links(m["RomeFicheSkill"], ["fiche_id", "skill_id", "kind", "core"], [
            (r["code_rome"], int(r["code_ogr"]), r["kind"], r["core"] == "1")
            for r in read("fiche_skills", data_dir)], result)
        _sync_links(m["RomeFicheContext"], ["fiche_id", "context_id"], [
            (r["code_rome"], int(r["code_ogr"])) for r in read("fiche_contexts", data_dir)], result)
        _sync_links(m["RomeMobility"], ["source_id", "target_id", "order"], [
            (r["code_rome"], r["code_rome_cible"], int(r["ordre"]))
            for r in read("mobility", data_dir)], result)
    return result


MODEL_NAMES = ["RomeFiche", "RomeAppellation", "RomeSkill", "RomeWorkContext", "RomeFicheSkill",
               "RomeFicheContext", "RomeMobility"]
