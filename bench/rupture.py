"""Benchmark and evaluation of the risk of rupture.

    .venv/bin/python bench/rupture.py            # evaluation (2,000 synthetic paths, SQLite)
                                                  # + scale: 100,000 persons on PostgreSQL
    .venv/bin/python bench/rupture.py --quick    # 600 synthetic paths + 5,000 persons

1. Evaluation (a throwaway SQLite file): synthetic path histories, some that drop out
   (contact stops on a drop day, with more no-shows and overdue actions in the weeks
   before) and some that do not (with noise: gaps of silence, occasional no-shows,
   late actions). The real signal code (`passeport.rupture.detect`) runs on them as of
   every third day. It reports how early dropouts are flagged (days between the last
   contact and the first day a weight-3 signal is raised; negative = flagged before the
   last contact), the share flagged within 45 days, and the precision of the top of the
   référent's list (top 10 % by the documented score, every 30 days, counting as true a
   path that drops out within 60 days before / 30 days after that day). It also runs a
   simulation of reminders by invitation (no-show rate 23.8 % -> 11.2 %, the figures
   RDV-Insertion measured): only a simulation, on synthetic data.
2. Scale (PostgreSQL, database `bench_rupture_N`, re-created): the caseload generator
   of bench/caseload.py (persons, consents, paths, diagnostics, actions, timelines),
   then `alerts_refresh` over all followed paths, timed, with the number of queries of
   each batch. Goal: <= 60 s for 100,000 persons, constant queries per batch.

The very last line printed is one JSON object of figures.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path as FsPath

ROOT = FsPath(__file__).resolve().parent.parent
EVAL_DB = "/tmp/bench_rupture_eval.sqlite3"  # noqa: S108 - a throwaway benchmark database
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DB = "bench_rupture_{n}"
SEED = 2718
GOAL_S = 60


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--persons", type=int, default=None)
    parser.add_argument("--paths", type=int, default=None, help="synthetic paths to evaluate")
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=DAYS",
                        help="override a threshold, e.g. --set MISSED_IN_ROW=3")
    parser.add_argument("--child", choices=["eval", "scale"], default=None)
    args = parser.parse_args()
    args.persons = args.persons or (5_000 if args.quick else 100_000)
    args.paths = args.paths or (250 if args.quick else 2_000)
    if args.child:
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.conf import settings

        for item in args.set:
            name, value = item.split("=", 1)
            setattr(settings, f"PASSEPORT_RUPTURE_{name.upper()}", int(value))
        result = evaluate(args.paths) if args.child == "eval" else scale(args.persons)
        print(json.dumps(result))
        return
    summary: dict = {}
    jobs = [("eval", f"sqlite:///{EVAL_DB}")]
    if not args.skip_scale:
        jobs.append(("scale", f"{PG_SERVER}/{PG_DB.format(n=args.persons)}"))
    for child, url in jobs:
        if child == "eval":
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(EVAL_DB + suffix)
        else:
            recreate_pg_database(PG_DB.format(n=args.persons))
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "0",
               "DJANGO_ENV": "bench", "DATABASE_URL": url}
        cmd = [sys.executable, __file__, "--child", child, "--persons", str(args.persons),
               "--paths", str(args.paths)] + [f"--set={item}" for item in args.set]
        out = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True,
                             check=False)
        lines = out.stdout.strip().splitlines()
        for line in lines[:-1]:
            print(line)
        try:
            summary[child] = json.loads(lines[-1])
        except (IndexError, json.JSONDecodeError):
            summary[child] = {"error": f"exit code {out.returncode}"}
    print_summary(summary)
    print(json.dumps(summary))


def recreate_pg_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")


def print_summary(summary: dict) -> None:
    print("=== Risk of rupture ===")
    ev = summary.get("eval", {})
    if "error" not in ev and ev:
        print(f"evaluation: {ev['paths']} paths ({ev['dropouts']} dropouts); dropouts flagged: "
              f"{ev['flagged_share']:.0%}; median days from last contact to flag: "
              f"{ev['median_days_last_contact_to_flag']}; flagged within 45 days: "
              f"{ev['flagged_within_45_days_share']:.0%}; precision of the top 10 %: "
              f"{ev['precision_top10pct']:.0%}; false flags among non-dropouts: "
              f"{ev['false_flag_share']:.0%}")
        print(f"simulation (synthetic): no-shows summoned {ev['simulated_noshow_summoned']:.1%}, "
              f"invited with reminders {ev['simulated_noshow_invited']:.1%}")
    sc = summary.get("scale", {})
    if sc and "error" not in sc:
        ok = sc["refresh_seconds"] <= GOAL_S and sc["queries_per_batch_constant"]
        print(f"scale: {sc['persons']:,} persons, {sc['paths_followed']:,} followed paths, "
              f"alerts_refresh {sc['refresh_seconds']} s ({sc['batches']} batches of "
              f"{sc['batch_size']}, queries per batch {sc['queries_per_batch']}); "
              f"{'OK' if ok else 'ABOVE GOAL'}")
    for name in ("eval", "scale"):
        if "error" in summary.get(name, {}):
            print(f"{name}: ERROR {summary[name]['error']}")


# --------------------------------------------------------------------------- evaluation

def evaluate(n: int) -> dict:
    from django.core.management import call_command
    from django.utils import timezone

    from passeport.core.enums import Role
    from passeport.core.models import Membership, Organisation, User
    from passeport.paths.enums import ActionStatus, AppointmentOutcome, EventKind
    from passeport.paths.models import Action, Path, TimelineEvent
    from passeport.people.models import Consent, Person
    from passeport.rupture import detect

    call_command("migrate", verbosity=0)
    rng = random.Random(SEED)
    start = date(2025, 1, 6)
    horizon = 330
    org = Organisation.objects.create(name="Structure (bench)", kind="plie",
                                      siret="", commune_insee="29019", commune_name="Brest")
    user = User.objects.create_user(email="ref@bench.example", first_name="R", last_name="B")
    ref = Membership.objects.create(user=user, organisation=org, role=Role.REFERENT)

    def at(day: int, hour: int = 10) -> datetime:
        return timezone.make_aware(datetime.combine(start + timedelta(days=day),
                                                    datetime.min.time()).replace(hour=hour))

    truth: dict[int, dict] = {}
    persons = [Person(first_name=f"P{i}", last_name=f"Bench{i}", birth_date=date(1990, 1, 1),
                      search_name=f"bench{i} p{i}") for i in range(n)]
    Person.objects.bulk_create(persons)
    Consent.objects.bulk_create([Consent(person=p, organisation=org, scope="path", purpose="x",
                                         method="written", valid_from=start) for p in persons])
    paths = Path.objects.bulk_create([Path(person=p, organisation=org, referent=ref, opened_on=start)
                                      for p in persons])
    events, actions = [], []
    summoned_missed = summoned_total = invited_missed = 0
    for path in paths:
        dropout = rng.random() < 0.3
        drop = rng.randint(60, 260) if dropout else None
        last_contact = 0
        day = rng.randint(3, 10)
        end = horizon
        while day < end:
            if drop is not None and day >= drop:
                # After the drop: one or two appointments planned, not honoured.
                for k in range(rng.randint(1, 2)):
                    d = day + 10 * k
                    if d < end:
                        events.append(TimelineEvent(path=path, kind=EventKind.APPOINTMENT,
                                                    title="RDV", occurred_at=at(d),
                                                    appointment_outcome=AppointmentOutcome.MISSED))
                break
            near_drop = drop is not None and drop - day <= 35
            p_miss = 0.55 if near_drop else 0.12
            missed = rng.random() < p_miss
            summoned_total += 1
            summoned_missed += rng.random() < 0.238
            invited_missed += rng.random() < 0.112
            events.append(TimelineEvent(
                path=path, kind=EventKind.APPOINTMENT, title="RDV", occurred_at=at(day),
                appointment_outcome=AppointmentOutcome.MISSED if missed else AppointmentOutcome.HELD))
            if not missed:
                last_contact = day
            if rng.random() < 0.25:  # a phone call between appointments
                events.append(TimelineEvent(path=path, kind=EventKind.CONTACT, title="Appel",
                                            occurred_at=at(day + 3)))
                last_contact = day + 3
            if rng.random() < 0.3:
                due = day + rng.randint(10, 30)
                late = near_drop or rng.random() < 0.15
                done = drop is None or due < drop - 10
                actions.append(Action(path=path, title="Action", due_on=start + timedelta(days=due),
                                      status=(ActionStatus.DONE if done and not late
                                              else ActionStatus.TODO)))
            gap = rng.randint(9, 21)
            if drop is None and rng.random() < 0.06:
                gap = rng.randint(30, 70)  # noise: a long silence, then back
            day += gap
        if drop is not None:
            last_contact = min(last_contact, drop)
        truth[path.pk] = {"dropout": dropout, "drop": drop, "last": last_contact}
    TimelineEvent.objects.bulk_create(events, batch_size=2000)
    Action.objects.bulk_create(actions, batch_size=2000)

    loaded = list(Path.objects.select_related("referent").order_by("pk"))
    first_flag: dict[int, int] = {}
    precisions = []
    strong = {"no_contact", "missed"}
    for day in range(30, horizon, 3):
        signals = detect.compute(loaded, start + timedelta(days=day))
        for pk, sigs in signals.items():
            if pk not in first_flag and any(s.kind in strong for s in sigs):
                first_flag[pk] = day
        if day % 30 == 0:
            ranked = sorted(((detect.priority(s), pk) for pk, s in signals.items() if s),
                            reverse=True)
            eligible = [(score, pk) for score, pk in ranked
                        if not truth[pk]["dropout"] or day - 60 < truth[pk]["drop"] <= day + 30]
            k = max(1, len(loaded) // 10)
            top = eligible[:k]
            if top:
                precisions.append(sum(truth[pk]["dropout"] for _s, pk in top) / len(top))
    drops = [pk for pk, t in truth.items() if t["dropout"] and t["drop"] + 45 < horizon]
    lags = [first_flag[pk] - truth[pk]["last"] for pk in drops if pk in first_flag]
    stayers = [pk for pk, t in truth.items() if not t["dropout"]]
    return {
        "paths": n, "dropouts": len(drops),
        "flagged_share": round(len(lags) / max(1, len(drops)), 3),
        "median_days_last_contact_to_flag": statistics.median(lags) if lags else None,
        "flagged_within_45_days_share": round(sum(lag <= 45 for lag in lags) / max(1, len(drops)), 3),
        "flagged_before_last_contact_share": round(sum(lag < 0 for lag in lags) / max(1, len(drops)), 3),
        "precision_top10pct": round(statistics.mean(precisions), 3) if precisions else None,
        "false_flag_share": round(sum(pk in first_flag for pk in stayers) / max(1, len(stayers)), 3),
        "simulated_noshow_summoned": round(summoned_missed / max(1, summoned_total), 3),
        "simulated_noshow_invited": round(invited_missed / max(1, summoned_total), 3),
        "thresholds": detect.Thresholds.from_settings().__dict__,
    }


# --------------------------------------------------------------------------- scale

def scale(n: int) -> dict:
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from passeport.rupture import services

    call_command("migrate", verbosity=0)
    sys.path.insert(0, str(ROOT / "bench"))
    from caseload import Generator, analyze

    t0 = time.perf_counter()
    gen = Generator(n, connection).run()
    print(f"[scale] generated {gen['rows']:,} rows in {time.perf_counter() - t0:.1f} s", flush=True)
    analyze(connection)
    size = 2000
    per_batch: list[int] = []
    original = services._refresh_batch

    def counted(batch, today, thresholds, result):
        with CaptureQueriesContext(connection) as ctx:
            original(batch, today, thresholds, result)
        per_batch.append(len(ctx))

    services._refresh_batch = counted
    t0 = time.perf_counter()
    result = services.alerts_refresh(batch_size=size)
    seconds = round(time.perf_counter() - t0, 1)
    services._refresh_batch = original
    # The batch that loads the next batch's paths is counted outside _refresh_batch.
    full = per_batch[:-1] or per_batch
    return {"persons": n, "paths_followed": result.paths, "alerts_raised": result.raised,
            "batches": result.batches, "batch_size": size, "refresh_seconds": seconds,
            "queries_per_batch": sorted(set(full)),
            "queries_per_batch_constant": len(set(full)) <= 2}


if __name__ == "__main__":
    main()
