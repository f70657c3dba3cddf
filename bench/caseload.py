"""Benchmark of the caseload page and the persons API list at scale.

    .venv/bin/python bench/caseload.py                 # 100,000 persons, SQLite and PostgreSQL
    .venv/bin/python bench/caseload.py --quick         # 5,000 persons, a smoke run
    .venv/bin/python bench/caseload.py --persons 20000 --db sqlite

For each engine, in a dedicated database per size N (the SQLite file
/tmp/bench_caseload_N.sqlite3; the PostgreSQL database `bench_caseload_N` on
127.0.0.1:5432, dropped and re-created unless --reuse), it:

1. migrates, then generates N persons with their consents, paths (some closed, some
   paused), diagnostics, actions (some overdue) and timelines, with bulk inserts
   (executemany on SQLite, COPY on PostgreSQL), spread over 4 organisations and
   about N/2000 référents; then ANALYZE (production databases have statistics);
2. measures through the whole Django stack (test Client: middleware, session, view,
   selector, template) the caseload page as a référent and as a manager — first page,
   a name search, a frein filter, page 50 — and the persons API list with an
   organisation's bearer token when /api/v1/persons answers: median and p95 over
   --requests requests (50 by default, 10 with --quick) after a warm-up, and the SQL
   queries of one request (CaptureQueriesContext);
3. checks that the number of queries does not grow with the page size (caseload: 10,
   50, 100 rows; API: 10, 50). SELECTs must be constant; on SQLite, Django writes the
   page's audit rows in INSERTs of at most 999 parameters (83 rows), so a 100-row
   page takes one more INSERT.

It prints a human summary and, as the very last line, one JSON object.
Goal (issue 2): p95 <= 150 ms at 100,000 persons on both engines.
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
from datetime import UTC, date, datetime, timedelta
from pathlib import Path as FsPath

ROOT = FsPath(__file__).resolve().parent.parent
# One database per size, so that a --quick run does not replace the 100,000 one.
SQLITE_FILE = "/tmp/bench_caseload_{n}.sqlite3"  # noqa: S108 - a throwaway benchmark database
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DB = "bench_caseload_{n}"
GOAL_MS = 150
SEED = 1729


# --------------------------------------------------------------------------- driver

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=None, help="persons to generate (100000)")
    parser.add_argument("--quick", action="store_true", help="5,000 persons, a smoke run")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--requests", type=int, default=None,
                        help="timed requests per scenario (50; 10 with --quick)")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse the database of a previous run with the same size")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.persons is None:
        args.persons = 5_000 if args.quick else 100_000
    if args.requests is None:  # --quick is a smoke run: fewer samples, a rougher p95
        args.requests = 10 if args.quick else 50

    if args.child:
        result = run_engine(args)
        print(json.dumps(result))
        return

    engines = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    summary: dict = {"persons": args.persons}
    for engine in engines:
        cmd = [sys.executable, __file__, "--child", "--db", engine, "--persons", str(args.persons),
               "--requests", str(args.requests)] + (["--reuse"] if args.reuse else [])
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "0",
               "DJANGO_ENV": "bench",
               "DATABASE_URL": (f"sqlite:///{SQLITE_FILE.format(n=args.persons)}"
                                if engine == "sqlite"
                                else f"{PG_SERVER}/{PG_DB.format(n=args.persons)}")}
        # One engine at a time, so that they do not compete for the CPU.
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        summary[engine] = collect(proc)
    print()
    print_summary(summary)
    print(json.dumps(summary))


def collect(proc) -> dict:
    """Echo a child's lines as they come and return its JSON result, its last line."""
    lines: list[str] = []
    for line in proc.stdout:
        if lines:
            print(lines[-1], end="", flush=True)
        lines.append(line)
    code = proc.wait()
    if code != 0 or not lines:
        print("".join(lines[-1:]), end="")
        return {"error": f"exit code {code}"}
    return json.loads(lines[-1])


def print_summary(summary: dict) -> None:
    print(f"=== Summary: {summary['persons']:,} persons (goal: p95 <= {GOAL_MS} ms) ===")
    for engine in ("sqlite", "postgres"):
        res = summary.get(engine)
        if res is None:
            continue
        if "error" in res:
            print(f"{engine:9} ERROR {res['error']}")
            continue
        api = (f"api p95 {res['api_p95_ms']:.0f} ms (median {res['api_median_ms']:.0f})"
               if res.get("api_p95_ms") is not None else f"api: {res.get('api_note')}")
        ok = res["caseload_p95_ms"] <= GOAL_MS and (res.get("api_p95_ms") or 0) <= GOAL_MS
        print(f"{engine:9} caseload worst p95 {res['caseload_p95_ms']:.0f} ms "
              f"(worst median {res['caseload_median_ms']:.0f}); {api}; "
              f"queries/request <= {res['queries_per_request']}; "
              f"constant with page size: {res['queries_constant_with_page_size']}; "
              f"{'OK' if ok else 'ABOVE GOAL'}")


# --------------------------------------------------------------------------- one engine

def run_engine(args) -> dict:
    engine = args.db
    if engine == "postgres" and not args.reuse:
        recreate_pg_database(PG_DB.format(n=args.persons))
    if engine == "sqlite" and not args.reuse:
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(SQLITE_FILE.format(n=args.persons) + suffix)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrate_s = time.perf_counter() - t0
    print(f"[{engine}] migrated in {migrate_s:.1f} s", flush=True)

    from passeport.people.models import Person

    existing = Person.objects.count()
    if args.reuse and existing == args.persons:
        print(f"[{engine}] reusing {existing:,} persons", flush=True)
        gen = {"reused": True}
    else:
        if existing:
            raise SystemExit(f"[{engine}] the database holds {existing} persons: drop --reuse")
        t0 = time.perf_counter()
        gen = Generator(args.persons, connection).run()
        gen["seconds"] = round(time.perf_counter() - t0, 1)
        print(f"[{engine}] generated {gen['rows']:,} rows in {gen['seconds']} s", flush=True)
    t0 = time.perf_counter()
    analyze(connection)
    print(f"[{engine}] ANALYZE in {time.perf_counter() - t0:.1f} s", flush=True)
    result = measure(engine, args.requests, warmup=1 if args.requests < 50 else 3)
    result["generation"] = gen
    return result


def recreate_pg_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")


def analyze(connection) -> None:
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("ANALYZE")
            cur.execute("PRAGMA optimize")
        else:
            cur.execute("VACUUM ANALYZE")


# --------------------------------------------------------------------------- generation

class Generator:
    """Rows for the tables the caseload and the persons list read, inserted in bulk with
    explicit primary keys. Columns a model has and the generator does not fill get the
    field's default (so a new field does not break the benchmark)."""

    ORGS = [
        ("Conseil départemental du Finistère (bench)", "conseil_departemental", 40),
        ("Mission locale du Pays de Brest (bench)", "mission_locale", 25),
        ("France Travail Brest Marine (bench)", "france_travail", 20),
        ("PLIE de Cornouaille (bench)", "plie", 15),
    ]
    COMMUNES = [("29019", "Brest", "29200"), ("29232", "Quimper", "29000"),
                ("29151", "Morlaix", "29600"), ("29103", "Landerneau", "29800"),
                ("29039", "Concarneau", "29900"), ("29046", "Douarnenez", "29100")]

    def __init__(self, n: int, connection):
        self.n = n
        self.connection = connection
        self.rng = random.Random(SEED)
        self.now = datetime.now(UTC)
        self.today = date.today()
        self.rows = 0

    def run(self) -> dict:
        from django.db import transaction
        from faker import Faker

        from passeport.core.enums import Role
        from passeport.core.models import Membership, Organisation, User
        from passeport.core.text import normalize
        from passeport.paths.enums import FreinTheme

        fake = Faker("fr_FR")
        fake.seed_instance(SEED)
        first_names = sorted({fake.first_name() for _ in range(3000)})
        last_names = sorted({fake.last_name() for _ in range(6000)}
                            | {"Le Gall", "Le Goff", "Le Bihan", "Kerouac", "Quéré", "Morvan"})
        self.norm = {name: normalize(name) for name in first_names + last_names}
        self.first_names, self.last_names = first_names, last_names
        self.themes = list(FreinTheme.values)

        with transaction.atomic():
            from stdnum import luhn

            orgs = []
            for i, (name, kind, _w) in enumerate(self.ORGS):
                siren = f"98765{i:03d}"
                siren += luhn.calc_check_digit(siren)
                siret = siren + "0001"
                siret += luhn.calc_check_digit(siret)
                orgs.append(Organisation.objects.create(name=name, kind=kind, siret=siret,
                                                        commune_insee="29019",
                                                        commune_name="Brest"))
            n_ref = max(2, self.n // 2000)
            self.referents: list[list[int]] = []
            self.org_ids = [o.pk for o in orgs]
            for k, org in enumerate(orgs):
                ids = []
                count = max(2, round(n_ref * self.ORGS[k][2] / 100))
                for j in range(count):
                    user = User.objects.create_user(
                        email=f"referent{j}.org{k}@bench.example", first_name=f"Référent{j}",
                        last_name=f"Bench{k}")
                    ids.append(Membership.objects.create(user=user, organisation=org,
                                                         role=Role.REFERENT).pk)
                user = User.objects.create_user(email=f"manager.org{k}@bench.example",
                                                first_name="Responsable", last_name=f"Bench{k}")
                Membership.objects.create(user=user, organisation=org, role=Role.MANAGER)
                self.referents.append(ids)
            self.bulk_all()
        return {"rows": self.rows, "referents": sum(len(r) for r in self.referents)}

    # ---- rows ------------------------------------------------------------------------
    def bulk_all(self) -> None:
        from passeport.paths.models import Action, DiagnosticEntry, Path, TimelineEvent
        from passeport.people.models import Consent, Person

        rng = self.rng
        persons, consents, paths, diags, actions, events = [], [], [], [], [], []
        weights = [w for *_x, w in self.ORGS]
        alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
        seen_ids: set[str] = set()
        consent_pk = path_pk = diag_pk = action_pk = event_pk = 0
        today, now = self.today, self.now
        for pk in range(1, self.n + 1):
            k = rng.choices(range(len(self.ORGS)), weights)[0]
            org_id = self.org_ids[k]
            first, last = rng.choice(self.first_names), rng.choice(self.last_names)
            while True:
                raw = "".join(rng.choices(alphabet, k=12))
                if raw not in seen_ids:
                    seen_ids.add(raw)
                    break
            insee, commune, cp = rng.choice(self.COMMUNES)
            opened = today - timedelta(days=rng.randint(1, 900))
            created = datetime.combine(opened, datetime.min.time(), UTC) + timedelta(hours=9)
            persons.append({
                "id": pk, "public_id": f"{raw[:4]}-{raw[4:8]}-{raw[8:]}", "first_name": first,
                "last_name": last, "birth_date": today - timedelta(days=rng.randint(16 * 365, 64 * 365)),
                "gender": rng.choice("fmx"), "postal_code": cp, "commune_insee": insee,
                "commune_name": commune,
                "search_name": f"{self.norm[last]} {self.norm[first]}",
                "created_by_organisation_id": org_id, "created_at": created, "updated_at": created,
            })
            # Consents: path + rights to the lead organisation; some follow-ups by a second
            # organisation; some withdrawn or expired (then the path is not visible).
            r = rng.random()
            lead_from = opened
            if r < 0.02:  # withdrawn
                consent_pk += 1
                consents.append(self._consent(consent_pk, pk, org_id, "path", lead_from,
                                              withdrawn=created + timedelta(days=30)))
            elif r < 0.03:  # expired
                consent_pk += 1
                consents.append(self._consent(consent_pk, pk, org_id, "path", lead_from,
                                              until=today - timedelta(days=1)))
            else:
                if r < 0.06:  # replaced (re-granted): an old withdrawn row, then the active one
                    consent_pk += 1
                    consents.append(self._consent(consent_pk, pk, org_id, "path", lead_from,
                                                  withdrawn=created + timedelta(days=5)))
                consent_pk += 1
                consents.append(self._consent(consent_pk, pk, org_id, "path", lead_from))
            consent_pk += 1
            consents.append(self._consent(consent_pk, pk, org_id, "rights", lead_from))
            if rng.random() < 0.15:
                other = self.org_ids[(k + rng.randint(1, len(self.ORGS) - 1)) % len(self.ORGS)]
                consent_pk += 1
                consents.append(self._consent(consent_pk, pk, other, "path", lead_from))
            # Paths: sometimes an older closed path; the current one active, paused or closed.
            referent = rng.choice(self.referents[k])
            if rng.random() < 0.1:
                path_pk += 1
                old = opened - timedelta(days=rng.randint(400, 900))
                paths.append(self._path(path_pk, pk, org_id, referent, "closed", old,
                                        old + timedelta(days=200)))
            s = rng.random()
            status = "active" if s < 0.8 else "paused" if s < 0.9 else "closed"
            path_pk += 1
            paths.append(self._path(path_pk, pk, org_id, referent, status, opened,
                                    today if status == "closed" else None))
            # Diagnostic: 2-5 current freins, and the earlier assessment of one of them.
            themes = rng.sample(self.themes, rng.randint(2, 5))
            for theme in themes:
                diag_pk += 1
                diags.append({"id": diag_pk, "path_id": path_pk, "theme": theme,
                              "severity": rng.randint(0, 3), "assessed_on": opened,
                              "is_current": True, "created_at": created})
            diag_pk += 1
            diags.append({"id": diag_pk, "path_id": path_pk, "theme": rng.choice(themes),
                          "severity": 3, "assessed_on": opened - timedelta(days=90),
                          "is_current": False, "created_at": created})
            # Actions: 0-5, open ones with due dates (some overdue), done ones.
            for _ in range(rng.randint(0, 5)):
                action_pk += 1
                due = opened + timedelta(days=rng.randint(5, 950))
                st = rng.choice(["todo", "todo", "in_progress", "done", "done", "cancelled"])
                actions.append({"id": action_pk, "path_id": path_pk, "title": "Action de suivi",
                                "due_on": due if rng.random() < 0.9 else None, "status": st,
                                "organisation_id": org_id, "created_at": created,
                                "done_at": now if st == "done" else None})
            # Timeline: 3-9 events; now and then a message of the person not yet read.
            for e in range(rng.randint(3, 9)):
                event_pk += 1
                kind = rng.choice(["note", "contact", "appointment", "action", "reassessment"])
                at = created + timedelta(days=e * 20, hours=rng.randint(0, 8))
                events.append({"id": event_pk, "path_id": path_pk, "kind": kind,
                               "title": "Événement", "occurred_at": at, "created_at": at,
                               "organisation_id": org_id,
                               "appointment_outcome": "held" if kind == "appointment" else ""})
            if rng.random() < 0.02:
                event_pk += 1
                events.append({"id": event_pk, "path_id": path_pk, "kind": "message",
                               "title": "Message", "occurred_at": now, "created_at": now,
                               "by_person": True})
            if len(events) > 50_000:
                self.flush(Person, persons, Consent, consents, Path, paths,
                           DiagnosticEntry, diags, Action, actions, TimelineEvent, events)
        self.flush(Person, persons, Consent, consents, Path, paths, DiagnosticEntry, diags,
                   Action, actions, TimelineEvent, events)
        self.reset_sequences([Person, Consent, Path, DiagnosticEntry, Action, TimelineEvent])

    def _consent(self, pk, person, org, scope, valid_from, withdrawn=None, until=None) -> dict:
        return {"id": pk, "person_id": person, "organisation_id": org, "scope": scope,
                "purpose": "Accompagnement", "valid_from": valid_from, "valid_until": until,
                "method": "written", "recorded_at": self.now, "withdrawn_at": withdrawn}

    def _path(self, pk, person, org, referent, status, opened, closed) -> dict:
        return {"id": pk, "person_id": person, "organisation_id": org, "referent_id": referent,
                "status": status, "opened_on": opened, "closed_on": closed,
                "exit_reason": "employment" if status == "closed" else "",
                "employment_status": "unemployed", "benefits": ["rsa"],
                "created_at": self.now, "updated_at": self.now}

    def flush(self, *pairs) -> None:
        for model, rows in zip(pairs[::2], pairs[1::2], strict=True):
            if rows:
                self.insert(model, rows)
                self.rows += len(rows)
                rows.clear()

    def insert(self, model, rows: list[dict]) -> None:
        """executemany (SQLite) or COPY (PostgreSQL) of dict rows, with defaults."""
        from django.db import models

        fields = list(model._meta.concrete_fields)
        defaults = {}
        for f in fields:
            if f.has_default():
                defaults[f.attname] = f.get_default()
            elif f.null:
                defaults[f.attname] = None
            elif isinstance(f, models.BooleanField):
                defaults[f.attname] = False
            else:
                defaults[f.attname] = ""
        sqlite = self.connection.vendor == "sqlite"
        convert = []
        for f in fields:
            if isinstance(f, models.JSONField):
                convert.append(lambda v: json.dumps(v))
            elif sqlite and isinstance(f, models.DateTimeField):
                convert.append(lambda v: v and v.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"))
            elif sqlite and isinstance(f, models.DateField):
                convert.append(lambda v: v and v.isoformat())
            else:
                convert.append(None)
        names = [f.attname for f in fields]
        columns = [f.column for f in fields]
        data = []
        for row in rows:
            values = []
            for name, conv in zip(names, convert, strict=True):
                v = row[name] if name in row else defaults[name]
                values.append(conv(v) if conv is not None and v is not None else v)
            data.append(values)
        table = model._meta.db_table
        quoted = ", ".join(f'"{c}"' for c in columns)
        if sqlite:
            raw = self.connection.connection  # the sqlite3 connection
            raw.executemany(f'INSERT INTO "{table}" ({quoted}) VALUES '  # noqa: S608
                            f'({", ".join("?" * len(columns))})', data)
        else:
            with self.connection.cursor() as cur, cur.cursor.copy(
                    f'COPY "{table}" ({quoted}) FROM STDIN') as copy:
                for values in data:
                    copy.write_row(values)

    def reset_sequences(self, models) -> None:
        from django.core.management.color import no_style

        statements = self.connection.ops.sequence_reset_sql(no_style(), models)
        with self.connection.cursor() as cur:
            for sql in statements:
                cur.execute(sql)


# --------------------------------------------------------------------------- measures

def measure(engine: str, n_requests: int, warmup: int = 3) -> dict:
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from passeport.core.actor import Actor
    from passeport.core.enums import Role
    from passeport.core.models import Membership
    from passeport.core.services import api_token_create
    from passeport.paths.models import Path

    # The organisation with the largest caseload, its busiest référent and its manager.
    biggest = (Path.objects.values("organisation_id").order_by().annotate(n=Count("id"))
               .order_by("-n")[0])
    org_id = biggest["organisation_id"]
    referent = (Membership.objects.filter(organisation_id=org_id, role=Role.REFERENT)
                .order_by("pk").select_related("user", "organisation").first())
    manager = (Membership.objects.filter(organisation_id=org_id, role=Role.MANAGER)
               .select_related("user", "organisation").first())
    some = Path.objects.filter(referent=referent).select_related("person").order_by("pk").first()
    search = some.person.last_name  # a real name of the caseload, as typed by a référent
    _token, raw_token = api_token_create(actor=Actor(user=manager.user, membership=manager),
                                         organisation=manager.organisation, name="bench")

    clients = {}
    for role, member in (("referent", referent), ("manager", manager)):
        c = Client()
        c.force_login(member.user)
        clients[role] = c
    api_client = Client(HTTP_AUTHORIZATION=f"Bearer {raw_token}")

    scenarios = []
    for role, extra in (("referent", {}), ("manager", {"perimetre": "structure"})):
        scenarios += [
            (f"{role} first page", clients[role], "/pro/", {**extra}),
            (f"{role} search '{search}'", clients[role], "/pro/", {**extra, "q": search}),
            (f"{role} frein mobilite", clients[role], "/pro/", {**extra, "frein": "mobilite"}),
            (f"{role} page 50", clients[role], "/pro/", {**extra, "page": "50"}),
        ]
    api_status = api_client.get("/api/v1/persons").status_code
    api_path = "/api/v1/persons"
    if api_status != 200:
        alt = api_client.get("/api/v1/persons/").status_code
        if alt == 200:
            api_status, api_path = alt, "/api/v1/persons/"
    if api_status == 200:
        scenarios += [
            ("api persons first page", api_client, api_path, {}),
            ("api persons search", api_client, api_path, {"q": search}),
            ("api persons page 50", api_client, api_path, {"page": "50"}),
        ]

    results = {}
    print(f"[{engine}] {'scenario':40} {'median':>8} {'p95':>8} {'queries':>8}  rows", flush=True)
    for label, client, url, params in scenarios:
        for _ in range(warmup):  # warm-up: caches, prepared plans
            client.get(url, params)
        timings = []
        for _ in range(n_requests):
            t0 = time.perf_counter()
            response = client.get(url, params)
            timings.append((time.perf_counter() - t0) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{label}: HTTP {response.status_code}")
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, params)
        rows = rows_shown(response)
        median = statistics.median(timings)
        p95 = statistics.quantiles(timings, n=20, method="inclusive")[18]
        results[label] = {"median_ms": round(median, 1), "p95_ms": round(p95, 1),
                          "queries": len(ctx.captured_queries), "rows": rows}
        print(f"[{engine}] {label:40} {median:8.1f} {p95:8.1f} {len(ctx.captured_queries):8d}"
              f"  {rows}", flush=True)

    # The query count must not depend on the page size (the caseload allows up to 100
    # rows a page, the API 50). SELECTs are counted apart: on SQLite, Django splits the
    # one audit INSERT of a page in statements of 999 parameters (83 audit rows).
    by_size = {}
    checks = [("caseload", clients["manager"], "/pro/", {"perimetre": "structure"}, "taille",
               (10, 50, 100))]
    if api_status == 200:
        checks.append(("api", api_client, api_path, {}, "page_size", (10, 50)))
    constant = True
    for name, client, url, params, size_param, sizes in checks:
        seen = []
        # An untimed request first: writes throttled by time (the API token's last use,
        # once a minute) must not be counted against one page size.
        client.get(url, {**params, size_param: sizes[0]})
        for size in sizes:
            with CaptureQueriesContext(connection) as ctx:
                r = client.get(url, {**params, size_param: size})
            sql = [q["sql"] for q in ctx.captured_queries]
            selects = sum(1 for q in sql if q.lstrip().upper().startswith("SELECT"))
            by_size[f"{name}_{size}"] = {"queries": len(sql), "selects": selects,
                                         "rows": rows_shown(r)}
            seen.append((selects, len(sql) if size <= 50 else None))
        constant &= len({s for s, _ in seen}) == 1 and len({t for _, t in seen if t}) == 1
    print(f"[{engine}] queries by page size: {by_size} -> "
          f"{'constant' if constant else 'GROWS'}", flush=True)

    caseload = [v for k, v in results.items() if not k.startswith("api")]
    api = [v for k, v in results.items() if k.startswith("api")]
    return {
        "caseload_p95_ms": max(v["p95_ms"] for v in caseload),
        "caseload_median_ms": max(v["median_ms"] for v in caseload),
        "api_p95_ms": max(v["p95_ms"] for v in api) if api else None,
        "api_median_ms": max(v["median_ms"] for v in api) if api else None,
        "api_note": None if api else f"/api/v1/persons answered {api_status}: not measured",
        "queries_per_request": max(v["queries"] for v in results.values()),
        "queries_constant_with_page_size": constant,
        "queries_by_page_size": by_size,
        "referent_caseload": Path.objects.filter(referent=referent).count(),
        "requests_per_scenario": n_requests,
        "scenarios": results,
    }


def rows_shown(response) -> int | None:
    """How many rows the page or the API answer shows (to check the scenario is real)."""
    if response.get("Content-Type", "").startswith("application/json"):
        body = response.json()
        for key in ("items", "results", "persons", "data"):
            if isinstance(body, dict) and isinstance(body.get(key), list):
                return len(body[key])
        return len(body) if isinstance(body, list) else None
    return response.content.decode().count('class="passeport-row"')


if __name__ == "__main__":
    main()
