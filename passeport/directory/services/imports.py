"""Import of a data·inclusion file (JSON or CSV): each record validated with the
package's models; a bad record is reported with its reasons and skipped, the others are
written in one transaction. Records are keyed on (source, id): importing the same file
again updates what changed and never duplicates."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from passeport.core.actor import Actor
from passeport.core.enums import AuditAction
from passeport.core.models import Organisation
from passeport.core.services import audit_record

from .. import dataschema
from ..dataschema import InvalidFile, RecordError
from ..enums import PASSEPORT_SOURCE
from ..indexing import DERIVED_FIELDS as DERIVED
from ..indexing import Geocoder, service_derive
from ..models import Service, Structure
from ..perms import ensure_can_import

BATCH = 1000


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class ImportReport:
    structures: Counts = field(default_factory=Counts)
    services: Counts = field(default_factory=Counts)
    errors: list[RecordError] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return len(self.errors)

    def as_dict(self) -> dict:
        return {
            "structures": vars(self.structures) | {"total": self.structures.total},
            "services": vars(self.services) | {"total": self.services.total},
            "skipped": self.skipped,
            "errors": [e.as_dict() for e in self.errors],
        }


def _check(kind: str, index: int, record: dict, validate, model_class, seen: set,
           report: ImportReport) -> dict | None:
    """The validated record, or None (its error added to the report)."""
    identifier = str(record.get("id") or "")
    data, reasons = validate(record)
    if data is not None:
        reasons = [f"{f} : {m}" for f, m in dataschema.check_lengths(data, model_class)]
        if data["source"] == PASSEPORT_SOURCE:
            reasons.append(_("source : « %(s)s » est réservée aux services publiés dans "
                             "Passeport") % {"s": PASSEPORT_SOURCE})
        key = (data["source"], data["id"])
        if key in seen:
            reasons.append(_("id : déjà présent plus haut dans le fichier"))
        seen.add(key)
    if reasons:
        report.errors.append(RecordError(kind, index, identifier, reasons))
        return None
    return data


def _existing(model, keys: set[tuple[str, str]]) -> dict[tuple[str, str], tuple[int, str]]:
    """(source, id) -> (pk, content hash) of the rows already there."""
    found: dict[tuple[str, str], tuple[int, str]] = {}
    by_source: dict[str, list[str]] = {}
    for source, di_id in keys:
        by_source.setdefault(source, []).append(di_id)
    for source, ids in by_source.items():
        for start in range(0, len(ids), BATCH):
            for pk, di_id, digest in model.objects.filter(
                    source=source, di_id__in=ids[start:start + BATCH]).values_list(
                    "pk", "di_id", "content_hash"):
                found[(source, di_id)] = (pk, digest)
    return found


@transaction.atomic
def directory_import(*, actor: Actor, content: bytes, filename: str = "") -> ImportReport:
    ensure_can_import(actor)
    raw_structures, raw_services = dataschema.read_records(content, filename)
    if not raw_structures and not raw_services:
        raise InvalidFile(_("Le fichier ne contient aucun enregistrement."), field="file")
    report = ImportReport()

    seen: set = set()
    structures = [d for i, r in enumerate(raw_structures, 1)
                  if (d := _check("structure", i, r, dataschema.validate_structure, Structure,
                                  seen, report)) is not None]
    seen = set()
    services = [d for i, r in enumerate(raw_services, 1)
                if (d := _check("service", i, r, dataschema.validate_service, Service, seen,
                                report)) is not None]

    geocoder = Geocoder(preload=len(services) + len(structures) > 200)
    structure_by_key = _write_structures(structures, report)
    _write_services(services, structure_by_key, geocoder, report)
    audit_record(actor, action=AuditAction.UPDATE, object_type="directory_import",
                 object_id=filename[:40], detail=report.as_dict() | {"errors": report.skipped})
    return report


def _write_structures(records: list[dict], report: ImportReport
                      ) -> dict[tuple[str, str], Structure]:
    """Write the structures; return every structure of the file by (source, id)."""
    existing = _existing(Structure, {(d["source"], d["id"]) for d in records})
    now = timezone.now()
    orgs_by_siret = dict(Organisation.objects.filter(
        siret__in={d["siret"] for d in records if d.get("siret")}).values_list("siret", "pk"))
    to_create, to_update = [], []
    for data in records:
        fields = dataschema.record_to_fields(data, dataschema.STRUCTURE_FIELDS)
        digest = dataschema.content_hash(data)
        key = (data["source"], data["id"])
        if key not in existing:
            to_create.append(Structure(di_id=data["id"], content_hash=digest,
                                       organisation_id=orgs_by_siret.get(data.get("siret")),
                                       **fields))
        elif existing[key][1] != digest:
            to_update.append(Structure(pk=existing[key][0], di_id=data["id"],
                                       content_hash=digest, updated_at=now, **fields))
        else:
            report.structures.unchanged += 1
    Structure.objects.bulk_create(to_create, batch_size=BATCH)
    names = [*dataschema.STRUCTURE_FIELDS, "content_hash", "updated_at"]
    Structure.objects.bulk_update(to_update, names, batch_size=BATCH)
    # A known organisation (same SIRET) receives the orientations to its structures.
    for structure in to_update:
        org_id = orgs_by_siret.get(structure.siret)
        if org_id:
            Structure.objects.filter(pk=structure.pk, organisation__isnull=True).update(
                organisation_id=org_id)
    report.structures.created, report.structures.updated = len(to_create), len(to_update)
    _rederive(to_update)
    keys = {(d["source"], d["id"]) for d in records}
    return _structures_by_key(keys)


def _structures_by_key(keys: set[tuple[str, str]]) -> dict[tuple[str, str], Structure]:
    result = {}
    ids = _existing(Structure, keys)
    pks = [pk for pk, _digest in ids.values()]
    for start in range(0, len(pks), BATCH):
        for s in Structure.objects.filter(pk__in=pks[start:start + BATCH]):
            result[(s.source, s.di_id)] = s
    return result


def _rederive(structures: list[Structure]) -> None:
    """Services of updated structures (name, place) are searched anew."""
    if not structures:
        return
    fresh = {s.pk: s for s in Structure.objects.filter(pk__in=[s.pk for s in structures])}
    geocoder = Geocoder()
    services = list(Service.objects.filter(structure_id__in=fresh))
    for service in services:
        service_derive(service, fresh[service.structure_id], geocoder)
    Service.objects.bulk_update(services, DERIVED, batch_size=BATCH)


def _find_structure(data: dict, in_file: dict[tuple[str, str], Structure]) -> Structure | None:
    structure = in_file.get((data["source"], data["structure_id"]))
    if structure is None:
        structure = (Structure.objects.filter(source=data["source"], di_id=data["structure_id"])
                     .first()
                     or Structure.objects.filter(di_id=data["structure_id"]).order_by("pk")
                     .first())
        if structure is not None:
            in_file[(data["source"], data["structure_id"])] = structure
    return structure


def _write_services(records: list[dict], structures: dict[tuple[str, str], Structure],
                    geocoder: Geocoder, report: ImportReport) -> None:
    existing = _existing(Service, {(d["source"], d["id"]) for d in records})
    now = timezone.now()
    to_create, to_update = [], []
    for index, data in enumerate(records, 1):
        structure = _find_structure(data, structures)
        if structure is None:
            report.errors.append(RecordError(
                "service", index, data["id"],
                [_("structure_id : structure « %(id)s » inconnue (ni dans le fichier, ni dans "
                   "l'annuaire)") % {"id": data["structure_id"]}]))
            continue
        digest = dataschema.content_hash(data)
        key = (data["source"], data["id"])
        if key in existing and existing[key][1] == digest:
            report.services.unchanged += 1
            continue
        fields = dataschema.record_to_fields(data, dataschema.SERVICE_FIELDS)
        service = Service(di_id=data["id"], structure=structure, content_hash=digest, **fields)
        service_derive(service, structure, geocoder)
        if key in existing:
            service.pk = existing[key][0]
            service.updated_at = now
            to_update.append(service)
        else:
            to_create.append(service)
    Service.objects.bulk_create(to_create, batch_size=BATCH)
    names = [*dataschema.SERVICE_FIELDS, "structure", "content_hash", "updated_at", *DERIVED]
    Service.objects.bulk_update(to_update, names, batch_size=BATCH)
    report.services.created, report.services.updated = len(to_create), len(to_update)
