"""An organisation's own offer (structures and services it publishes), the import of
data·inclusion files and the export of the directory."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from passeport.core.errors import PasseportError
from passeport.directory import dataschema
from passeport.directory.perms import can_import, can_manage_offer
from passeport.directory.selectors import (
    directory_export,
    service_get_own,
    services_of,
    structure_get_own,
    structures_of,
)
from passeport.directory.services import (
    directory_import,
    service_save,
    service_set_published,
    structure_save,
)
from passeport.web.context import actor_for
from passeport.web.decorators import professional_required
from passeport.web.forms import add_service_error

from ..forms import STRUCTURE_FORM_FIELDS, ImportForm, ServiceForm, StructureForm


def _manager(request):
    actor = actor_for(request)
    if not can_manage_offer(actor):
        raise PermissionDenied
    return actor


def _add_errors(form, error: PasseportError) -> None:
    for other in (error.details or {}).get("errors", []) or [{"field": error.field,
                                                             "message": error.message}]:
        field = other.get("field") if other.get("field") in form.fields else None
        form.add_error(field, other.get("message"))


@professional_required
def offer(request):
    actor = actor_for(request)
    org_id = actor.organisation_id
    return render(request, "directory/offer.html", {
        "structures": list(structures_of(org_id)), "services": list(services_of(org_id)),
        "can_manage": can_manage_offer(actor), "can_import": can_import(actor)})


@professional_required
def structure_edit(request, pk: int | None = None):
    actor = _manager(request)
    structure = structure_get_own(actor, pk) if pk else None
    initial = {} if structure else {"nom": actor.organisation.name,
                                    "siret": actor.organisation.siret or "",
                                    "courriel": actor.organisation.email,
                                    "telephone": actor.organisation.phone,
                                    "commune": actor.organisation.commune_name}
    form = StructureForm(request.POST if request.method == "POST" else None,
                         instance=structure, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data.get(name) for name in STRUCTURE_FORM_FIELDS}
        if structure is not None and structure.commune != data["commune"]:
            data["code_insee"] = ""  # found again from the commune typed
        elif structure is not None:
            data["code_insee"] = structure.code_insee
        try:
            structure = structure_save(actor=actor, data=data, structure=structure)
        except PasseportError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Structure « %(nom)s » enregistrée.") % {
                "nom": structure.nom})
            return redirect("directory:offer")
    return render(request, "directory/structure_form.html", {"form": form,
                                                              "structure": structure})


@professional_required
def service_edit(request, pk: int | None = None):
    actor = _manager(request)
    service = service_get_own(actor, pk) if pk else None
    structures = structures_of(actor.organisation_id).filter(source="passeport")
    if service is None and not structures.exists():
        messages.info(request, _("Décrivez d'abord votre structure : ses services s'y "
                                 "rattachent."))
        return redirect("directory:structure_create")
    form = ServiceForm(request.POST if request.method == "POST" else None, instance=service,
                       structures=structures)
    if request.method == "POST" and form.is_valid():
        data = form.schema_data()
        data["code_insee"] = (service.code_insee if service is not None
                              and service.commune == data.get("commune") else "")
        try:
            service = service_save(actor=actor, structure=form.cleaned_data["structure"],
                                   data=data, service=service)
        except PasseportError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Service « %(nom)s » enregistré.") % {"nom": service.nom})
            return redirect("directory:offer")
    return render(request, "directory/service_form.html", {"form": form, "service": service})


@professional_required
@require_POST
def service_publish(request, pk: int):
    actor = _manager(request)
    service = service_get_own(actor, pk)
    published = request.POST.get("publier") == "1"
    service_set_published(actor=actor, service=service, published=published)
    messages.success(request, _("« %(nom)s » est visible dans l'annuaire.") % {"nom": service.nom}
                     if published else
                     _("« %(nom)s » n'est plus visible dans l'annuaire.") % {"nom": service.nom})
    return redirect("directory:offer")


@professional_required
def import_view(request):
    actor = actor_for(request)
    if not can_import(actor):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = directory_import(actor=actor, content=upload.read(), filename=upload.name)
        except PasseportError as exc:
            add_service_error(form, exc)
    return render(request, "directory/import.html", {"form": form, "report": report})


@professional_required
def export(request):
    """The published offer in the data·inclusion schema: ?type=services|structures,
    ?format=json|csv, ?source=… (one source), ?mine=1 (the organisation's own)."""
    actor = actor_for(request)
    kind = "structures" if request.GET.get("type") == "structures" else "services"
    fmt = "csv" if request.GET.get("format") == "csv" else "json"
    structures, services = directory_export(
        source=request.GET.get("source", ""),
        organisation_id=actor.organisation_id if request.GET.get("mine") == "1" else None)
    records = structures if kind == "structures" else services
    stamp = timezone.localdate().isoformat()
    if fmt == "csv":
        columns = (dataschema.STRUCTURE_CSV_COLUMNS if kind == "structures"
                   else dataschema.SERVICE_CSV_COLUMNS)
        response = HttpResponse(dataschema.csv_text(records, columns),
                                content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(json.dumps(records, ensure_ascii=False, indent=1),
                                content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{kind}-{stamp}.{fmt}"'
    return response
