"""The person's own safe: "Mes documents" in their space (mon-passeport/documents/).
Every page acts as the person themselves (never for an organisation)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from passeport.core.actor import Actor
from passeport.core.errors import PasseportError
from passeport.core.text import date_fr
from passeport.vault import selectors, services
from passeport.vault.enums import DocumentCategory
from passeport.web.decorators import person_required
from passeport.web.forms import add_service_error

from .forms import DocumentForm, DocumentUploadForm, ImportForm, ShareForm, VersionUploadForm
from .http import file_response, receives_uploads, upload_problem, zip_response


def _safe(request) -> selectors.Safe:
    return selectors.safe_of_person(Actor(user=request.user, channel="web"), request.person)


def _safe_gate(request, *args, **kwargs) -> selectors.Safe:
    """Checked before the body of an upload is read (person_required ran before)."""
    return _safe(request)


def _document_gate(request, uid, *args, **kwargs):
    safe = _safe(request)
    return safe, selectors.document_get_for(safe, uid)


def _submitted(request, form):
    """The sealed upload of the form, or the error that refused it."""
    code = upload_problem(request)
    if code:
        raise services.upload_error(code)
    return form.upload


def _upload_error(form, request, error: PasseportError | None = None) -> None:
    code = upload_problem(request)
    if error is None and code:
        error = services.upload_error(code)
    if error is not None:
        add_service_error(form, error)


def _versions(document) -> list:
    versions = list(document.versions.all())
    for version in versions:
        version.download_url = reverse("vault:me_download",
                                       kwargs={"uid": document.uid, "number": version.number})
    return versions


def _grouped(documents) -> list[tuple[str, list]]:
    labels = dict(DocumentCategory.choices)
    groups: dict[str, list] = {}
    for document in documents:
        groups.setdefault(document.category, []).append(document)
    return [(labels[c], groups[c]) for c in DocumentCategory.values if c in groups]


@person_required
def documents(request):
    safe = _safe(request)
    docs = list(selectors.documents_of(safe))
    return render(request, "vault/me/documents.html", {
        "person": request.person, "groups": _grouped(docs), "count": len(docs)})


@person_required
@require_http_methods(["GET", "POST"])
@receives_uploads(_safe_gate)
def document_add(request, safe):
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
                messages.success(request, _("Votre document est enregistré."))
                return redirect("vault:me_document", uid=deposit.document.uid)
        else:
            _upload_error(form, request)
    return render(request, "vault/me/document_add.html", {"form": form, "person": request.person})


@person_required
def document_detail(request, uid):
    safe = _safe(request)
    document = selectors.document_get_for(safe, uid)
    share_form = ShareForm(organisations=selectors.sharable_organisations(request.person),
                           auto_id="partage-%s")
    return render(request, "vault/me/document.html", {
        "person": request.person, "document": document,
        "versions": _versions(document),
        "shares": list(selectors.document_shares(document)),
        "share_form": share_form})


@person_required
@require_http_methods(["GET", "POST"])
def document_edit(request, uid):
    safe = _safe(request)
    document = selectors.document_get_for(safe, uid)
    initial = {f: getattr(document, f) for f in ("category", "title", "issued_on", "expires_on")}
    form = DocumentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_update(safe=safe, document=document, **form.cleaned_data)
        except PasseportError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Le document est modifié."))
            return redirect("vault:me_document", uid=document.uid)
    return render(request, "vault/me/document_edit.html",
                  {"person": request.person, "document": document, "form": form})


@person_required
@require_http_methods(["GET", "POST"])
@receives_uploads(_document_gate)
def version_add(request, context, uid):
    safe, document = context
    form = VersionUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.document_add_version(
                    safe=safe, document=document,
                    upload=_submitted(request, form),
                    idempotency_key=form.cleaned_data["idempotency_key"])
            except PasseportError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("La nouvelle version est enregistrée."))
                return redirect("vault:me_document", uid=document.uid)
        else:
            _upload_error(form, request)
    return render(request, "vault/me/version_add.html",
                  {"person": request.person, "document": document, "form": form})


@person_required
@require_http_methods(["GET", "POST"])
def document_delete(request, uid):
    safe = _safe(request)
    document = selectors.document_get_for(safe, uid)
    if request.method == "POST":
        services.document_delete(safe=safe, document=document)
        messages.success(request, _("Le document « %(title)s » est supprimé.")
                         % {"title": document.title})
        return redirect("vault:me_documents")
    return render(request, "vault/me/document_delete.html",
                  {"person": request.person, "document": document})


@person_required
def download(request, uid, number):
    safe = _safe(request)
    document = selectors.document_get_for(safe, uid)
    version = selectors.version_get(document, number)
    try:
        opened = services.version_open(safe=safe, document=document, version=version)
    except services.DocumentDamaged as exc:
        return render(request, "vault/damaged.html", {"message": exc.message,
                                                      "document": document}, status=500)
    return file_response(opened)


@person_required
@require_POST
def document_share(request, uid):
    safe = _safe(request)
    document = selectors.document_get_for(safe, uid)
    form = ShareForm(request.POST, organisations=selectors.sharable_organisations(request.person),
                     auto_id="partage-%s")
    if form.is_valid():
        try:
            share = services.share_create(safe=safe, document=document, **form.cleaned_data)
        except PasseportError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("%(org)s peut voir ce document jusqu'au %(date)s.")
                             % {"org": share.organisation.name,
                                "date": date_fr(share.expires_on, "j F Y")})
            return redirect("vault:me_document", uid=document.uid)
    return render(request, "vault/me/document.html", {
        "person": request.person, "document": document,
        "versions": _versions(document),
        "shares": list(selectors.document_shares(document)), "share_form": form}, status=400)


@person_required
@require_http_methods(["GET", "POST"])
def shares(request):
    safe = _safe(request)
    organisations = selectors.sharable_organisations(request.person)
    form = ShareForm(request.POST or None, organisations=organisations, with_category=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.share_create(safe=safe, **form.cleaned_data)
        except PasseportError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Le partage est enregistré."))
            return redirect("vault:me_shares")
    all_shares = list(selectors.shares_of(safe))
    return render(request, "vault/me/shares.html", {
        "person": request.person, "form": form,
        "active": [s for s in all_shares if s.is_active],
        "ended": [s for s in all_shares if not s.is_active][:20],
        "has_organisations": organisations.exists()},
        status=400 if form.errors else 200)


@person_required
@require_POST
def share_revoke(request, share_id):
    safe = _safe(request)
    share = selectors.share_get_for(safe, share_id)
    services.share_revoke(safe=safe, share=share)
    messages.success(request, _("%(org)s ne voit plus ce partage.")
                     % {"org": share.organisation.name})
    target = request.POST.get("next", "")
    if share.document_id and target == "document":
        return redirect("vault:me_document", uid=share.document.uid)
    return redirect("vault:me_shares")


@person_required
def log(request):
    safe = _safe(request)
    page = Paginator(selectors.log_of(safe), 30).get_page(request.GET.get("page"))
    titles = {str(uid): title for uid, title
              in selectors.documents_of(safe).values_list("uid", "title")}
    for entry in page.object_list:
        entry.document_title = titles.get(entry.document_uid, "")
    return render(request, "vault/me/log.html", {"person": request.person, "page": page})


@person_required
def export(request):
    safe = _safe(request)
    chunks = services.export_archive(safe=safe)
    name = f"mes-documents-{timezone.localdate():%Y-%m-%d}.zip"
    return zip_response(chunks, name)


@person_required
@require_http_methods(["GET", "POST"])
def import_view(request):
    safe = _safe(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.import_archive(safe=safe, archive_file=form.cleaned_data["archive"])
        except PasseportError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("%(n)s document(s) importé(s), %(m)s déjà présent(s).")
                             % {"n": len(result.created), "m": len(result.already_there)})
            return redirect("vault:me_documents")
    return render(request, "vault/me/import.html", {"person": request.person, "form": form},
                  status=400 if form.errors else 200)
