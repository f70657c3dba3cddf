"""The data·inclusion schema v1 at the edges of the directory: reading JSON and CSV
files, validating each record with the package's pydantic models (`Structure`,
`Service`), turning a valid record into model fields, and a model back into a record.

A record's errors are reported in French, one line per field, e.g.
"nom : trop court (3 caractères au moins)".
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pydantic
from data_inclusion.schema.v1 import Service as DiService
from data_inclusion.schema.v1 import Structure as DiStructure
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from passeport.core.errors import PasseportError

STRUCTURE_FIELDS = [name for name in DiStructure.model_fields if name not in ("id",)]
SERVICE_FIELDS = [name for name in DiService.model_fields if name not in ("id", "structure_id")]
LIST_FIELDS = {"reseaux_porteurs", "thematiques", "publics", "modes_accueil",
               "zone_eligibilite", "modes_mobilisation", "mobilisable_par"}
FLOAT_FIELDS = {"latitude", "longitude", "volume_horaire_hebdomadaire"}
INT_FIELDS = {"nombre_semaines"}
# Fields that are not columns of the same name (the identifiers).
STRUCTURE_CSV_COLUMNS = list(DiStructure.model_fields)
SERVICE_CSV_COLUMNS = list(DiService.model_fields)

MAX_FILE_BYTES = 100 * 1024 * 1024


class InvalidFile(PasseportError):
    """400 `invalid_file`: the file cannot be read at all (no record was imported)."""

    code = "invalid_file"


@dataclass
class RecordError:
    kind: str  # "structure" | "service"
    index: int  # 1-based position in the file (the CSV line number minus the header)
    identifier: str
    reasons: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        return " ; ".join(self.reasons)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "index": self.index, "id": self.identifier,
                "reasons": self.reasons}


# --- reading files ---------------------------------------------------------------------

def read_records(content: bytes, filename: str = "") -> tuple[list[dict], list[dict]]:
    """(structures, services) read from a JSON or CSV file of the data·inclusion schema.

    JSON: a list of records, or an object {"structures": [...], "services": [...]}.
    CSV: one record per line, the schema's field names as header; lists are written as
    comma-separated values (or as a JSON array). A record with `structure_id` is a
    service, the others are structures (a file may hold both)."""
    if len(content) > MAX_FILE_BYTES:
        raise InvalidFile(_("Le fichier est trop gros (100 Mo au plus)."), field="file")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidFile(_("Le fichier doit être encodé en UTF-8."), field="file") from exc
    stripped = text.lstrip()
    is_json = filename.lower().endswith(".json") or stripped[:1] in ("[", "{")
    records = _read_json(stripped) if is_json else _read_csv(text)
    structures, services = [], []
    for record in records:
        if not isinstance(record, dict):
            raise InvalidFile(_("Chaque enregistrement doit être un objet JSON."), field="file")
        (services if "structure_id" in record else structures).append(record)
    return structures, services


def _read_json(text: str) -> list:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidFile(_("JSON illisible (ligne %(line)s) : %(msg)s")
                          % {"line": exc.lineno, "msg": exc.msg}, field="file") from exc
    if isinstance(data, dict):
        structures, services = data.get("structures", []), data.get("services", [])
        if not isinstance(structures, list) or not isinstance(services, list):
            raise InvalidFile(_("« structures » et « services » doivent être des listes."),
                              field="file")
        return [*structures, *services]
    if isinstance(data, list):
        return data
    raise InvalidFile(_("Le JSON doit être une liste d'enregistrements."), field="file")


def _read_csv(text: str) -> list[dict]:
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    if not reader.fieldnames or "id" not in reader.fieldnames:
        raise InvalidFile(_("La première ligne du CSV doit nommer les colonnes du schéma "
                            "data·inclusion (dont « id »)."), field="file")
    return [_csv_row(row) for row in reader]


def _csv_row(row: dict[str, str | None]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for key, raw in row.items():
        if key is None:
            continue  # extra cells beyond the header
        value = (raw or "").strip()
        if value == "":
            continue
        if key in LIST_FIELDS:
            if value.startswith("["):
                try:
                    record[key] = json.loads(value)
                    continue
                except json.JSONDecodeError:
                    pass
            record[key] = [v.strip() for v in value.split(",") if v.strip()]
        else:
            record[key] = value
    return record


# --- validation ------------------------------------------------------------------------

def validate_structure(record: dict) -> tuple[dict | None, list[str]]:
    return _validate(DiStructure, record)


def validate_service(record: dict) -> tuple[dict | None, list[str]]:
    return _validate(DiService, record)


def _validate(model: type[pydantic.BaseModel], record: dict) -> tuple[dict | None, list[str]]:
    """(the record as the schema's JSON, []) or (None, reasons)."""
    try:
        valid = model.model_validate(record)
    except pydantic.ValidationError as exc:
        return None, [error_text(err) for err in exc.errors()]
    data = valid.model_dump(mode="json")
    for key in LIST_FIELDS & data.keys():
        if data[key] is not None:
            data[key] = sorted(data[key]) if key != "zone_eligibilite" else data[key]
    return data, []


_MESSAGES = {
    "missing": gettext_lazy("champ obligatoire manquant"),
    "url_parsing": gettext_lazy("lien invalide (https://…)"),
    "url_scheme": gettext_lazy("lien invalide (https://…)"),
    "date_parsing": gettext_lazy("date invalide (AAAA-MM-JJ)"),
    "date_from_datetime_parsing": gettext_lazy("date invalide (AAAA-MM-JJ)"),
    "date_type": gettext_lazy("date invalide (AAAA-MM-JJ)"),
    "float_parsing": gettext_lazy("nombre invalide"),
    "float_type": gettext_lazy("nombre invalide"),
    "int_parsing": gettext_lazy("nombre entier invalide"),
    "int_type": gettext_lazy("nombre entier invalide"),
    "string_type": gettext_lazy("texte attendu"),
    "string_pattern_mismatch": gettext_lazy("format invalide"),
    "list_type": gettext_lazy("liste attendue"),
    "set_type": gettext_lazy("liste attendue"),
    "bool_parsing": gettext_lazy("oui ou non attendu"),
}


def error_text(err: dict) -> str:
    """One pydantic error in French: 'field : what is wrong'."""
    name, what = error_parts(err)
    return f"{name} : {what}"


def error_parts(err: dict) -> tuple[str, str]:
    """(field, what is wrong) of one pydantic error, in French."""
    loc = [str(p) for p in err.get("loc", ())]
    name = loc[0] if loc else _("enregistrement")
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind == "enum":
        what = _("valeur inconnue « %(value)s »") % {"value": err.get("input")}
    elif kind == "string_too_short":
        what = _("trop court (%(n)s caractères au moins)") % {"n": ctx.get("min_length")}
    elif kind == "string_too_long":
        what = _("trop long (%(n)s caractères au plus)") % {"n": ctx.get("max_length")}
    elif kind == "too_short":
        what = _("au moins une valeur attendue")
    elif kind in ("greater_than_equal", "greater_than"):
        what = _("doit être au moins %(n)s") % {"n": ctx.get("ge", ctx.get("gt"))}
    elif kind == "value_error" and name == "courriel":
        what = _("adresse e-mail invalide")
    elif kind == "value_error":
        what = str(err.get("msg", "")).removeprefix("Value error, ")
    elif kind in _MESSAGES:
        what = str(_MESSAGES[kind])
    else:
        what = str(err.get("msg", kind))
    return name, what


def validation_errors(model: type[pydantic.BaseModel], record: dict) -> list[tuple[str, str]]:
    """[(field, what is wrong)] of a record, [] when it is valid."""
    try:
        model.model_validate(record)
    except pydantic.ValidationError as exc:
        return [error_parts(err) for err in exc.errors()]
    return []


def check_lengths(data: dict, model_class) -> list[tuple[str, str]]:
    """[(field, what is wrong)] for values longer than the model's columns (the schema
    sets no limit on some texts that Passeport stores in bounded columns)."""
    problems = []
    for name, value in data.items():
        if not isinstance(value, str) or name in ("id", "structure_id"):
            continue
        max_length = getattr(model_class._meta.get_field(name), "max_length", None)
        if max_length and len(value) > max_length:
            problems.append((name, _("trop long (%(n)s caractères au plus)") % {"n": max_length}))
    return problems


def content_hash(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False)
                          .encode()).hexdigest()


# --- record <-> model fields -----------------------------------------------------------

def record_to_fields(data: dict, names: list[str]) -> dict[str, Any]:
    """Model field values from a validated record: None -> "" for texts, [] for lists."""
    fields: dict[str, Any] = {}
    for name in names:
        value = data.get(name)
        if name in LIST_FIELDS:
            fields[name] = list(value or [])
        elif name == "date_maj":
            fields[name] = date.fromisoformat(value) if isinstance(value, str) else value
        elif name in FLOAT_FIELDS or name in INT_FIELDS:
            fields[name] = value
        else:
            fields[name] = "" if value is None else value
    return fields


def structure_record(structure) -> dict[str, Any]:
    record = {"source": structure.source, "id": structure.di_id}
    record.update(_fields_to_record(structure, STRUCTURE_FIELDS))
    return record


def service_record(service, structure_di_id: str | None = None) -> dict[str, Any]:
    record = {"source": service.source, "structure_id": structure_di_id or service.structure.di_id,
              "id": service.di_id}
    record.update(_fields_to_record(service, SERVICE_FIELDS))
    return record


def _fields_to_record(obj, names: list[str]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for name in names:
        if name == "source":
            continue
        value = getattr(obj, name)
        if name == "date_maj":
            value = value.isoformat()
        elif name in LIST_FIELDS:
            value = list(value) if value else None
        elif value == "":
            value = None
        record[name] = value
    return record


def csv_text(records: list[dict], columns: list[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({key: (",".join(value) if isinstance(value, list)
                               else "" if value is None else value)
                         for key, value in record.items()})
    return out.getvalue()
