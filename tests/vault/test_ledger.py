"""The hash-chained log: every event appends an entry; editing, deleting or
reordering rows is detected by `manage.py vault_verify_log`."""

import pytest
from django.core.management import CommandError, call_command

from passeport.vault import ledger
from passeport.vault.models import LogEntry, LogHead

from .conftest import deposit, pdf, share

pytestmark = pytest.mark.django_db


def verify(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("vault_verify_log", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def chain(own_safe, org):
    for i in range(4):
        document = deposit(own_safe, pdf(), title=f"Papier {i}").document
    share(own_safe, org, document=document)
    assert LogEntry.objects.count() == 5
    return LogEntry.objects.order_by("seq")


def test_entries_are_chained_and_the_chain_verifies(chain):
    entries = list(chain)
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == ledger.GENESIS
    assert all(b.prev_hash == a.entry_hash for a, b in zip(entries, entries[1:], strict=False))
    assert entries[0].action == "deposit" and len(entries[0].sha256) == 64
    assert entries[0].at.tzinfo is not None
    out = verify()
    assert "chain OK" in out and f"head: 5:{entries[-1].entry_hash}" in out


@pytest.mark.parametrize("change", [
    {"action": "view"},
    {"sha256": "0" * 64},
    {"organisation_name": "Quelqu'un d'autre"},
    {"detail": {"category": "sante"}},
])
def test_an_edited_row_is_detected(chain, change):
    LogEntry.objects.filter(seq=3).update(**change)
    with pytest.raises(CommandError):
        verify()
    report = ledger.verify()
    assert report.problems[0].startswith("#3: its content was edited")


def test_an_edited_row_with_a_recomputed_hash_breaks_the_next_link(chain):
    entry = LogEntry.objects.get(seq=2)
    entry.action = "view"
    entry.entry_hash = ledger.entry_hash(entry)
    entry.save()
    report = ledger.verify()
    assert not report.ok and report.problems[0].startswith("#3: does not follow")


def test_a_deleted_row_is_detected(chain):
    LogEntry.objects.filter(seq=2).delete()
    report = ledger.verify()
    assert not report.ok and "#3: expected #2" in report.problems[0]


def test_deleting_the_last_rows_is_detected_by_the_head(chain):
    LogEntry.objects.filter(seq__gte=4).delete()
    report = ledger.verify()
    assert not report.ok and "the head says #5" in report.problems[-1]


def test_a_rewritten_tail_is_detected_with_an_anchor(chain):
    anchor = f"4:{LogEntry.objects.get(seq=4).entry_hash}"
    # An attacker deletes the tail and rewrites the head consistently…
    LogEntry.objects.filter(seq__gte=4).delete()
    third = LogEntry.objects.get(seq=3)
    LogHead.objects.filter(pk=1).update(seq=3, entry_hash=third.entry_hash)
    assert "chain OK" in verify()
    # …which the head recorded elsewhere reveals.
    with pytest.raises(CommandError):
        verify("--anchor", anchor)
