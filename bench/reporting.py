"""Benchmark of the ESF+ indicators: all the common indicators (by gender) for all the
operations, in SQL.

    .venv/bin/python bench/reporting.py            # 1,000,000 participations, 5,000 operations
    .venv/bin/python bench/reporting.py --quick    # 100,000 participations, 500 operations (< 30 s)
    .venv/bin/python bench/reporting.py --db postgres

Each engine runs in its own process on a fresh database (SQLite: /tmp/bench_reporting.sqlite3,
PostgreSQL: database `bench_reporting`). Participations are generated with a fixed seed
(persons in several operations, every entry status, ages 15-70, some long-term unemployed,
results upon leaving and six months after, about 5 % incomplete records), inserted with
COPY / executemany, then ANALYZEd. Timed: `indicators_by_operation(all operation ids)`
(one grouped query), median of 3 runs after a warm-up, and `indicators_total` over all
operations. Goal (issue 8): <= 10 s on PostgreSQL. The very last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQLITE_FILE = "/tmp/bench_reporting.sqlite3"  # noqa: S108 - a throwaway benchmark database
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DB = "bench_reporting"
GOAL_S = 10.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--participations", type=int, default=None)
    parser.add_argument("--operations", type=int, default=None)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.participations = args.participations or (100_000 if args.quick else 1_000_000)
    args.operations = args.operations or (500 if args.quick else 5_000)
    if args.child:
        print(json.dumps(run_engine(args)))
        return
    summary: dict = {"participations": args.participations, "operations": args.operations,
                     "goal_postgres_s": GOAL_S}
    for engine in (["sqlite", "postgres"] if args.db == "both" else [args.db]):
        if engine == "postgres":
            try:
                recreate_pg_database(PG_DB)
            except Exception as exc:  # noqa: BLE001 - report, do not crash the other engine
                summary[engine] = {"error": f"PostgreSQL unavailable: {exc}"}
                continue
        else:
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(SQLITE_FILE + suffix):
                    os.remove(SQLITE_FILE + suffix)
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "0",
               "LOG_LEVEL": "ERROR",
               "DATABASE_URL": f"sqlite:///{SQLITE_FILE}" if engine == "sqlite" else f"{PG_SERVER}/{PG_DB}"}
        cmd = [sys.executable, __file__, "--child", "--participations", str(args.participations),
               "--operations", str(args.operations)]
        proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True, check=False)
        lines = proc.stdout.strip().splitlines()
        for line in lines[:-1]:
            print(line)
        summary[engine] = json.loads(lines[-1]) if proc.returncode == 0 and lines else {
            "error": f"exit code {proc.returncode}"}
    print()
    for engine in ("sqlite", "postgres"):
        res = summary.get(engine)
        if res and "error" not in res:
            print(f"{engine:9} all indicators, all operations: median {res['all_operations_s']:.2f} s "
                  f"(insert {res['insert_s']:.1f} s)")
        elif res:
            print(f"{engine:9} ERROR {res['error']}")
    pg = summary.get("postgres") or {}
    summary["postgres_within_goal"] = (pg.get("all_operations_s") or 1e9) <= GOAL_S if "error" not in pg else None
    print(json.dumps(summary))


def recreate_pg_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")


def run_engine(args) -> dict:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    op_ids = generate(args.participations, args.operations)
    insert_s = time.perf_counter() - t0
    with connection.cursor() as cur:
        cur.execute("ANALYZE" if connection.vendor == "sqlite" else "VACUUM ANALYZE")
    from passeport.reporting.indicators import CODES, indicators_by_operation, indicators_total

    indicators_by_operation(op_ids[:10])  # warm-up
    runs = []
    for _ in range(3):
        t = time.perf_counter()
        result = indicators_by_operation(op_ids)
        runs.append(time.perf_counter() - t)
    t = time.perf_counter()
    total = indicators_total(op_ids)
    total_s = time.perf_counter() - t
    # consistency: the per-operation tables sum to the total table
    summed = sum(result[o]["EECO11"]["total"] for o in op_ids)
    assert summed == total["EECO11"]["total"], (summed, total["EECO11"])
    print(f"[{connection.vendor}] generated in {insert_s:.1f} s; all operations {statistics.median(runs):.2f} s "
          f"(runs {', '.join(f'{r:.2f}' for r in runs)}); total table {total_s:.2f} s; "
          f"{len(CODES)} indicators x 4 genders; counted participants {total['EECO11']['total']:,}")
    return {"engine": connection.vendor, "insert_s": round(insert_s, 1),
            "all_operations_s": round(statistics.median(runs), 3),
            "all_operations_runs_s": [round(r, 3) for r in runs], "total_table_s": round(total_s, 3),
            "counted_participants": total["EECO11"]["total"], "indicators": len(CODES)}


def generate(n_part: int, n_ops: int) -> list[int]:
    from django.db import connection, transaction

    from passeport.core.models import Organisation
    from passeport.people.models import Person
    from passeport.reporting.models import Operation, Participation

    rng = random.Random(2021_1057)
    org = Organisation.objects.create(name="Bench FSE", kind=Organisation._meta.get_field("kind").choices[0][0])
    per_person = 5
    n_persons = max(1, n_part // per_person)
    with transaction.atomic():
        Operation.objects.bulk_create([
            Operation(organisation=org, code=f"OP{i:05d}", title=f"Opération {i}", starts_on=date(2023, 1, 1),
                      ends_on=date(2023, 1, 1) if i % 500 == 0 else date(2027, 12, 31)) for i in range(n_ops)],
            batch_size=2000)
        op_ids = list(Operation.objects.order_by("pk").values_list("pk", flat=True))
        person_cols = ["public_id", "first_name", "last_name", "birth_name", "birth_date", "birth_place", "gender",
                       "email", "phone", "address", "postal_code", "commune_insee", "commune_name", "nir_sealed",
                       "nir_hash", "search_name", "created_at", "updated_at"]
        now = time.strftime("%Y-%m-%d %H:%M:%S+00:00")
        persons = [(f"B{i:013d}", "P", f"N{i}", "", "1990-01-01", "", "f", "", "", "", "", "", "", "", "",
                    f"n{i} p", now, now) for i in range(n_persons)]
        _insert(connection, "people_person", person_cols, persons)
        first_pid = Person.objects.order_by("pk").values_list("pk", flat=True).first()
        cols = [f.column for f in Participation._meta.concrete_fields if not f.primary_key]
        rows = []
        statuses = ["employed", "unemployed", "inactive", "education"]
        levels = ["isced_0_2", "isced_3_4", "isced_5_8"]
        answers = ["yes", "no", "declined", ""]
        for k in range(n_part):
            person = first_pid + (k % n_persons)
            op = op_ids[(k // n_persons * 997 + k) % n_ops]  # the 5 operations of a person differ
            entry = date(2023, 1, 2) + timedelta(days=rng.randrange(1000))
            status = statuses[rng.randrange(4)]
            since = entry - timedelta(days=rng.randrange(30, 900)) if status == "unemployed" else None
            exit_on = entry + timedelta(days=rng.randrange(20, 400)) if rng.random() < 0.7 else None
            exit_obs = exit_on + timedelta(days=rng.randrange(0, 40)) if exit_on and rng.random() < 0.8 else None
            six_obs = exit_on + timedelta(days=rng.randrange(170, 260)) if exit_on and rng.random() < 0.5 else None
            row = {
                "operation_id": op, "person_id": person, "path_id": None, "entry_on": entry, "exit_on": exit_on,
                "gender": "fmx"[rng.randrange(3)] if rng.random() > 0.02 else "",
                "birth_date": entry - timedelta(days=rng.randrange(15 * 365, 70 * 365)),
                "entry_status": status if rng.random() > 0.02 else "", "unemployed_since": since,
                "education_level": levels[rng.randrange(3)] if rng.random() > 0.01 else "",
                "disability": answers[rng.randrange(4)], "third_country_national": answers[rng.randrange(4)],
                "foreign_background": answers[rng.randrange(4)], "minority": answers[rng.randrange(4)],
                "homeless": answers[rng.randrange(4)], "rural": answers[rng.randrange(4)],
                "exit_observed_on": exit_obs,
                "exit_job_searching": rng.random() < 0.3 if exit_obs else None,
                "exit_education": rng.random() < 0.2 if exit_obs else None,
                "exit_qualification": rng.random() < 0.2 if exit_obs else None,
                "exit_employed": rng.random() < 0.3 if exit_obs else None,
                "followup_status": "answered" if six_obs else "",
                "six_months_observed_on": six_obs,
                "six_months_employed": rng.random() < 0.4 if six_obs else None,
                "six_months_improved": rng.random() < 0.3 if six_obs else None,
                "created_at": now, "updated_at": now,
            }
            rows.append(tuple(v.isoformat() if isinstance(v, date) else v for v in (row[c] for c in cols)))
        _insert(connection, "reporting_participation", cols, rows)
    return op_ids


def _insert(connection, table: str, cols: list[str], rows: list[tuple]) -> None:
    qn = connection.ops.quote_name
    columns = ", ".join(qn(c) for c in cols)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY {qn(table)} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            sql = f"INSERT INTO {qn(table)} ({columns}) VALUES ({', '.join(['%s'] * len(cols))})"  # noqa: S608
            for start in range(0, len(rows), 20_000):
                cur.executemany(sql, rows[start:start + 20_000])


if __name__ == "__main__":
    main()
