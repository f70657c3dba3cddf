"""The professional's view of a person's safe (pro/personnes/<public_id>/documents/):
the documents the person shares with the organisation, and deposits made for the
person under their "documents" consent. Every URL first goes through `safe_get_for`
(consent check + audit event): another organisation, or one without the consent, gets
404; a document not shared with the organisation is 404 too."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from passeport.core.errors import PasseportError
from passeport.vault import selectors, services
from passeport.web.context import actor_for
from passeport.web.decorators import professional_required
from passeport.web.forms import add_service_error

from .forms import DocumentUploadForm, VersionUploadForm
from .http import file_response, receives_uploads, upload_problem


def _safe_gate(request, public_id, *args, **kwargs) -> selectors.Safe:
    return selectors.safe_get_for(actor_for(request), public_id)


def _document_gate(request, public_id, uid, *args, **kwargs):
    safe = _safe_gate(request, public_id)
    return safe, selectors.document_get_for(safe, uid)


def _submitted(request, form):
    code = upload_problem(request)
    if code:
        raise services.upload_error(code)
    return form.upload


@professional_required
def documents(request, public_id):
    safe = _safe_gate(request, public_id)
    docs = list(selectors.documents_of(safe))
    return render(request, "vault/pro/documents.html",
                  {"person": safe.person, "documents": docs})


@professional_required
@require_http_methods(["GET", "POST"])
@receives_uploads(_safe_gate)
def document_add(request, safe, public_id):
    form = DocumentUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                deposit = services.document_deposit(
                    safe=safe, upload=_submitted(request, form),
                    category=form.cleaned_data["category"], title=form.cleaned_data["title"],
                    issued_on=form.cleaned_data["issued_on"],
                    expires_on=form.cleaned_data["expires_on"],
                    idempotency_key=form.cleaned_data["idempotency_key"])
            except PasseportError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("Le document est déposé dans le coffre-fort de la "
                                            "personne. Elle le voit et peut le retirer."))
                return redirect("vault:pro_document", public_id=public_id,
                                uid=deposit.document.uid)
        else:
            code = upload_problem(request)
            if code:
                add_service_error(form, services.upload_error(code))
    return render(request, "vault/pro/document_add.html", {"person": safe.person, "form": form})


@professional_required
def document_detail(request, public_id, uid):
    safe = _safe_gate(request, public_id)
    document = selectors.document_get_for(safe, uid, record_view=True)
    versions = list(document.versions.all())
    for version in versions:
        version.download_url = reverse("vault:pro_download", kwargs={
            "public_id": public_id, "uid": document.uid, "number": version.number})
    return render(request, "vault/pro/document.html", {
        "person": safe.person, "document": document, "versions": versions})


@professional_required
@require_http_methods(["GET", "POST"])
@receives_uploads(_document_gate)
def version_add(request, context, public_id, uid):
    safe, document = context
    form = VersionUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.document_add_version(
                    safe=safe, document=document, upload=_submitted(request, form),
                    idempotency_key=form.cleaned_data["idempotency_key"])
            except PasseportError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("La nouvelle version est enregistrée."))
                return redirect("vault:pro_document", public_id=public_id, uid=document.uid)
    return render(request, "vault/pro/version_add.html",
                  {"person": safe.person, "document": document, "form": form})


@professional_required
def download(request, public_id, uid, number):
    safe = _safe_gate(request, public_id)
    document = selectors.document_get_for(safe, uid)
    version = selectors.version_get(document, number)
    try:
        opened = services.version_open(safe=safe, document=document, version=version)
    except services.DocumentDamaged as exc:
        return render(request, "vault/damaged.html", {"message": exc.message,
                                                      "document": document}, status=500)
    return file_response(opened)
