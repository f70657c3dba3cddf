"""Benchmark of Open Badges 3.0 issuance and verification.

    .venv/bin/python bench/badges.py            # 1,000 credentials
    .venv/bin/python bench/badges.py --quick    # 200 credentials (< 30 s)

A throwaway SQLite database is migrated, one organisation, one badge class and one
person with the "skills" consent are created; then N badges are awarded through the real
service (`badge_award`: status-list index, credential, RDFC-1.0 canonicalisation of the
document and of the proof options with pyld, Ed25519 signature, schema validation, rows
and audit event) and the N credentials are verified through the real selector
(`credential_verify`: schema, canonicalisation, signature, issuer key from the database,
dates, status list). Halfway through issuance the issuer's keys are rotated (not timed),
so half the credentials verify with a retired key and half with the current one.
Goals: issuance <= 50 ms, verification <= 20 ms per credential.
Wall times (mean, p95) depend on the machine's load; the CPU time per credential and the
load average are printed too.

The very last line printed is one JSON object of figures (milliseconds per credential).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB = "/tmp/bench_badges.sqlite3"  # noqa: S108 - a throwaway benchmark database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("-n", type=int, default=None)
    args = parser.parse_args()
    n = args.n or (200 if args.quick else 1_000)

    if os.path.exists(DB):
        os.remove(DB)
    os.environ["DATABASE_URL"] = f"sqlite:///{DB}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from passeport.core.actor import Actor
    from passeport.core.enums import Role
    from passeport.core.models import Membership, Organisation, User
    from passeport.people.enums import ConsentScope
    from passeport.people.models import Consent, Person
    from passeport.skills.selectors import credential_verify
    from passeport.skills.services import badge_award, badge_class_create, issuer_key_rotate

    org = Organisation.objects.create(name="Bench ACI", siret="73282932000074")
    user = User.objects.create_user(email="bench@example.org", password="x")  # noqa: S106
    member = Membership.objects.create(user=user, organisation=org, role=Role.REFERENT)
    actor = Actor(user=user, membership=member)
    person = Person.objects.create(first_name="Anne", last_name="Bench", email="anne@example.org",
                                   birth_date="1990-01-01")
    Consent.objects.create(person=person, organisation=org, scope=ConsentScope.SKILLS,
                           purpose="bench", method="written", valid_from="2020-01-01")
    badge = badge_class_create(
        actor=actor, name="Travail en équipe", description="Travailler avec d'autres.",
        criteria="Observé sur un chantier.",
        alignments=[{"framework": "ROME 4.0", "code": "F1702", "name": "Construction"}])

    issue, verify = [], []
    awards = []
    cpu = time.process_time()
    for i in range(n):
        if i == n // 2:  # outside the timings: half the credentials with each key
            issuer_key_rotate(actor=Actor.system(), organisation=org, reason="bench")
        t = time.perf_counter()
        awards.append(badge_award(actor=actor, badge_class_uid=badge.uid,
                                  person_public_id=person.public_id, evidence="Observé."))
        issue.append((time.perf_counter() - t) * 1000)
    issue_cpu = (time.process_time() - cpu) * 1000 / n  # includes the one rotation
    cpu = time.process_time()
    for award in awards:
        t = time.perf_counter()
        result = credential_verify(award.credential)
        verify.append((time.perf_counter() - t) * 1000)
        assert result.valid, result.as_dict()
    verify_cpu = (time.process_time() - cpu) * 1000 / n

    figures = {
        "credentials": n,
        "issue_ms": round(statistics.mean(issue), 2),
        "issue_p95_ms": round(sorted(issue)[int(n * 0.95) - 1], 2),
        "verify_ms": round(statistics.mean(verify), 2),
        "verify_p95_ms": round(sorted(verify)[int(n * 0.95) - 1], 2),
        # CPU time of this process per credential: what the machine's load cannot inflate.
        "issue_cpu_ms": round(issue_cpu, 2), "verify_cpu_ms": round(verify_cpu, 2),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "goal_issue_ms": 50, "goal_verify_ms": 20,
    }
    print(f"Issued and verified {n} OpenBadgeCredentials (eddsa-rdfc-2022, SQLite).")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
