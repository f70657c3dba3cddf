"""Export of all a person's documents with a manifest, and a re-import that verifies
every file against it."""

import datetime as dt
import io
import json
import zipfile

import pytest
from django.utils import timezone

from passeport.vault import services
from passeport.vault.models import Document, DocumentVersion, LogEntry, PendingBlob
from passeport.vault.sealing import seal_stream

from .conftest import deposit, jpeg, pdf, vault_files

pytestmark = pytest.mark.django_db


def export(safe) -> bytes:
    return b"".join(services.export_archive(safe=safe))


@pytest.fixture
def papers(own_safe):
    a = deposit(own_safe, pdf(90_000), title="Carte vitale", category="sante",
                # (not .replace(year=...+3), which raises on 29 February)
                expires_on=timezone.localdate() + dt.timedelta(days=3 * 365))
    services.document_add_version(safe=own_safe, document=a.document,
                                  upload=seal_stream(io.BytesIO(jpeg(40_000))))
    b = deposit(own_safe, pdf(10_000), title="Attestation Pôle emploi", category="ressources")
    return a, b


def test_round_trip_verifies_and_restores_everything(settings, own_safe, papers):
    originals = {v.sha256 for v in DocumentVersion.objects.all()}
    archive = export(own_safe)
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        manifest = json.loads(z.read("manifest.json"))
        assert manifest["format"] == "passeport-vault-export"
        assert {d["title"] for d in manifest["documents"]} == {"Carte vitale",
                                                               "Attestation Pôle emploi"}
        files = [v["file"] for d in manifest["documents"] for v in d["versions"]]
        assert len(files) == 3 and all(z.getinfo(f).file_size > 0 for f in files)
    assert LogEntry.objects.filter(action="export").count() == 2
    Document.objects.all().delete()
    result = services.import_archive(safe=own_safe, archive_file=io.BytesIO(archive))
    assert len(result.created) == 2
    assert {v.sha256 for v in DocumentVersion.objects.all()} == originals
    vitale = Document.objects.get(title="Carte vitale")
    assert vitale.category == "sante" and vitale.expires_on is not None
    assert list(vitale.versions.values_list("number", "content_type")) == [
        (2, "image/jpeg"), (1, "application/pdf")]
    # Importing the same archive again adds nothing.
    again = services.import_archive(safe=own_safe, archive_file=io.BytesIO(archive))
    assert not again.created and len(again.already_there) == 2
    assert Document.objects.count() == 2 and not PendingBlob.objects.exists()
    assert len(vault_files(settings)) == 3 + 3  # the exported originals + the re-imported


def _rewrite(archive: bytes, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(archive))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info.filename, change(info.filename, data))
    return out.getvalue()


def _flip_last_byte(name, data):
    if name.endswith(".pdf"):
        return data[:-1] + bytes([data[-1] ^ 1])
    return data


def _lie_in_manifest(name, data):
    if name == "manifest.json":
        manifest = json.loads(data)
        manifest["documents"][0]["versions"][0]["sha256"] = "0" * 64
        return json.dumps(manifest).encode()
    return data


@pytest.mark.parametrize("change", [_flip_last_byte, _lie_in_manifest])
def test_a_modified_archive_is_rejected_and_nothing_is_stored(settings, own_safe, papers, change):
    archive = _rewrite(export(own_safe), change)
    Document.objects.all().delete()
    before = {p.name for p in vault_files(settings)}
    with pytest.raises(services.ImportRejected) as exc:
        services.import_archive(safe=own_safe, archive_file=io.BytesIO(archive))
    assert "SHA-256" in exc.value.message
    assert not Document.objects.exists() and not PendingBlob.objects.exists()
    assert {p.name for p in vault_files(settings)} == before


def test_not_an_archive(own_safe):
    with pytest.raises(services.ImportRejected):
        services.import_archive(safe=own_safe, archive_file=io.BytesIO(b"%PDF-1.4 nope"))
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as z:
        z.writestr("photo.jpg", jpeg())
    with pytest.raises(services.ImportRejected):
        services.import_archive(safe=own_safe, archive_file=io.BytesIO(plain.getvalue()))
    odd = io.BytesIO()
    with zipfile.ZipFile(odd, "w") as z:
        z.writestr("manifest.json", json.dumps({"format": "passeport-vault-export",
                                                "version": 1, "documents": ["x", 1]}))
    with pytest.raises(services.ImportRejected):
        services.import_archive(safe=own_safe, archive_file=io.BytesIO(odd.getvalue()))


def test_a_damaged_file_is_left_out_of_the_export_and_listed(own_safe, papers):
    from pathlib import Path

    from passeport.vault.storage import get_storage

    damaged = papers[1].version
    path = Path(get_storage().path(damaged.blob_name))
    raw = bytearray(path.read_bytes())
    raw[100] ^= 1
    path.write_bytes(bytes(raw))
    with zipfile.ZipFile(io.BytesIO(export(own_safe))) as z:
        manifest = json.loads(z.read("manifest.json"))
        names = z.namelist()
    assert manifest["not_exported"] == [{"uid": str(papers[1].document.uid), "version": 1,
                                         "reason": "integrity_error"}]
    assert not any(str(papers[1].document.uid) in n for n in names)
