"""An organisation publishes its own offer: structures and services, in the
data·inclusion schema (source `passeport`), validated by the package's models."""

from __future__ import annotations

import uuid
from typing import Any

from data_inclusion.schema.v1 import Service as DiService
from data_inclusion.schema.v1 import Structure as DiStructure
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from passeport.core.actor import Actor
from passeport.core.errors import Conflict, Forbidden, PasseportError

from .. import dataschema
from ..enums import PASSEPORT_SOURCE
from ..indexing import DERIVED_FIELDS, Geocoder, service_derive
from ..models import Service, Structure
from ..perms import ensure_can_manage_offer
from ..selectors import commune_get, communes_lookup


class InvalidRecord(PasseportError):
    """422 `invalid_record`: the structure or service breaks a rule of the data·inclusion
    schema. `field` names the first field in error; `details.errors` lists them all."""

    status = 422
    code = "invalid_record"


STRUCTURE_EDITABLE = [f for f in dataschema.STRUCTURE_FIELDS if f not in ("source", "date_maj")]
SERVICE_EDITABLE = [f for f in dataschema.SERVICE_FIELDS if f not in ("source", "date_maj")]


def _new_id() -> str:
    return f"{PASSEPORT_SOURCE}--{uuid.uuid4().hex[:16]}"


def _complete_commune(data: dict[str, Any]) -> None:
    """Fill the INSEE code (and the name, the postal code) from what was given."""
    commune = commune_get(data.get("code_insee") or "")
    if commune is None and (data.get("commune") or data.get("code_postal")):
        text = " ".join(x for x in (data.get("commune"), data.get("code_postal")) if x)
        found = communes_lookup(text, limit=1)
        commune = found[0] if found else None
        if commune is None and data.get("commune"):
            raise InvalidRecord(_("Commune introuvable : vérifiez le nom et le code postal."),
                                field="commune")
    if commune is not None:
        data["code_insee"] = commune.code_insee
        data["commune"] = data.get("commune") or commune.name
        if not data.get("code_postal"):
            data["code_postal"] = commune.main_postal_code


def _validated(model, record: dict[str, Any], model_class) -> dict[str, Any]:
    problems = dataschema.validation_errors(model, record)
    if not problems:
        data, _reasons = dataschema._validate(model, record)
        problems = dataschema.check_lengths(data, model_class)
    if problems:
        field, what = problems[0]
        raise InvalidRecord(what, field=field,
                            details={"errors": [{"field": f, "message": m} for f, m in problems]})
    return data


def _clean_input(data: dict[str, Any], allowed: list[str]) -> dict[str, Any]:
    """Keep the schema's fields; empty texts and lists mean 'not given'."""
    clean = {}
    for key, value in data.items():
        if key not in allowed:
            continue
        if value in ("", [], None):
            continue
        clean[key] = value
    return clean


@transaction.atomic
def structure_save(*, actor: Actor, data: dict[str, Any], structure: Structure | None = None
                   ) -> Structure:
    """Create (or update) one of the organisation's structures in the directory."""
    org = ensure_can_manage_offer(actor)
    if structure is not None and structure.organisation_id != org.pk:
        raise Forbidden(_("Cette structure n'est pas la vôtre."), code="not_your_structure")
    if structure is not None and structure.source != PASSEPORT_SOURCE:
        raise Forbidden(_("Cette structure vient d'un import (%(source)s) : modifiez-la à la "
                          "source.") % {"source": structure.source}, code="imported_read_only")
    data = _clean_input(data, STRUCTURE_EDITABLE)
    data.setdefault("siret", org.siret or None)
    _complete_commune(data)
    di_id = structure.di_id if structure else _new_id()
    record = {"source": PASSEPORT_SOURCE, "id": di_id, "date_maj": timezone.localdate(), **data}
    valid = _validated(DiStructure, record, Structure)
    fields = dataschema.record_to_fields(valid, dataschema.STRUCTURE_FIELDS)
    if structure is None:
        structure = Structure(organisation=org, di_id=di_id)
    for name, value in fields.items():
        setattr(structure, name, value)
    structure.content_hash = dataschema.content_hash(valid)
    structure.save()
    _rederive_services(structure)
    return structure


def _rederive_services(structure: Structure) -> None:
    """The services of a structure whose name or place changed are searched anew."""
    geocoder = Geocoder()
    services = list(structure.services.all())
    for service in services:
        service_derive(service, structure, geocoder)
    Service.objects.bulk_update(services, DERIVED_FIELDS)


@transaction.atomic
def structure_delete(*, actor: Actor, structure: Structure) -> None:
    org = ensure_can_manage_offer(actor)
    if structure.organisation_id != org.pk or structure.source != PASSEPORT_SOURCE:
        raise Forbidden(_("Vous ne pouvez retirer que les structures publiées par la vôtre."),
                        code="not_your_structure")
    if Service.objects.filter(structure=structure, orientations__isnull=False).exists():
        raise Conflict(_("Des personnes ont été orientées vers les services de cette structure : "
                         "retirez plutôt ses services de l'annuaire."),
                       code="structure_has_orientations")
    structure.delete()


@transaction.atomic
def service_save(*, actor: Actor, structure: Structure, data: dict[str, Any],
                 service: Service | None = None) -> Service:
    """Create (or update) a service of one of the organisation's structures. The service
    is validated with the data·inclusion `Service` model, so the export stays valid."""
    org = ensure_can_manage_offer(actor)
    if structure.organisation_id != org.pk:
        raise PasseportError(_("Choisissez une structure de votre organisation."),
                             code="not_your_structure", field="structure_id")
    if service is not None and (service.structure.organisation_id != org.pk
                                or service.source != PASSEPORT_SOURCE):
        raise Forbidden(_("Ce service vient d'un import : modifiez-le à la source."),
                        code="imported_read_only")
    data = _clean_input(data, SERVICE_EDITABLE)
    _complete_commune(data)
    di_id = service.di_id if service else _new_id()
    record = {"source": PASSEPORT_SOURCE, "structure_id": structure.di_id, "id": di_id,
              "date_maj": timezone.localdate(), **data}
    valid = _validated(DiService, record, Service)
    fields = dataschema.record_to_fields(valid, dataschema.SERVICE_FIELDS)
    if service is None:
        service = Service(di_id=di_id)
    service.structure = structure
    for name, value in fields.items():
        setattr(service, name, value)
    service.content_hash = dataschema.content_hash(valid)
    service_derive(service, structure, Geocoder())
    service.save()
    return service


@transaction.atomic
def service_set_published(*, actor: Actor, service: Service, published: bool) -> Service:
    """Show (or hide) a service in the search and the export; orientations already sent
    to it go on."""
    org = ensure_can_manage_offer(actor)
    if service.structure.organisation_id != org.pk:
        raise Forbidden(_("Ce service n'est pas le vôtre."), code="not_your_service")
    service.is_published = published
    service.save(update_fields=["is_published", "updated_at"])
    return service


@transaction.atomic
def service_delete(*, actor: Actor, service: Service) -> None:
    org = ensure_can_manage_offer(actor)
    if service.structure.organisation_id != org.pk or service.source != PASSEPORT_SOURCE:
        raise Forbidden(_("Vous ne pouvez supprimer que les services publiés par votre "
                          "structure."), code="not_your_service")
    if service.orientations.exists():
        raise Conflict(_("Des personnes ont été orientées vers ce service : retirez-le plutôt "
                         "de l'annuaire."), code="service_has_orientations")
    service.delete()
