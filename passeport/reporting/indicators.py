"""The common indicators of Regulation (EU) 2021/1057, Annex I, computed in SQL.

One grouped query (operation x gender) with one conditional COUNT per indicator: no loop
over participants in Python. Every rule is written down in docs/reporting.md; the
debatable ones read a `PASSEPORT_ESF_*` setting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Count, ExpressionWrapper, F, Func, IntegerField, Q
from django.utils.translation import gettext_lazy as _

from .enums import Answer, EntryStatus
from .models import Participation

GENDERS = ("f", "m", "x")
GENDER_LABELS = {"f": _("Femmes"), "m": _("Hommes"), "x": _("Non-binaires"), "": _("Genre non renseigné")}


class DateKey(Func):
    """A date as the integer YYYYMMDD: (entry - birth) // 10000 is the age in full years."""

    output_field = IntegerField()
    arity = 1
    template = "CAST(REPLACE(%(expressions)s, '-', '') AS INTEGER)"  # SQLite stores ISO text

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="CAST(TO_CHAR(%(expressions)s, 'YYYYMMDD') AS INTEGER)",
                           **extra)


class MonthDayKey(Func):
    """(year * 12 + month) * 100 + day: adding N months is adding N * 100."""

    output_field = IntegerField()
    arity = 1
    template = ("(CAST(SUBSTR(%(expressions)s, 1, 4) AS INTEGER) * 1200 + "
                "CAST(SUBSTR(%(expressions)s, 6, 2) AS INTEGER) * 100 + "
                "CAST(SUBSTR(%(expressions)s, 9, 2) AS INTEGER))")

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template=(
            "CAST(EXTRACT(YEAR FROM %(expressions)s) * 1200 + EXTRACT(MONTH FROM %(expressions)s) * 100"
            " + EXTRACT(DAY FROM %(expressions)s) AS INTEGER)"), **extra)


class DayNumber(Func):
    """A date as a day number: the difference of two is a number of days."""

    output_field = IntegerField()
    arity = 1
    template = "CAST(JULIANDAY(%(expressions)s) AS INTEGER)"

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="(%(expressions)s - DATE '2000-01-01')", **extra)


def setting(name: str, default):
    return getattr(settings, f"PASSEPORT_ESF_{name}", default)


DEFAULT_RESULT_ENTRY_STATUSES = {
    "EECR01": ["inactive", "education"],
    "EECR02": ["employed", "unemployed", "inactive"],
    "EECR03": ["employed", "unemployed", "inactive", "education"],
    "EECR04": ["unemployed", "inactive", "education"],
    "EECR05": ["unemployed", "inactive", "education"],
    "EECR06": ["employed"],
}


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    kind: str  # output | immediate | longer_term


INDICATORS = [
    Indicator("EECO01", _("Chômeurs, y compris de longue durée"), "output"),
    Indicator("EECO02", _("Chômeurs de longue durée"), "output"),
    Indicator("EECO03", _("Personnes inactives"), "output"),
    Indicator("EECO04", _("Personnes en emploi, y compris indépendants"), "output"),
    Indicator("EECO05", _("Moins de 18 ans"), "output"),
    Indicator("EECO06", _("De 18 à 29 ans"), "output"),
    Indicator("EECO07", _("55 ans et plus"), "output"),
    Indicator("EECO08", _("Niveau CITE 0 à 2"), "output"),
    Indicator("EECO09", _("Niveau CITE 3 ou 4"), "output"),
    Indicator("EECO10", _("Niveau CITE 5 à 8"), "output"),
    Indicator("EECO11", _("Nombre total de participants"), "output"),
    Indicator("EECO12", _("Participants handicapés"), "output"),
    Indicator("EECO13", _("Ressortissants de pays tiers"), "output"),
    Indicator("EECO14", _("Participants d'origine étrangère"), "output"),
    Indicator("EECO15", _("Minorités (y compris communautés marginalisées telles que les Roms)"), "output"),
    Indicator("EECO16", _("Sans domicile fixe ou exclus du logement"), "output"),
    Indicator("EECO17", _("Participants issus de zones rurales"), "output"),
    Indicator("EECR01", _("Participants à la recherche d'un emploi au terme de leur participation"), "immediate"),
    Indicator("EECR02", _("Participants suivant des études ou une formation au terme de leur participation"),
              "immediate"),
    Indicator("EECR03", _("Participants obtenant une qualification au terme de leur participation"), "immediate"),
    Indicator("EECR04", _("Participants exerçant un emploi, y compris indépendant, au terme de leur "
                          "participation"), "immediate"),
    Indicator("EECR05", _("Participants exerçant un emploi, y compris indépendant, six mois après la fin "
                          "de leur participation"), "longer_term"),
    Indicator("EECR06", _("Participants dont la situation sur le marché du travail s'est améliorée six mois "
                          "après la fin de leur participation"), "longer_term"),
]
CODES = [i.code for i in INDICATORS]


def complete_q() -> Q:
    """A record whose mandatory entry data is complete (sensitive items are not mandatory:
    a refusal is an answer)."""
    return (~Q(gender="") & Q(birth_date__isnull=False) & ~Q(entry_status="") & ~Q(education_level="")
            & (~Q(entry_status=EntryStatus.UNEMPLOYED) | Q(unemployed_since__isnull=False)))


def _annotated(qs):
    return qs.annotate(
        _age=ExpressionWrapper((DateKey("entry_on") - DateKey("birth_date")) / 10000, output_field=IntegerField()),
        _entry_mk=MonthDayKey("entry_on"),
        _since_mk=MonthDayKey("unemployed_since"),
        _exit_day=DayNumber("exit_on"),
        _exit_obs_gap=ExpressionWrapper(DayNumber("exit_observed_on") - F("_exit_day"), output_field=IntegerField()),
        _six_gap=ExpressionWrapper(DayNumber("six_months_observed_on") - F("_exit_day"), output_field=IntegerField()),
    )


def _in_period(field: str, start: date | None, end: date | None) -> Q:
    q = Q(**{f"{field}__isnull": False})
    if start:
        q &= Q(**{f"{field}__gte": start})
    if end:
        q &= Q(**{f"{field}__lte": end})
    return q


def indicator_conditions(start: date | None = None, end: date | None = None) -> dict[str, Q]:
    """The condition each indicator counts, as a Q over the annotated participations."""
    young, adult = setting("LTU_MONTHS_UNDER_25", 6), setting("LTU_MONTHS_FROM_25", 12)
    ltu_age = setting("LTU_AGE_THRESHOLD", 25)
    strict = setting("LTU_STRICT", True)  # "more than" N months: exactly N is not long-term
    op = "gt" if strict else "gte"
    ltu = Q(entry_status=EntryStatus.UNEMPLOYED, unemployed_since__isnull=False) & (
        (Q(_age__lt=ltu_age) & Q(**{f"_entry_mk__{op}": F("_since_mk") + young * 100}))
        | (Q(_age__gte=ltu_age) & Q(**{f"_entry_mk__{op}": F("_since_mk") + adult * 100}))
    )
    inactive = [EntryStatus.INACTIVE]
    if setting("INACTIVE_INCLUDES_EDUCATION", True):
        inactive.append(EntryStatus.EDUCATION)
    entered = _in_period("entry_on", start, end)
    upon = setting("UPON_LEAVING_DAYS", 28)
    left = _in_period("exit_on", start, end) & Q(_exit_obs_gap__gte=0, _exit_obs_gap__lte=upon)
    six_min, six_max = setting("SIX_MONTHS_MIN_DAYS", 182), setting("SIX_MONTHS_MAX_DAYS", 273)
    later = _in_period("exit_on", start, end) & Q(_six_gap__gte=six_min, _six_gap__lte=six_max)
    statuses = {**DEFAULT_RESULT_ENTRY_STATUSES, **setting("RESULT_ENTRY_STATUSES", {})}

    def result(code: str, q: Q, base: Q) -> Q:
        return base & q & Q(entry_status__in=statuses[code])

    yes = Answer.YES
    return {
        "EECO01": entered & Q(entry_status=EntryStatus.UNEMPLOYED),
        "EECO02": entered & ltu,
        "EECO03": entered & Q(entry_status__in=inactive),
        "EECO04": entered & Q(entry_status=EntryStatus.EMPLOYED),
        "EECO05": entered & Q(_age__lt=18),
        "EECO06": entered & Q(_age__gte=18, _age__lte=29),
        "EECO07": entered & Q(_age__gte=55),
        "EECO08": entered & Q(education_level="isced_0_2"),
        "EECO09": entered & Q(education_level="isced_3_4"),
        "EECO10": entered & Q(education_level="isced_5_8"),
        "EECO11": entered,
        "EECO12": entered & Q(disability=yes),
        "EECO13": entered & Q(third_country_national=yes),
        "EECO14": entered & Q(foreign_background=yes),
        "EECO15": entered & Q(minority=yes),
        "EECO16": entered & Q(homeless=yes),
        "EECO17": entered & Q(rural=yes),
        "EECR01": result("EECR01", Q(exit_job_searching=True), left),
        "EECR02": result("EECR02", Q(exit_education=True), left),
        "EECR03": result("EECR03", Q(exit_qualification=True), left),
        "EECR04": result("EECR04", Q(exit_employed=True), left),
        "EECR05": result("EECR05", Q(six_months_employed=True), later),
        "EECR06": result("EECR06", Q(six_months_improved=True), later),
    }


def counted_participations(operation_ids=None):
    """Participations that count: in an operation lasting more than one day, with a complete
    record (unless PASSEPORT_ESF_COUNT_INCOMPLETE)."""
    qs = Participation.objects.filter(operation__ends_on__gt=F("operation__starts_on"))
    if operation_ids is not None:
        qs = qs.filter(operation_id__in=list(operation_ids))
    if not setting("COUNT_INCOMPLETE", False):
        qs = qs.filter(complete_q())
    return qs


def indicator_rows(operation_ids=None, *, start: date | None = None, end: date | None = None,
                   by_operation: bool = True) -> list[dict]:
    """Raw rows: one per (operation, gender) with one count per indicator code."""
    conditions = indicator_conditions(start, end)
    keys = ["operation_id", "gender"] if by_operation else ["gender"]
    qs = _annotated(counted_participations(operation_ids)).values(*keys).order_by()
    return list(qs.annotate(**{code: Count("pk", filter=conditions[code]) for code in CODES}))


def _table(rows: list[dict]) -> dict[str, dict[str, int]]:
    table = {code: dict.fromkeys((*GENDERS, "", "total"), 0) for code in CODES}
    for row in rows:  # at most four rows (genders) per operation
        g = row["gender"] if row["gender"] in GENDERS else ""
        for code in CODES:
            table[code][g] += row[code]
            table[code]["total"] += row[code]
    return table


def indicators_by_operation(operation_ids, *, start: date | None = None,
                            end: date | None = None) -> dict[int, dict[str, dict[str, int]]]:
    """{operation_id: {code: {"f": n, "m": n, "x": n, "": n, "total": n}}}."""
    grouped: dict[int, list[dict]] = {}
    for row in indicator_rows(operation_ids, start=start, end=end):
        grouped.setdefault(row["operation_id"], []).append(row)
    return {op_id: _table(rows) for op_id, rows in grouped.items()} | {
        op_id: _table([]) for op_id in operation_ids if op_id not in grouped}


def indicators_total(operation_ids, *, start: date | None = None, end: date | None = None):
    """The same table summed over the given operations (one query)."""
    return _table(indicator_rows(operation_ids, start=start, end=end, by_operation=False))
