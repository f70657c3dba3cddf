"""Participant-level exports (CSV, XLSX) for the import into « Ma Démarche FSE », and the
indicator tables. Columns are documented in docs/reporting.md."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook

from .indicators import GENDER_LABELS, GENDERS, INDICATORS

# (column header, attribute or callable)
PARTICIPANT_COLUMNS = [
    ("operation_code", lambda p: p.operation.code),
    ("participant_id", lambda p: p.person.public_id),
    ("last_name", lambda p: p.person.last_name),
    ("first_name", lambda p: p.person.first_name),
    ("gender", "gender"),
    ("birth_date", "birth_date"),
    ("entry_date", "entry_on"),
    ("exit_date", "exit_on"),
    ("entry_status", "entry_status"),
    ("unemployed_since", "unemployed_since"),
    ("education_level", "education_level"),
    ("disability", "disability"),
    ("third_country_national", "third_country_national"),
    ("foreign_background", "foreign_background"),
    ("minority", "minority"),
    ("homeless", "homeless"),
    ("rural_area", "rural"),
    ("exit_observed_on", "exit_observed_on"),
    ("exit_job_searching", "exit_job_searching"),
    ("exit_education_training", "exit_education"),
    ("exit_qualification", "exit_qualification"),
    ("exit_employed", "exit_employed"),
    ("followup_status", "followup_status"),
    ("six_months_observed_on", "six_months_observed_on"),
    ("six_months_employed", "six_months_employed"),
    ("six_months_improved", "six_months_improved"),
]


def _cell(value):
    if value is None:
        return ""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def participant_rows(participations):
    for p in participations:
        yield [_cell(get(p) if callable(get) else getattr(p, get)) for _, get in PARTICIPANT_COLUMNS]


def participants_csv(participations) -> bytes:
    """UTF-8 with BOM (opens in spreadsheet software), semicolon-separated (French locale)."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";")
    w.writerow([name for name, _ in PARTICIPANT_COLUMNS])
    w.writerows(participant_rows(participations))
    return ("\ufeff" + buf.getvalue()).encode()


def indicator_table_rows(table: dict) -> list[list]:
    header = ["code", "indicator", *[str(GENDER_LABELS[g]) for g in (*GENDERS, "")], "total"]
    rows = [header]
    for ind in INDICATORS:
        t = table[ind.code]
        rows.append([ind.code, str(ind.label), *[t[g] for g in (*GENDERS, "")], t["total"]])
    return rows


def indicators_csv(table: dict) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, delimiter=";").writerows(indicator_table_rows(table))
    return ("\ufeff" + buf.getvalue()).encode()


def workbook(participations, table: dict) -> bytes:
    """One workbook: sheet "participants" and sheet "indicateurs"."""
    wb = Workbook()
    ws = wb.active
    ws.title = "participants"
    ws.append([name for name, _ in PARTICIPANT_COLUMNS])
    for row in participant_rows(participations):
        ws.append(row)
    ws2 = wb.create_sheet("indicateurs")
    for row in indicator_table_rows(table):
        ws2.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
