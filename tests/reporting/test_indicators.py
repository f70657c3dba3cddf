"""Every indicator rule on hand-made edge cases; values computed by hand."""

from __future__ import annotations

from datetime import date

import pytest

from passeport.reporting.indicators import CODES, indicators_by_operation, indicators_total

from .helpers import operation, participant

pytestmark = pytest.mark.django_db


def table(op, **kw):
    return indicators_by_operation([op.pk], **kw)[op.pk]


def total(op, code, **kw):
    return table(op, **kw)[code]["total"]


# --- age at entry ---------------------------------------------------------------------

def test_age_on_the_birthday_is_the_new_age(org):
    op = operation(org)
    participant(op, birth_date=date(2007, 3, 1), entry_on=date(2025, 3, 1))  # 18 that day
    participant(op, birth_date=date(2007, 3, 2), entry_on=date(2025, 3, 1))  # 17 (18 tomorrow)
    participant(op, birth_date=date(1995, 3, 1), entry_on=date(2025, 3, 1))  # 30 that day
    participant(op, birth_date=date(1995, 3, 2), entry_on=date(2025, 3, 1))  # 29
    participant(op, birth_date=date(1970, 3, 1), entry_on=date(2025, 3, 1))  # 55 that day
    participant(op, birth_date=date(1970, 3, 2), entry_on=date(2025, 3, 1))  # 54
    t = table(op)
    assert t["EECO05"]["total"] == 1
    assert t["EECO06"]["total"] == 2  # 18 and 29
    assert t["EECO07"]["total"] == 1


def test_born_on_29_february_turns_a_year_older_on_1_march_in_common_years(org):
    op = operation(org)
    participant(op, birth_date=date(2008, 2, 29), entry_on=date(2026, 2, 28))  # 17
    participant(op, birth_date=date(2008, 2, 29), entry_on=date(2026, 3, 1))  # 18
    participant(op, birth_date=date(2004, 2, 29), entry_on=date(2022, 2, 28))  # 17 (2022 common)
    assert total(op, "EECO05") == 2
    assert total(op, "EECO06") == 1


def test_born_on_29_february_in_a_leap_year_entry(org):
    op = operation(org, starts_on=date(2024, 1, 1))
    participant(op, birth_date=date(1969, 2, 28), entry_on=date(2024, 2, 28))  # 55
    participant(op, birth_date=date(1968, 2, 29), entry_on=date(2024, 2, 28))  # 55, 56 tomorrow
    participant(op, birth_date=date(1969, 3, 1), entry_on=date(2024, 2, 29))  # 54
    assert total(op, "EECO07") == 2


# --- long-term unemployment -------------------------------------------------------------

def test_long_term_unemployment_exactly_six_and_twelve_months_is_not_long_term(org):
    op = operation(org)
    entry = date(2025, 9, 15)
    young = date(2003, 1, 1)  # 22 at entry: more than 6 months
    adult = date(1980, 1, 1)  # 45 at entry: more than 12 months
    participant(op, entry_status="unemployed", birth_date=young, entry_on=entry, unemployed_since=date(2025, 3, 15))
    participant(op, entry_status="unemployed", birth_date=young, entry_on=entry, unemployed_since=date(2025, 3, 14))
    participant(op, entry_status="unemployed", birth_date=adult, entry_on=entry, unemployed_since=date(2024, 9, 15))
    participant(op, entry_status="unemployed", birth_date=adult, entry_on=entry, unemployed_since=date(2024, 9, 14))
    participant(op, entry_status="unemployed", birth_date=adult, entry_on=entry, unemployed_since=date(2025, 3, 1))
    t = table(op)
    assert t["EECO01"]["total"] == 5
    assert t["EECO02"]["total"] == 2  # 6 months + 1 day (young) and 12 months + 1 day (adult)


def test_long_term_unemployment_threshold_at_end_of_february(org):
    op = operation(org)
    young = date(2004, 6, 1)
    # since 31 Aug 2025: six months later is 28 Feb 2026 (no 31 Feb): 28 Feb not more, 1 Mar more
    participant(op, entry_status="unemployed", birth_date=young, entry_on=date(2026, 2, 28),
                unemployed_since=date(2025, 8, 31))
    participant(op, entry_status="unemployed", birth_date=young, entry_on=date(2026, 3, 1),
                unemployed_since=date(2025, 8, 31))
    assert total(op, "EECO02") == 1


def test_the_age_that_decides_the_ltu_threshold_is_the_age_at_entry(org):
    op = operation(org)
    # 25 on the entry date: 12 months apply, 8 months of unemployment is not long-term
    participant(op, entry_status="unemployed", birth_date=date(2000, 9, 1), entry_on=date(2025, 9, 1),
                unemployed_since=date(2025, 1, 1))
    # 24 (25 tomorrow): 6 months apply
    participant(op, entry_status="unemployed", birth_date=date(2000, 9, 2), entry_on=date(2025, 9, 1),
                unemployed_since=date(2025, 1, 1))
    assert total(op, "EECO02") == 1


def test_exactly_n_months_counts_when_the_setting_says_so(org, settings):
    settings.PASSEPORT_ESF_LTU_STRICT = False
    op = operation(org)
    participant(op, entry_status="unemployed", birth_date=date(2003, 1, 1), entry_on=date(2025, 9, 15),
                unemployed_since=date(2025, 3, 15))
    assert total(op, "EECO02") == 1


# --- labour-market status, education, sensitive data -----------------------------------

def test_statuses_education_and_sensitive_answers(org):
    op = operation(org)
    participant(op, entry_status="employed", education_level="isced_0_2", disability="yes", rural="yes")
    participant(op, entry_status="inactive", education_level="isced_5_8", disability="declined",
                third_country_national="yes", foreign_background="yes")
    participant(op, entry_status="education", education_level="isced_0_2", minority="yes",
                homeless="yes", rural="no")
    t = table(op)
    assert [t[c]["total"] for c in ("EECO01", "EECO03", "EECO04", "EECO08", "EECO09", "EECO10")] == [0, 2, 1, 2, 0, 1]
    assert [t[c]["total"] for c in ("EECO12", "EECO13", "EECO14", "EECO15", "EECO16", "EECO17")] == [1, 1, 1, 1, 1, 1]


def test_inactive_without_students_when_the_setting_says_so(org, settings):
    settings.PASSEPORT_ESF_INACTIVE_INCLUDES_EDUCATION = False
    op = operation(org)
    participant(op, entry_status="inactive")
    participant(op, entry_status="education")
    assert total(op, "EECO03") == 1


# --- participants: once per operation, short operations, incomplete records ------------

def test_one_day_operation_has_no_participants(org):
    op = operation(org, code="ONE", starts_on=date(2025, 3, 1), ends_on=date(2025, 3, 1))
    participant(op, entry_on=date(2025, 3, 1))
    assert total(op, "EECO11") == 0


def test_incomplete_record_is_not_counted_unless_setting(org, settings):
    op = operation(org)
    participant(op)
    participant(op, education_level="")
    participant(op, entry_status="unemployed", unemployed_since=None)
    assert total(op, "EECO11") == 1
    settings.PASSEPORT_ESF_COUNT_INCOMPLETE = True
    t = table(op)
    assert t["EECO11"]["total"] == 3
    assert t["EECO01"]["total"] == 1
    assert t["EECO02"]["total"] == 0  # duration unknown: never guessed long-term


# --- results ----------------------------------------------------------------------------

def test_upon_leaving_is_within_28_days_of_exit(org):
    op = operation(org)
    base = {"entry_status": "unemployed", "unemployed_since": date(2025, 1, 1), "exit_on": date(2025, 6, 1),
            "exit_employed": True}
    participant(op, exit_observed_on=date(2025, 6, 1), **base)  # day 0
    participant(op, exit_observed_on=date(2025, 6, 29), **base)  # day 28
    participant(op, exit_observed_on=date(2025, 6, 30), **base)  # day 29: too late
    assert total(op, "EECR04") == 2


def test_result_indicators_count_the_entry_statuses_they_are_about(org):
    op = operation(org)
    left = {"exit_on": date(2025, 6, 1), "exit_observed_on": date(2025, 6, 10)}
    participant(op, entry_status="employed", exit_employed=True, exit_job_searching=True, **left)
    participant(op, entry_status="inactive", exit_employed=True, exit_job_searching=True,
                exit_education=True, exit_qualification=True, **left)
    participant(op, entry_status="education", exit_education=True, exit_qualification=True,
                exit_job_searching=True, **left)
    t = table(op)
    assert t["EECR01"]["total"] == 2  # inactive and student; the employed person is not counted
    assert t["EECR02"]["total"] == 1  # the student was already in education at entry
    assert t["EECR03"]["total"] == 2  # everyone
    assert t["EECR04"]["total"] == 1  # not the person already employed


def test_six_month_results_window(org):
    op = operation(org)
    left = {"exit_on": date(2025, 6, 1)}
    participant(op, entry_status="inactive", six_months_observed_on=date(2025, 11, 30),  # day 182
                six_months_employed=True, followup_status="answered", **left)
    participant(op, entry_status="inactive", six_months_observed_on=date(2025, 11, 29),  # day 181
                six_months_employed=True, followup_status="answered", **left)
    participant(op, entry_status="employed", six_months_observed_on=date(2025, 12, 1),
                six_months_employed=True, six_months_improved=True, followup_status="answered", **left)
    participant(op, entry_status="unemployed", unemployed_since=date(2024, 1, 1),
                followup_status="declined", six_months_observed_on=date(2025, 12, 1), **left)
    t = table(op)
    assert t["EECR05"]["total"] == 1
    assert t["EECR06"]["total"] == 1


# --- period, gender ---------------------------------------------------------------------

def test_period_counts_entries_and_exits_inside_it(org):
    op = operation(org)
    participant(op, entry_on=date(2025, 3, 1), exit_on=date(2026, 2, 1), exit_observed_on=date(2026, 2, 1),
                exit_job_searching=True)
    participant(op, entry_on=date(2026, 1, 10))
    t = table(op, start=date(2026, 1, 1), end=date(2026, 12, 31))
    assert t["EECO11"]["total"] == 1
    assert t["EECR01"]["total"] == 1
    assert table(op, start=date(2025, 1, 1), end=date(2025, 12, 31))["EECR01"]["total"] == 0


def test_gender_breakdown_sums_to_total(org, settings):
    settings.PASSEPORT_ESF_COUNT_INCOMPLETE = True
    op = operation(org)
    for gender, n in (("f", 3), ("m", 2), ("x", 1), ("", 1)):
        for _ in range(n):
            participant(op, gender=gender, entry_status="unemployed", unemployed_since=date(2023, 1, 1))
    t = table(op)
    assert (t["EECO11"]["f"], t["EECO11"]["m"], t["EECO11"]["x"], t["EECO11"][""]) == (3, 2, 1, 1)
    for code in CODES:
        row = t[code]
        assert row["f"] + row["m"] + row["x"] + row[""] == row["total"], code
    assert t["EECO02"]["total"] == 7


def test_total_over_operations_and_empty_operation(org):
    a, b, empty = operation(org, code="A"), operation(org, code="B"), operation(org, code="C")
    participant(a)
    participant(b)
    participant(b, gender="m")
    assert indicators_total([a.pk, b.pk])["EECO11"] == {"f": 2, "m": 1, "x": 0, "": 0, "total": 3}
    assert table(empty)["EECO11"]["total"] == 0
