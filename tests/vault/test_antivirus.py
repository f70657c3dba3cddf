"""The antivirus hook rejects the EICAR test file. With ClamAV's daemon installed
(Debian's clamav-daemon), a real clamd runs for these tests, with a signature database
made here (the official one is downloaded by freshclam, which needs the network); without
it, a small stand-in speaking clamd's INSTREAM protocol checks the hook's contract."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import struct
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
from django.urls import reverse

from passeport.vault.models import Document, DocumentVersion, PendingBlob

from .conftest import deposit, pdf, vault_files

EICAR = (b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*")
EICAR_IN_A_PDF = b"%PDF-1.4\n" + EICAR + b"\n%%EOF\n"


def _fake_clamd(path: str) -> threading.Thread:
    """clamd's INSTREAM protocol: answers FOUND when the stream contains EICAR."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(8)

    def serve_one(conn):
        with conn:
            command = b""
            while not command.endswith(b"\0"):
                command += conn.recv(1)
            assert command == b"zINSTREAM\0"
            data = b""
            while True:
                size = struct.unpack("!L", _recv(conn, 4))[0]
                if size == 0:
                    break
                data += _recv(conn, size)
            verdict = b"stream: Eicar-Test-Signature FOUND\0" if EICAR in data else b"stream: OK\0"
            conn.sendall(verdict)

    def loop():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with contextlib.suppress(OSError, AssertionError):  # the client gave up
                serve_one(conn)

    thread = threading.Thread(target=loop, daemon=True)
    thread.server = server
    thread.start()
    return thread


def _recv(conn, size):
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise ConnectionError
        data += chunk
    return data


@pytest.fixture(scope="module")
def clamd():
    """(address, kind): a real clamd when installed, else the protocol stand-in."""
    workdir = Path(tempfile.mkdtemp(prefix="passeport-clamd-"))
    sock = str(workdir / "clamd.sock")
    binary = shutil.which("clamd") or (os.path.exists("/usr/sbin/clamd") and "/usr/sbin/clamd")
    if os.environ.get("PASSEPORT_TEST_FAKE_CLAMD"):  # to check the stand-in itself
        binary = None
    if binary:
        (workdir / "db").mkdir()
        (workdir / "db" / "eicar.ndb").write_text(f"Passeport.Test.EICAR:0:*:{EICAR.hex()}\n")
        (workdir / "clamd.conf").write_text(
            f"LocalSocket {sock}\nDatabaseDirectory {workdir / 'db'}\nForeground yes\n"
            f"LogFile {workdir / 'clamd.log'}\nTemporaryDirectory {workdir}\n"
            "StreamMaxLength 30M\n")
        process = subprocess.Popen([binary, "-c", str(workdir / "clamd.conf")],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while not os.path.exists(sock):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("clamd did not start: " + (workdir / "clamd.log").read_text())
            time.sleep(0.1)
        yield sock, "clamd"
        process.terminate()
        process.wait(10)
    else:
        thread = _fake_clamd(sock)
        yield sock, "stand-in"
        thread.server.close()
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.mark.django_db
def test_eicar_is_rejected_and_nothing_is_kept(settings, clamd, own_safe):
    settings.PASSEPORT_VAULT_CLAMD = clamd[0]
    from passeport.core.errors import PasseportError

    with pytest.raises(PasseportError) as exc:
        deposit(own_safe, EICAR_IN_A_PDF)  # passes the type check: the antivirus decides
    assert exc.value.code == "malware_detected"
    with pytest.raises(PasseportError) as exc:
        deposit(own_safe, EICAR)  # the bare test file is not an allowed type anyway
    assert exc.value.code == "file_type_not_allowed"
    assert vault_files(settings) == [] and not PendingBlob.objects.exists()
    clean = deposit(own_safe, pdf(300_000))  # several INSTREAM chunks
    assert clean.version.scan_status == "clean"
    assert Document.objects.count() == 1


@pytest.mark.django_db
def test_eicar_uploaded_through_the_page_gets_the_message(settings, clamd, person_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.PASSEPORT_VAULT_CLAMD = clamd[0]
    response = person_client.post(reverse("vault:me_document_add"), {
        "file": SimpleUploadedFile("facture.pdf", EICAR_IN_A_PDF, "application/pdf"),
        "category": "ressources", "title": "Facture"})
    assert response.status_code == 200
    assert "Ce fichier contient un virus" in response.content.decode()
    assert not Document.objects.exists() and vault_files(settings) == []


@pytest.mark.django_db
def test_an_unreachable_antivirus_refuses_the_upload(settings, own_safe, tmp_path):
    settings.PASSEPORT_VAULT_CLAMD = str(tmp_path / "no-such-clamd.sock")
    from passeport.core.errors import PasseportError

    with pytest.raises(PasseportError) as exc:
        deposit(own_safe, pdf())
    assert exc.value.code == "antivirus_unavailable" and exc.value.status == 503
    assert not DocumentVersion.objects.exists() and vault_files(settings) == []
