"""Benchmark of the directory search: thématique + commune + 30 km among many services.

    .venv/bin/python bench/directory.py                 # 100,000 services, SQLite and PostgreSQL
    .venv/bin/python bench/directory.py --quick         # 5,000 services (a smoke run, < 30 s)
    .venv/bin/python bench/directory.py --services 20000 --db sqlite

For each engine, in a dedicated database (a SQLite file under /tmp; the PostgreSQL
database `bench_directory` on 127.0.0.1:5432, dropped and re-created), it:

1. migrates (which loads the 35,000 communes), then generates N services (one structure
   for every 5) across real communes, drawn in proportion to their population (services
   are where people live: the dense areas are the hard case), each with 1 to 3
   data·inclusion thématiques, publics and modes d'accueil, and the same derived search
   fields as the import computes; inserted in bulk; then ANALYZE;
2. measures `services_search` (the selector the pages and the API call: bounding-box
   prefilter on the indexed coordinates, exact haversine, relevance and distance sort,
   the page of 20 services read in full) for a random category + a random commune (drawn
   by population) + 30 km: median and p95 over --requests searches after a warm-up;
   the same through the whole HTTP stack (GET /api/v1/directory/services with a bearer
   token); and the densest case, around Paris;
3. times the import of 2,000 data·inclusion records (validation with the package's
   pydantic models included).

It prints a human summary and, as the very last line, one JSON object.
Goal (issue 5): p95 <= 100 ms at 100,000 services on both engines.
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
from datetime import date
from pathlib import Path as FsPath

ROOT = FsPath(__file__).resolve().parent.parent
SQLITE_FILE = "/tmp/bench_directory.sqlite3"  # noqa: S108 - a throwaway benchmark database
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DB = "bench_directory"
GOAL_MS = 100
RADIUS_KM = 30
SEED = 1905


# --------------------------------------------------------------------------- driver

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=None, help="services (100000)")
    parser.add_argument("--quick", action="store_true", help="5,000 services, a smoke run")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--requests", type=int, default=None,
                        help="timed searches per scenario (200; 30 with --quick)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.services is None:
        args.services = 5_000 if args.quick else 100_000
    if args.requests is None:
        args.requests = 30 if args.quick else 200

    if args.child:
        print(json.dumps(run_engine(args)))
        return

    engines = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    summary: dict = {"services": args.services, "radius_km": RADIUS_KM, "goal_p95_ms": GOAL_MS}
    for engine in engines:
        cmd = [sys.executable, __file__, "--child", "--db", engine, "--services",
               str(args.services), "--requests", str(args.requests)]
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "0",
               "DJANGO_ENV": "bench",
               "DATABASE_URL": (f"sqlite:///{SQLITE_FILE}" if engine == "sqlite"
                                else f"{PG_SERVER}/{PG_DB}")}
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        last = ""
        for line in proc.stdout:
            if last:
                print(last, end="", flush=True)
            last = line
        if proc.wait() != 0:
            print(last, end="")
            summary[engine] = {"error": f"exit code {proc.returncode}"}
            continue
        summary[engine] = json.loads(last)
    print()
    print_summary(summary)
    print(json.dumps(summary))


def print_summary(summary: dict) -> None:
    print(f"=== Summary: {summary['services']:,} services, thématique + commune + "
          f"{RADIUS_KM} km (goal: p95 <= {GOAL_MS} ms) ===")
    for engine in ("sqlite", "postgres"):
        res = summary.get(engine)
        if res is None:
            continue
        if "error" in res:
            print(f"{engine:9} ERROR {res['error']}")
            continue
        ok = res["p95_ms"] <= GOAL_MS and res["api_p95_ms"] <= GOAL_MS
        print(f"{engine:9} search median {res['median_ms']:.1f} ms, p95 {res['p95_ms']:.1f} ms; "
              f"API median {res['api_median_ms']:.1f} ms, p95 {res['api_p95_ms']:.1f} ms; "
              f"Paris p95 {res['dense_p95_ms']:.1f} ms ({res['dense_mean_results']:,.0f} "
              f"results); {res['mean_results']:.0f} results on average; "
              f"import {res['import_records_per_s']:,.0f} records/s; "
              f"{'OK' if ok else 'ABOVE GOAL'}")


# --------------------------------------------------------------------------- one engine

def run_engine(args) -> dict:
    engine = args.db
    if engine == "postgres":
        recreate_pg_database()
    else:
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(SQLITE_FILE + suffix)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"[{engine}] migrated (communes included) in {time.perf_counter() - t0:.1f} s",
          flush=True)
    t0 = time.perf_counter()
    generate(args.services)
    generate_s = time.perf_counter() - t0
    print(f"[{engine}] generated {args.services:,} services in {generate_s:.1f} s", flush=True)
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("ANALYZE")
            cur.execute("PRAGMA optimize")
        else:
            cur.execute("VACUUM ANALYZE")
    result = measure(engine, args.requests)
    result["generate_s"] = round(generate_s, 1)
    result.update(measure_import(engine))
    return result


def recreate_pg_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DB}")


# --------------------------------------------------------------------------- generation

WORDS = [
    "accompagnement", "personnalisé", "atelier", "collectif", "permanence", "conseil",
    "orientation", "aide", "financière", "mobilité", "logement", "numérique", "emploi",
    "formation", "santé", "famille", "jeunes", "insertion", "démarches", "solidaire", "proximité",
]


def generate(n: int) -> None:
    from data_inclusion.schema.v1 import ModeAccueil, Public, Thematique, TypeService
    from django.db import transaction

    from passeport.directory.indexing import Geocoder, service_derive
    from passeport.directory.models import Commune, Service, Structure

    rng = random.Random(SEED)
    communes = list(Commune.objects.filter(kind="commune", latitude__isnull=False)
                    .values_list("code_insee", "name", "postal_codes", "latitude", "longitude",
                                 "population"))
    weights = [max(c[5], 1) for c in communes]
    thematiques = [t.value for t in Thematique]
    publics = [p.value for p in Public if p.value != "tous-publics"]
    types = [t.value for t in TypeService]
    geocoder = Geocoder()
    today = date.today()
    n_structures = max(1, n // 5)
    with transaction.atomic():
        structures = []
        for i, c in enumerate(rng.choices(communes, weights, k=n_structures)):
            structures.append(Structure(
                source="bench", di_id=f"bench--s{i}", nom=f"Structure {i} de {c[1]}",
                date_maj=today, code_insee=c[0], commune=c[1], code_postal=c[2].split()[0],
                latitude=c[3] + rng.uniform(-0.02, 0.02),
                longitude=c[4] + rng.uniform(-0.02, 0.02)))
        Structure.objects.bulk_create(structures, batch_size=2000)
        structures = list(Structure.objects.filter(source="bench").order_by("pk"))
        batch = []
        for i in range(n):
            structure = structures[i % n_structures]
            chosen = rng.sample(thematiques, rng.randint(1, 3))
            service = Service(
                structure=structure, source="bench", di_id=f"bench--{i}",
                nom=f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} {i}",
                description=" ".join(rng.choices(WORDS, k=30)), date_maj=today,
                type=rng.choice(types), thematiques=sorted(chosen),
                publics=(["tous-publics"] if rng.random() < 0.5
                         else sorted(rng.sample(publics, rng.randint(1, 3)))),
                modes_accueil=sorted(rng.sample([m.value for m in ModeAccueil],
                                                rng.randint(1, 2))),
                code_insee=structure.code_insee, commune=structure.commune,
                code_postal=structure.code_postal, latitude=structure.latitude,
                longitude=structure.longitude)
            service_derive(service, structure, geocoder)
            batch.append(service)
            if len(batch) == 5000:
                Service.objects.bulk_create(batch)
                batch = []
        Service.objects.bulk_create(batch)


# --------------------------------------------------------------------------- measures

def _stats(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return round(statistics.median(samples), 2), round(p95, 2)


def measure(engine: str, n_requests: int) -> dict:
    from data_inclusion.schema.v1 import Categorie
    from django.test import Client

    from passeport.core.actor import Actor
    from passeport.core.enums import OrganisationKind
    from passeport.core.models import Organisation
    from passeport.core.services import api_token_create
    from passeport.directory.models import Commune
    from passeport.directory.selectors import ServiceFilters, services_search

    rng = random.Random(SEED + 1)
    communes = list(Commune.objects.filter(kind="commune", latitude__isnull=False))
    weights = [max(c.population, 1) for c in communes]
    categories = [c.value for c in Categorie]

    def one(commune, thematique) -> tuple[float, int]:
        t0 = time.perf_counter()
        page = services_search(ServiceFilters(thematique=thematique, commune=commune,
                                              radius_km=RADIUS_KM), page_size=20)
        [h.service.structure.nom for h in page.hits]  # the page is read in full
        return (time.perf_counter() - t0) * 1000, page.total

    for _ in range(10):  # warm-up
        one(rng.choices(communes, weights)[0], rng.choice(categories))
    times, totals = [], []
    for _ in range(n_requests):
        ms, total = one(rng.choices(communes, weights)[0], rng.choice(categories))
        times.append(ms)
        totals.append(total)
    median, p95 = _stats(times)

    paris = Commune.objects.get(code_insee="75056")
    dense, dense_totals = [], []
    for _ in range(max(20, n_requests // 4)):
        ms, total = one(paris, rng.choice(categories))
        dense.append(ms)
        dense_totals.append(total)
    _dense_median, dense_p95 = _stats(dense)

    org = Organisation.objects.create(name="Bench", kind=OrganisationKind.ASSOCIATION)
    _token, raw = api_token_create(actor=Actor.system(), organisation=org, name="bench")
    client = Client()
    api_times = []
    for i in range(n_requests + 10):
        commune = rng.choices(communes, weights)[0]
        t0 = time.perf_counter()
        response = client.get("/api/v1/directory/services", {
            "thematique": rng.choice(categories), "commune": commune.code_insee,
            "radius_km": RADIUS_KM}, HTTP_AUTHORIZATION=f"Bearer {raw}")
        ms = (time.perf_counter() - t0) * 1000
        if response.status_code != 200:
            raise SystemExit(f"API answered {response.status_code}: {response.content[:300]}")
        if i >= 10:
            api_times.append(ms)
    api_median, api_p95 = _stats(api_times)
    print(f"[{engine}] search median {median} ms, p95 {p95} ms; API median {api_median} ms, "
          f"p95 {api_p95} ms; Paris p95 {dense_p95} ms", flush=True)
    return {"median_ms": median, "p95_ms": p95, "api_median_ms": api_median,
            "api_p95_ms": api_p95, "dense_p95_ms": dense_p95,
            "mean_results": round(statistics.mean(totals), 1),
            "dense_mean_results": round(statistics.mean(dense_totals), 1),
            "requests": n_requests}


def measure_import(engine: str) -> dict:
    from passeport.core.actor import Actor
    from passeport.core.enums import OrganisationKind
    from passeport.core.models import Organisation
    from passeport.core.services import api_token_create
    from passeport.directory.services import directory_import

    org = Organisation.objects.create(name="Bench import", kind=OrganisationKind.ASSOCIATION)
    token, _raw = api_token_create(actor=Actor.system(), organisation=org, name="import")
    structures = [{"source": "bench-import", "id": f"bi--s{i}", "nom": f"Structure importée {i}",
                   "date_maj": "2025-01-01", "code_insee": "29019", "commune": "Brest",
                   "code_postal": "29200"} for i in range(400)]
    services = [{"source": "bench-import", "structure_id": f"bi--s{i % 400}", "id": f"bi--{i}",
                 "nom": f"Service importé {i}", "description": "Un service importé du banc.",
                 "date_maj": "2025-01-01", "thematiques": ["mobilite--preparer-un-permis"],
                 "publics": ["jeunes"], "modes_accueil": ["en-presentiel"]}
                for i in range(1600)]
    content = json.dumps({"structures": structures, "services": services}).encode()
    t0 = time.perf_counter()
    report = directory_import(actor=Actor(api_token=token, channel="api"), content=content,
                              filename="bench.json")
    seconds = time.perf_counter() - t0
    assert report.services.created == 1600 and report.skipped == 0, report.as_dict()
    print(f"[{engine}] imported 2,000 records in {seconds:.2f} s", flush=True)
    return {"import_records_per_s": round(2000 / seconds)}


if __name__ == "__main__":
    main()
