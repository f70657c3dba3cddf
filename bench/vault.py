"""Benchmark of the digital safe: encrypted upload and download throughput against a
plain file copy on the same disk, and peak memory.

    .venv/bin/python bench/vault.py            # 1 MB and 200 MB files
    .venv/bin/python bench/vault.py --quick    # 1 MB and 32 MB files (< 30 s)

In a dedicated SQLite database (/tmp/bench_vault.sqlite3) and vault directory
(/tmp/bench_vault/), for each size:

- plain copy: read the source file in 64 KiB chunks, write the copy, fsync;
- encrypted upload: the pipeline of an upload (`seal_stream`: type check, SHA-256,
  AES-256-GCM in 64 KiB segments, write to a temporary file, fsync) then
  `document_deposit` (rows, log entry, rename into place, fsync of the directory);
- encrypted download: `version_open` (a first pass decrypts and checks the whole file
  before anything is sent; up to 4 MiB, that pass's plaintext is what is sent, beyond,
  a second checked pass streams it) then the plaintext written to a file and fsynced,
  as a client would save it;
- peak memory: the process's resident set high-water mark during the operation (reset
  before it through /proc/self/clear_refs), above the resident set before it; and, in
  one more untimed run under tracemalloc, the peak of Python allocations.

Figures are the median of several runs (MB = 10^6 bytes). Goal (issue 4): at least
0.5× the plain copy's throughput, and a peak memory independent of the file size.
It prints a summary and, as the very last line, one JSON object.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = Path("/tmp/bench_vault")  # noqa: S108 - a throwaway benchmark directory
DB_FILE = "/tmp/bench_vault.sqlite3"  # noqa: S108
CHUNK = 64 * 1024
MB = 1_000_000


def setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{DB_FILE}"
    os.environ["PASSEPORT_VAULT_DIR"] = str(WORK / "vault")
    os.environ["PASSEPORT_VAULT_STORAGE"] = "filesystem"
    os.environ["PASSEPORT_VAULT_CLAMD"] = ""
    os.environ.setdefault("PASSEPORT_VAULT_MASTER_KEY", "bench-master-key-" + "b" * 40)
    os.environ["LOG_LEVEL"] = "ERROR"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def rss_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


class PeakMemory:
    """Resident set high-water mark above the resident set at the start (MiB)."""

    def __enter__(self):
        try:
            Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to VmRSS
            self.supported = True
        except OSError:
            self.supported = False
        self.start = rss_kib("VmRSS")
        return self

    def __exit__(self, *exc):
        self.peak_mib = (rss_kib("VmHWM") - self.start) / 1024 if self.supported else float("nan")


def make_file(path: Path, size: int) -> None:
    with open(path, "wb") as out:
        out.write(b"%PDF-1.7\n")
        left = size - 9
        while left > 0:
            n = min(left, 4 * 1024 * 1024)
            out.write(os.urandom(n))
            left -= n


def plain_copy(src: Path, dst: Path) -> None:
    with open(src, "rb") as reader, open(dst, "wb") as writer:
        while chunk := reader.read(CHUNK):
            writer.write(chunk)
        writer.flush()
        os.fsync(writer.fileno())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 MB and 32 MB files")
    args = parser.parse_args()

    shutil.rmtree(WORK, ignore_errors=True)
    Path(DB_FILE).unlink(missing_ok=True)
    (WORK / "vault").mkdir(parents=True)
    setup_django()

    from passeport.core.actor import Actor
    from passeport.people.models import Person
    from passeport.vault import selectors, services
    from passeport.vault.sealing import seal_stream
    from passeport.vault.storage import get_storage

    person = Person.objects.create(first_name="Bench", last_name="Vault", birth_date="1990-01-01")
    safe = selectors.Safe(person=person, actor=Actor.system(), owner=True)
    storage = get_storage()

    def upload(src: Path, size: int, label: str):
        with open(src, "rb") as reader:
            sealed = seal_stream(reader, max_size=size + 1, client_name="bench.pdf")
            return services.document_deposit(safe=safe, upload=sealed, category="autre",
                                             title=f"bench {label}")

    def download(deposit, out: Path) -> None:
        opened = services.version_open(safe=safe, document=deposit.document,
                                       version=deposit.version)
        with open(out, "wb") as writer:
            for chunk in opened.chunks:
                writer.write(chunk)
            writer.flush()
            os.fsync(writer.fileno())

    def forget(deposit) -> None:
        blob = deposit.version.blob_name
        deposit.document.delete()
        storage.delete(blob)

    sizes = [("1mb", 1 * MB, 15), ("32mb" if args.quick else "200mb",
                                   (32 if args.quick else 200) * MB, 3)]
    figures: dict = {"quick": args.quick, "segment_kib": 64, "goal_ratio": 0.5}
    for label, size, runs in sizes:
        src = WORK / f"source-{label}.pdf"
        out = WORK / f"download-{label}.pdf"
        make_file(src, size)
        plain, up, down, up_ms = [], [], [], []
        peaks_up, peaks_down = [], []
        for run in range(runs + 1):  # the first run warms the caches and is not counted
            dst = WORK / f"copy-{label}.pdf"
            t0 = time.perf_counter()
            plain_copy(src, dst)
            t_plain = time.perf_counter() - t0
            dst.unlink()
            with PeakMemory() as mem_up:
                t0 = time.perf_counter()
                deposit = upload(src, size, label)
                t_up = time.perf_counter() - t0
            with PeakMemory() as mem_down:
                t0 = time.perf_counter()
                download(deposit, out)
                t_down = time.perf_counter() - t0
            assert out.stat().st_size == size
            out.unlink()
            forget(deposit)
            if run:
                plain.append(size / t_plain / MB)
                up.append(size / t_up / MB)
                up_ms.append(t_up * 1000)
                down.append(size / t_down / MB)
                peaks_up.append(mem_up.peak_mib)
                peaks_down.append(mem_down.peak_mib)
        # One more run, untimed, under tracemalloc: the peak of Python allocations.
        tracemalloc.start()
        tracemalloc.reset_peak()
        deposit = upload(src, size, label)
        py_up = tracemalloc.get_traced_memory()[1] / 1024
        tracemalloc.reset_peak()
        download(deposit, out)
        py_down = tracemalloc.get_traced_memory()[1] / 1024
        tracemalloc.stop()
        out.unlink()
        forget(deposit)
        src.unlink()
        p, u, d = (statistics.median(x) for x in (plain, up, down))
        figures.update({
            f"plain_copy_{label}_mb_per_s": round(p, 1),
            f"upload_{label}_mb_per_s": round(u, 1),
            f"download_{label}_mb_per_s": round(d, 1),
            f"upload_ratio_{label}": round(u / p, 3),
            f"download_ratio_{label}": round(d / p, 3),
            f"upload_{label}_ms": round(statistics.median(up_ms), 1),
            f"peak_memory_upload_{label}_mib": round(max(peaks_up), 1),
            f"peak_memory_download_{label}_mib": round(max(peaks_down), 1),
            f"peak_python_alloc_upload_{label}_kib": round(py_up),
            f"peak_python_alloc_download_{label}_kib": round(py_down),
        })
        print(f"{label:>6}: plain copy {p:8.1f} MB/s | upload {u:8.1f} MB/s ({u / p:.2f}×) "
              f"| download {d:8.1f} MB/s ({d / p:.2f}×) | peak RSS growth upload "
              f"{max(peaks_up):.1f} MiB, download {max(peaks_down):.1f} MiB | peak Python "
              f"allocations upload {py_up:.0f} KiB, download {py_down:.0f} KiB", flush=True)
    small, large = sizes[0][0], sizes[1][0]
    def peak(label):
        return (max(figures[f"peak_memory_upload_{label}_mib"],
                    figures[f"peak_memory_download_{label}_mib"]),
                max(figures[f"peak_python_alloc_upload_{label}_kib"],
                    figures[f"peak_python_alloc_download_{label}_kib"]))

    (rss_small, py_small), (rss_large, py_large) = peak(small), peak(large)
    # Bounded by a constant, not by the size: the SHA-256 queue (8 chunks of 256 KiB),
    # one chunk being read and one segment being sealed — about 3 MiB.
    figures["peak_memory_independent_of_size"] = (rss_large <= rss_small + 4
                                                  and py_large <= max(py_small, 4096))
    figures["goal_met"] = (figures["peak_memory_independent_of_size"] and all(
        figures[f"{d}_ratio_{label}"] >= 0.5 for d in ("upload", "download")
        for label in (small, large)))
    shutil.rmtree(WORK, ignore_errors=True)
    Path(DB_FILE).unlink(missing_ok=True)
    print(json.dumps(figures))


if __name__ == "__main__":
    io.DEFAULT_BUFFER_SIZE = CHUNK
    main()
