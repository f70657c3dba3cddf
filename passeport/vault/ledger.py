"""The safe's hash-chained, append-only log.

entry_hash = SHA-256 of the canonical JSON of the entry's fields, including `seq` and
`prev_hash` (the previous entry's hash; 64 zeros for the first). Appends lock the single
`LogHead` row, so entries are chained one at a time even with several workers. The
verification walks the chain in `seq` order and checks the head: an edited field, a
deleted or inserted row, or a reordering is reported at the first broken entry. Deleting
the last entries AND rewriting the head is what an attacker with write access to the
database could still do; `vault_verify_log --anchor SEQ:HASH` checks the chain against
a head recorded elsewhere (e.g. in the operator's logs) to detect it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from passeport.core.actor import Actor

from .models import LogEntry, LogHead

GENESIS = "0" * 64


def _canonical(entry: LogEntry) -> bytes:
    at = entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    data = {
        "seq": entry.seq,
        "at": at,
        "action": entry.action,
        "person_uid": entry.person_uid,
        "document_uid": entry.document_uid,
        "version": entry.version,
        "sha256": entry.sha256,
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "organisation_id": entry.organisation_id,
        "organisation_name": entry.organisation_name,
        "channel": entry.channel,
        "detail": entry.detail,
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(entry: LogEntry) -> str:
    return hashlib.sha256(_canonical(entry)).hexdigest()


@transaction.atomic
def append(actor: Actor, *, action: str, person_uid: str, document_uid: str = "",
           version: int | None = None, sha256: str = "", detail: dict | None = None) -> LogEntry:
    LogHead.objects.get_or_create(pk=1)
    head = LogHead.objects.select_for_update().get(pk=1)
    organisation = actor.organisation
    entry = LogEntry(
        seq=head.seq + 1,
        at=timezone.now(),
        action=action,
        person_uid=person_uid,
        document_uid=str(document_uid or ""),
        version=version,
        sha256=sha256,
        actor_id=actor.user.pk if actor.user is not None else None,
        actor_label=actor.label[:200],
        organisation_id=organisation.pk if organisation else None,
        organisation_name=(organisation.name if organisation else "")[:200],
        channel=actor.channel,
        detail=detail or {},
        prev_hash=head.entry_hash,
    )
    entry.entry_hash = entry_hash(entry)
    entry.save()
    head.seq, head.entry_hash = entry.seq, entry.entry_hash
    head.save(update_fields=["seq", "entry_hash"])
    return entry


@dataclass
class ChainReport:
    checked: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(*, anchor: tuple[int, str] | None = None, limit_problems: int = 20) -> ChainReport:
    report = ChainReport()
    expected_prev = GENESIS
    expected_seq = 1
    anchor_seen = anchor is None

    def problem(text: str) -> None:
        if len(report.problems) < limit_problems:
            report.problems.append(text)

    for entry in LogEntry.objects.order_by("seq").iterator(chunk_size=2000):
        report.checked += 1
        if entry.seq != expected_seq:
            problem(f"#{entry.seq}: expected #{expected_seq} (an entry was deleted or inserted)")
        if entry.prev_hash != expected_prev:
            problem(f"#{entry.seq}: does not follow the previous entry (deleted, inserted "
                    "or reordered entry)")
        if entry_hash(entry) != entry.entry_hash:
            problem(f"#{entry.seq}: its content was edited")
        if anchor is not None and entry.seq == anchor[0]:
            anchor_seen = entry.entry_hash == anchor[1]
        expected_prev = entry.entry_hash
        expected_seq = entry.seq + 1
    report.head_seq = expected_seq - 1
    report.head_hash = expected_prev
    head = LogHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.entry_hash) if head else (0, GENESIS)
    if (head_seq, head_hash) != (report.head_seq, report.head_hash):
        problem(f"the chain ends at #{report.head_seq} but the head says #{head_seq} "
                "(last entries deleted, or entries added outside the log)")
    if not anchor_seen:
        problem(f"anchor #{anchor[0]} not found with the recorded hash (history rewritten)")
    return report
