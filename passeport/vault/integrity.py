"""The integrity check of the whole safe (`manage.py vault_check`): every recorded file
is decrypted and compared with the SHA-256 stored at deposit; blobs that no row
references (orphans), rows whose blob is missing, and uploads interrupted by a crash
(journaled in PendingBlob, removed by `vault_recover`) are reported."""

from __future__ import annotations

from dataclasses import dataclass, field

from .models import DocumentVersion, PendingBlob
from .services import verify_version
from .storage import get_storage


@dataclass
class IntegrityReport:
    checked: int = 0
    mismatches: list[str] = field(default_factory=list)  # "<version uid>: problem"
    missing: list[str] = field(default_factory=list)  # version uids whose blob is missing
    orphans: list[str] = field(default_factory=list)  # blob names without row nor journal
    interrupted: list[str] = field(default_factory=list)  # journaled, not recorded
    leftovers: list[str] = field(default_factory=list)  # temporary files / multipart uploads

    @property
    def ok(self) -> bool:
        return not (self.mismatches or self.missing or self.orphans)

    def as_dict(self) -> dict:
        return {"checked": self.checked, "mismatches": self.mismatches, "missing": self.missing,
                "orphans": self.orphans, "interrupted": self.interrupted,
                "leftovers": self.leftovers, "ok": self.ok}


def integrity_check(*, deep: bool = True) -> IntegrityReport:
    """`deep`: decrypt every file (checks every tag and the SHA-256); otherwise only
    check that each blob exists."""
    storage = get_storage()
    report = IntegrityReport()
    stored = set(storage.names())
    journaled = set(PendingBlob.objects.values_list("name", flat=True))
    recorded = set()
    versions = (DocumentVersion.objects.select_related("document").order_by("pk")
                .iterator(chunk_size=500))
    for version in versions:
        report.checked += 1
        recorded.add(version.blob_name)
        if version.blob_name not in stored:
            report.missing.append(str(version.uid))
            continue
        if deep:
            problem = verify_version(version)
            if problem:
                report.mismatches.append(f"{version.uid}: {problem}")
    report.orphans = sorted(stored - recorded - journaled)
    report.interrupted = sorted(journaled - recorded)
    report.leftovers = sorted(name for name, _age in storage.leftovers())
    return report
