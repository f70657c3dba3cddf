"""`manage.py vault_check` finds content mismatches, orphan blobs and rows without
blobs; a flipped byte makes the download fail with an integrity error; `vault_recover`
removes what interrupted uploads left."""

import contextlib
import datetime as dt
import io
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from passeport.vault import selectors, services
from passeport.vault.models import LogEntry, PendingBlob
from passeport.vault.sealing import Sealer
from passeport.vault.storage import get_storage

from .conftest import deposit, pdf, vault_files

pytestmark = pytest.mark.django_db


def check(*args) -> dict:
    out = StringIO()
    with contextlib.suppress(CommandError):
        call_command("vault_check", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def flip_byte(name: str, offset: int) -> None:
    path = Path(get_storage().path(name))
    raw = bytearray(path.read_bytes())
    raw[offset] ^= 0x01
    path.write_bytes(bytes(raw))


def test_a_sound_safe_passes(own_safe):
    for _ in range(3):
        deposit(own_safe, pdf(100_000))
    report = check()
    assert report["ok"] and report["checked"] == 3
    assert report["orphans"] == report["missing"] == report["mismatches"] == []


def test_a_flipped_byte_fails_integrity_and_releases_nothing(own_safe):
    result = deposit(own_safe, pdf(200_000))
    flip_byte(result.version.blob_name, 150_000)
    document = selectors.document_get_for(own_safe, result.document.uid)
    with pytest.raises(services.DocumentDamaged) as exc:
        services.version_open(safe=own_safe, document=document, version=result.version)
    assert exc.value.code == "integrity_error" and exc.value.status == 500
    assert LogEntry.objects.filter(action="integrity_failure").count() == 1
    assert not LogEntry.objects.filter(action="download").exists()
    report = check()
    assert not report["ok"]
    assert report["mismatches"] == [f"{result.version.uid}: integrity: Segment 2 does not "
                                    "authenticate."]
    assert check("--quick")["ok"]  # the quick check only looks for the blobs


def test_orphans_and_rows_without_blob_are_reported(own_safe):
    kept = deposit(own_safe, pdf())
    lost = deposit(own_safe, pdf())
    Path(get_storage().path(lost.version.blob_name)).unlink()
    writer = get_storage().open_writer("ab" * 16)
    writer.write(b"stray")
    writer.commit()
    report = check()
    assert report["missing"] == [str(lost.version.uid)]
    assert report["orphans"] == ["ab" * 16]
    assert report["checked"] == 2 and not report["ok"]
    assert kept.version.blob_name not in report["orphans"]
    call_command("vault_recover", "--orphans", "--older-than-minutes", "0", stdout=StringIO())
    assert check()["orphans"] == []


def test_recovery_removes_interrupted_uploads_but_not_running_ones(settings, own_safe):
    # An upload interrupted after its blob became visible, and one before.
    committed = Sealer()
    committed.write(pdf(5000))
    sealed = committed.close()
    sealed.writer.commit()
    half = Sealer()
    half.write(pdf(5000))
    report = check()
    assert report["ok"]  # journaled: not orphans
    assert report["interrupted"] == sorted([sealed.blob_name, half.upload.blob_name])
    assert report["leftovers"] == [half.upload.blob_name]
    # Too young: an upload may still be running.
    services.vault_recover(older_than=dt.timedelta(hours=1))
    assert PendingBlob.objects.count() == 2
    recovered = services.vault_recover(older_than=dt.timedelta(0))
    assert recovered.pending_removed == 2
    assert vault_files(settings) == [] and not PendingBlob.objects.exists()
    report = check()
    assert report["ok"] and report["interrupted"] == report["leftovers"] == []


def test_stray_temporary_files_are_removed(settings, own_safe):
    sealer = Sealer()
    sealer.write(pdf(5000))
    PendingBlob.objects.all().delete()  # e.g. the journal row was lost with a restore
    assert len(vault_files(settings)) == 1
    services.vault_recover(older_than=dt.timedelta(0))
    assert vault_files(settings) == []
    deposit(own_safe, pdf())  # the storage still works
    assert check()["ok"]


def test_a_wrapped_key_moved_to_another_row_does_not_unwrap(own_safe):
    a = deposit(own_safe, pdf()).version
    b = deposit(own_safe, pdf()).version
    type(b).objects.filter(pk=b.pk).update(wrapped_key=a.wrapped_key, blob_name="f" * 32)
    type(a).objects.filter(pk=a.pk).update(blob_name=b.blob_name)
    type(b).objects.filter(pk=b.pk).update(blob_name=a.blob_name)
    report = check()
    assert len(report["mismatches"]) == 2


def test_reading_a_stream_in_one_go(own_safe):
    content = pdf(70_000)
    result = deposit(own_safe, content)
    data = io.BytesIO()
    for chunk in services._plaintext(result.version, services._data_key(result.version)):
        data.write(chunk)
    assert data.getvalue() == content


@pytest.mark.parametrize("size, whole", [(200_000, True), (5 * 1024 * 1024, False)])
def test_a_file_altered_after_the_check_never_releases_an_unchecked_byte(settings, own_safe,
                                                                        size, whole):
    """A small file is sent from the pass that checked it (decrypted once); a large one
    is streamed again, and a byte flipped meanwhile ends the stream before that segment."""
    from passeport.vault.streaming import VaultIntegrityError

    settings.PASSEPORT_VAULT_MAX_UPLOAD_MB = 8
    content = pdf(size)
    result = deposit(own_safe, content)
    document = selectors.document_get_for(own_safe, result.document.uid)
    opened = services.version_open(safe=own_safe, document=document, version=result.version)
    flip_byte(result.version.blob_name, size - 1000)
    received = bytearray()
    if whole:
        for chunk in opened.chunks:
            received += chunk
        assert bytes(received) == content
    else:
        with pytest.raises(VaultIntegrityError):
            for chunk in opened.chunks:
                received += chunk
        assert len(received) < size and content.startswith(bytes(received))
