"""ESF+ pages: what a professional sees, forms that keep errors next to the field, other
organisations get 404; exports open and match the indicator table."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from passeport.reporting.exports import PARTICIPANT_COLUMNS
from passeport.reporting.models import Operation, Participation

from .helpers import operation, participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def op_with_people(org):
    op = operation(org, code="FSE-29-001")
    participant(op, gender="f", entry_status="unemployed", unemployed_since=date(2023, 1, 1),
                birth_date=date(2000, 1, 1), disability="declined")
    participant(op, gender="f", entry_status="inactive")
    participant(op, gender="m", entry_status="employed", exit_on=date(2025, 5, 1),
                exit_observed_on=date(2025, 5, 2), exit_qualification=True)
    participant(op, gender="x", education_level="")  # incomplete: not counted
    return op


def test_operation_list_create_and_error_next_to_field(pro_client, org):
    url = reverse("reporting:operations")
    assert pro_client.get(url).status_code == 200
    bad = pro_client.post(url, {"code": "A1", "title": "T", "starts_on": "2025-06-01", "ends_on": "2025-01-01"})
    assert bad.status_code == 400
    assert "La date de fin doit suivre la date de début." in bad.content.decode()
    assert not Operation.objects.exists()
    ok = pro_client.post(url, {"code": "A1", "title": "T", "starts_on": "2025-01-01", "ends_on": "2025-12-31"})
    assert ok.status_code == 302
    assert Operation.objects.get().organisation == org


def test_operation_detail_shows_indicators(pro_client, op_with_people):
    html = pro_client.get(reverse("reporting:operation", args=[op_with_people.pk])).content.decode()
    assert "EECO11" in html and "EECR03" in html
    assert "<td><strong>3</strong></td>" in html  # three complete participants
    # The fourth record, incomplete, is said to be left out, with the way to fix it.
    assert "1 dossier incomplet n'est pas compté dans les indicateurs" in html
    assert reverse("reporting:quality", args=[op_with_people.pk]) in html


def test_other_organisation_gets_404(client, outsider, op_with_people):
    client.force_login(outsider.user)
    p = op_with_people.participations.first()
    for url in (reverse("reporting:operation", args=[op_with_people.pk]),
                reverse("reporting:quality", args=[op_with_people.pk]),
                reverse("reporting:export", args=[op_with_people.pk, "participants.csv"]),
                reverse("reporting:participation", args=[p.pk]),
                reverse("reporting:followup_answer", args=[p.pk])):
        assert client.get(url).status_code == 404, url


def test_participant_form_saves_and_refuses_bad_dates(pro_client, op_with_people):
    p = op_with_people.participations.get(gender="x")
    url = reverse("reporting:participation", args=[p.pk])
    assert pro_client.get(url).status_code == 200
    data = {"entry_on": "2025-03-01", "exit_on": "2025-02-01", "gender": "x", "birth_date": "1990-05-05",
            "entry_status": "inactive", "education_level": "isced_5_8", "minority": "declined"}
    bad = pro_client.post(url, data)
    assert bad.status_code == 400 and "La date de sortie doit suivre la date d" in bad.content.decode()
    p.refresh_from_db()
    assert p.education_level == ""
    data["exit_on"] = ""
    assert pro_client.post(url, data).status_code == 302
    p.refresh_from_db()
    assert (p.education_level, p.minority) == ("isced_5_8", "declined")


def test_participant_form_shows_every_bad_date_at_once(pro_client, op_with_people):
    p = op_with_people.participations.get(gender="x")
    url = reverse("reporting:participation", args=[p.pk])
    data = {"entry_on": "2025-03-01", "exit_on": "2025-02-01", "gender": "x", "birth_date": "2025-04-01",
            "unemployed_since": "2025-05-01", "entry_status": "inactive", "education_level": "isced_5_8",
            "minority": "declined"}
    html = pro_client.post(url, data).content.decode()
    assert "La date de sortie doit suivre la date d" in html
    assert "La date de naissance doit précéder l" in html
    assert "La date de début de chômage doit précéder l" in html


def test_quality_page_shows_rate(pro_client, op_with_people):
    html = pro_client.get(reverse("reporting:quality", args=[op_with_people.pk])).content.decode()
    assert "75.0" in html or "75,0" in html


def test_followup_page_and_answer(pro_client, org):
    op = operation(org)
    p = participant(op, exit_on=date(2025, 4, 10))
    assert p.person.last_name in pro_client.get(reverse("reporting:followups")).content.decode()
    url = reverse("reporting:followup_answer", args=[p.pk])
    bad = pro_client.post(url, {"followup_status": "answered", "six_months_observed_on": "2025-10-20"})
    assert bad.status_code == 400
    pro_client.post(url, {"followup_status": "answered", "six_months_observed_on": "2025-10-20",
                          "six_months_employed": "true"})
    p.refresh_from_db()
    assert (p.followup_status, p.six_months_employed) == ("answered", True)


def test_csv_and_xlsx_exports_open_and_match_the_indicators(pro_client, op_with_people):
    base = (op_with_people.pk,)
    raw = pro_client.get(reverse("reporting:export", args=[*base, "participants.csv"])).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(raw), delimiter=";"))
    assert len(rows) == 4
    assert list(rows[0]) == [c for c, _ in PARTICIPANT_COLUMNS]
    assert sorted(r["gender"] for r in rows) == ["f", "f", "m", "x"]
    assert any(r["disability"] == "declined" for r in rows)

    ind = pro_client.get(reverse("reporting:export", args=[*base, "indicateurs.csv"])).content.decode("utf-8-sig")
    table = {r[0]: r for r in csv.reader(io.StringIO(ind), delimiter=";")}
    assert table["EECO11"][2:] == ["2", "1", "0", "0", "3"]  # women, men, non-binary, unknown, total
    assert table["EECR03"][-1] == "1"

    wb = load_workbook(io.BytesIO(pro_client.get(reverse("reporting:export", args=[*base, "participants.xlsx"])).content))
    assert wb.sheetnames == ["participants", "indicateurs"]
    assert wb["participants"].max_row == 5
    sheet = {r[0]: r for r in wb["indicateurs"].iter_rows(values_only=True)}
    assert list(sheet["EECO11"][2:]) == [2, 1, 0, 0, 3]
    assert list(sheet["EECO01"][2:]) == [1, 0, 0, 0, 1]
    assert Participation.objects.count() == 4
    assert pro_client.get(reverse("reporting:export", args=[*base, "x.pdf"])).status_code == 404
