"""The digital safe: documents, shares and the log, with the same rules as the pages.

- The person (session) owns the safe: lists, deposits, downloads, edits, deletes,
  shares and unshares, reads the log, exports and imports.
- An organisation (token or a professional's session) reaches the safe only while the
  person's consent covers the "documents" scope, and sees only the documents shared with
  it; it may deposit a document for the person (which the person then sees and can
  revoke). Anything else is 404 `not_found`; a professional never shares.
- Uploads are `multipart/form-data`; the file is checked by its content (PDF, JPEG,
  PNG, HEIC/HEIF), size-limited, scanned by the antivirus when configured and encrypted
  while it is received. `Idempotency-Key` (header) makes a retry return the first
  deposit instead of a duplicate.
- Downloads are streamed with `Content-Disposition: attachment`,
  `X-Content-Type-Options: nosniff` and `Cache-Control: no-store`; a damaged file gives
  500 `integrity_error` and no byte of it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from ninja.responses import codes_4xx
from pydantic import Field, ValidationError, field_validator

from passeport.api.auth import SessionAuth, TokenAuth, actor
from passeport.api.schemas import ErrorOut, OrganisationBrief, Text
from passeport.core.errors import PasseportError
from passeport.core.models import Organisation
from passeport.vault import selectors, services
from passeport.vault.enums import DocumentCategory, LogAction
from passeport.vault.http import (
    abort_uploads,
    file_response,
    install_upload_handler,
    upload_problem,
    zip_response,
)

router = Router()


# --- Authentication of uploads ---------------------------------------------------------
# The sealing upload handler must be in place before anything reads the body (the CSRF
# check of a session does); the body is read only after the token or session is known.


class _UploadTokenAuth(TokenAuth):
    def __call__(self, request):
        if request.method == "POST" and not hasattr(request, "vault_upload"):
            install_upload_handler(request, fields=("file",))
        return super().__call__(request)


class _UploadSessionAuth(SessionAuth):
    def __call__(self, request):
        if request.method == "POST" and not hasattr(request, "vault_upload"):
            install_upload_handler(request, fields=("file",))
        try:
            user = super().__call__(request)
        except BaseException:
            abort_uploads(request)
            raise
        if user is None:
            abort_uploads(request)
        return user


UPLOAD_AUTH = [_UploadTokenAuth(), _UploadSessionAuth()]


def _multipart(fields: dict) -> dict:
    return {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": [k for k, v in fields.items() if v.pop("required", False)],
        "properties": fields}}}}}


# --- Schemas -------------------------------------------------------------------------------

class VersionOut(Schema):
    number: int
    content_type: str
    size: int = Field(description="Taille du fichier en clair, en octets.")
    sha256: str = Field(description="Empreinte SHA-256 du fichier en clair, prise au dépôt.")
    uploaded_at: datetime
    scan_status: Literal["clean", "not_scanned"]
    uploaded_by_organisation: OrganisationBrief | None = None
    download_url: str

    @staticmethod
    def resolve_download_url(obj) -> str:
        return reverse("api:vault_version_content",
                       kwargs={"uid": obj.document.uid, "number": obj.number})


class DocumentOut(Schema):
    uid: str
    category: DocumentCategory
    title: str
    issued_on: date | None
    expires_on: date | None
    created_at: datetime
    versions: list[VersionOut]

    @staticmethod
    def resolve_uid(obj) -> str:
        return str(obj.uid)

    @staticmethod
    def resolve_versions(obj):
        versions = sorted(obj.versions.all(), key=lambda v: -v.number)
        for version in versions:
            version.document = obj
        return versions


class DocumentIn(Schema):
    category: DocumentCategory
    title: Text(200, required=True)
    issued_on: date | None = None
    expires_on: date | None = None

    @field_validator("issued_on", "expires_on", mode="before")
    @classmethod
    def _empty_is_none(cls, value):
        return value or None


class DocumentPatch(Schema):
    category: DocumentCategory | None = None
    title: Text(200, required=True) | None = None
    issued_on: date | None = None
    expires_on: date | None = None


class ShareIn(Schema):
    organisation_id: int
    expires_on: date
    document_uid: str | None = Field(None, description="Un document…")
    category: DocumentCategory | None = Field(None, description="… ou toute une catégorie.")


class ShareOut(Schema):
    id: int
    organisation: OrganisationBrief
    document_uid: str | None
    category: str
    expires_on: date
    created_at: datetime
    revoked_at: datetime | None
    active: bool

    @staticmethod
    def resolve_document_uid(obj) -> str | None:
        return str(obj.document.uid) if obj.document_id else None

    @staticmethod
    def resolve_active(obj) -> bool:
        return obj.is_active


class LogEntryOut(Schema):
    seq: int
    at: datetime
    action: LogAction
    document_uid: str
    version: int | None
    sha256: str
    actor: str = Field(description="Qui (nom, ou structure et nom).")
    organisation: str
    detail: dict

    @staticmethod
    def resolve_actor(obj) -> str:
        return obj.actor_label

    @staticmethod
    def resolve_organisation(obj) -> str:
        return obj.organisation_name


class LogPage(Schema):
    items: list[LogEntryOut]
    next_cursor: str | None = None


class ImportOut(Schema):
    created: list[DocumentOut]
    already_there: list[str] = Field(description="Documents déjà importés (uid).")


# --- Helpers -------------------------------------------------------------------------------

def _form(schema, request):
    """Validate the non-file fields of a multipart request (422 like the JSON bodies)."""
    try:
        return schema.model_validate(request.POST.dict())
    except ValidationError as exc:
        errors = [{**e, "loc": ("form", *e["loc"])}
                  for e in exc.errors(include_url=False, include_context=False)]
        raise NinjaValidationError(errors) from None


def _sealed_file(request):
    code = upload_problem(request)
    if code:
        raise services.upload_error(code)
    value = request.FILES.get("file")
    return getattr(value, "sealed", None)


def _uploading(request):
    handler = getattr(request, "vault_upload", None) or install_upload_handler(request, ("file",))
    return handler


# --- Documents -------------------------------------------------------------------------------

@router.get("/persons/{public_id}/documents",
            response={200: list[DocumentOut], codes_4xx: ErrorOut},
            summary="Les documents",
            description="Tous ses documents pour la personne ; pour une structure, ceux que "
                        "la personne partage avec elle.")
def documents_list(request, public_id: str):
    safe = selectors.safe_get_for(actor(request), public_id)
    return list(selectors.documents_of(safe))


@router.post("/persons/{public_id}/documents", auth=UPLOAD_AUTH,
             response={200: DocumentOut, 201: DocumentOut, codes_4xx: ErrorOut, 500: ErrorOut,
                       503: ErrorOut},
             summary="Déposer un document",
             description="`multipart/form-data`. 400 `file_type_not_allowed`, `file_too_large`, "
                         "`file_empty`, `malware_detected`, `file_required` ; 503 "
                         "`antivirus_unavailable`. Avec `Idempotency-Key`, une nouvelle tentative "
                         "renvoie le premier dépôt (200) ; 409 `idempotency_key_reused` si le "
                         "fichier diffère.",
             openapi_extra=_multipart({
                 "file": {"type": "string", "format": "binary", "required": True},
                 "category": {"type": "string", "enum": DocumentCategory.values,
                              "required": True},
                 "title": {"type": "string", "maxLength": 200, "required": True},
                 "issued_on": {"type": "string", "format": "date"},
                 "expires_on": {"type": "string", "format": "date"}}),
             url_name="vault_documents_create")
def document_create(request, public_id: str):
    handler = _uploading(request)
    try:
        safe = selectors.safe_get_for(actor(request), public_id)  # before the body is read
        data = _form(DocumentIn, request)
        deposit = services.document_deposit(
            safe=safe, upload=_sealed_file(request), category=data.category, title=data.title,
            issued_on=data.issued_on, expires_on=data.expires_on,
            idempotency_key=request.headers.get("Idempotency-Key", ""))
    except BaseException:
        abort_uploads(request)
        raise
    finally:
        handler.discard_all()
    document = selectors.document_get_for(safe, deposit.document.uid)
    return Status(201 if deposit.created else 200, document)


@router.get("/documents/{uid}", response={200: DocumentOut, codes_4xx: ErrorOut},
            summary="Un document (sa consultation est inscrite dans l'historique)")
def document_detail(request, uid: str):
    _safe, document = selectors.document_by_uid_for(actor(request), uid, record_view=True)
    return document


@router.patch("/documents/{uid}", response={200: DocumentOut, codes_4xx: ErrorOut},
              summary="Modifier le nom, la catégorie ou les dates (la personne seulement)")
def document_patch(request, uid: str, payload: DocumentPatch):
    safe, document = selectors.document_by_uid_for(actor(request), uid)
    fields = payload.model_dump(exclude_unset=True)
    values = {name: fields.get(name, getattr(document, name))
              for name in ("title", "category", "issued_on", "expires_on")}
    if values["title"] is None or values["category"] is None:
        raise PasseportError(_("Le nom et la catégorie ne peuvent pas être vides."),
                             code="invalid_input", field="title")
    services.document_update(safe=safe, document=document, **values)
    return selectors.document_get_for(safe, uid)


@router.delete("/documents/{uid}", response={204: None, codes_4xx: ErrorOut},
               summary="Supprimer un document et toutes ses versions (la personne seulement)",
               description="Effacement définitif (les clés sont détruites) ; l'historique garde "
                           "une trace.")
def document_delete(request, uid: str):
    safe, document = selectors.document_by_uid_for(actor(request), uid)
    services.document_delete(safe=safe, document=document)
    return Status(204, None)


@router.post("/documents/{uid}/versions", auth=UPLOAD_AUTH,
             response={200: DocumentOut, 201: DocumentOut, codes_4xx: ErrorOut, 503: ErrorOut},
             summary="Ajouter une version",
             openapi_extra=_multipart({"file": {"type": "string", "format": "binary",
                                                "required": True}}))
def version_create(request, uid: str):
    handler = _uploading(request)
    try:
        safe, document = selectors.document_by_uid_for(actor(request), uid)
        deposit = services.document_add_version(
            safe=safe, document=document, upload=_sealed_file(request),
            idempotency_key=request.headers.get("Idempotency-Key", ""))
    except BaseException:
        abort_uploads(request)
        raise
    finally:
        handler.discard_all()
    return Status(201 if deposit.created else 200, selectors.document_get_for(safe, uid))


@router.get("/documents/{uid}/versions/{number}/content", url_name="vault_version_content",
            response={codes_4xx: ErrorOut, 500: ErrorOut},
            summary="Télécharger le fichier d'une version",
            description="Le fichier en clair, en pièce jointe. Vérifié en entier avant "
                        "l'envoi : 500 `integrity_error` s'il est abîmé.")
def version_content(request, uid: str, number: int):
    safe, document = selectors.document_by_uid_for(actor(request), uid)
    version = selectors.version_get(document, number)
    return file_response(services.version_open(safe=safe, document=document, version=version))


# --- Shares (the person only) -------------------------------------------------------------

@router.get("/persons/{public_id}/shares", response={200: list[ShareOut], codes_4xx: ErrorOut},
            summary="Les partages de la personne (la personne seulement)")
def shares_list(request, public_id: str):
    safe = selectors.safe_get_for(actor(request), public_id)
    return list(selectors.shares_of(safe))


@router.post("/persons/{public_id}/shares", response={201: ShareOut, codes_4xx: ErrorOut},
             summary="Partager un document ou une catégorie avec une structure",
             description="La personne seulement, avec une structure qui l'accompagne. "
                         "Enregistre aussi son accord pour la partie « documents ».")
def share_create(request, public_id: str, payload: ShareIn):
    safe = selectors.safe_get_for(actor(request), public_id)
    document = None
    if payload.document_uid:
        document = selectors.document_get_for(safe, payload.document_uid)
    organisation = Organisation.objects.filter(pk=payload.organisation_id).first()
    if organisation is None:
        raise PasseportError(_("Structure inconnue."), code="invalid_organisation",
                             field="organisation_id")
    share = services.share_create(safe=safe, organisation=organisation,
                                  expires_on=payload.expires_on, document=document,
                                  category=payload.category or "")
    return Status(201, share)


@router.delete("/persons/{public_id}/shares/{share_id}", response={204: None, codes_4xx: ErrorOut},
               summary="Arrêter un partage (immédiat)")
def share_revoke(request, public_id: str, share_id: int):
    safe = selectors.safe_get_for(actor(request), public_id)
    services.share_revoke(safe=safe, share=selectors.share_get_for(safe, share_id))
    return Status(204, None)


# --- Log, export, import (the person only) --------------------------------------------------

@router.get("/persons/{public_id}/log", response={200: LogPage, codes_4xx: ErrorOut},
            summary="L'historique des documents (la personne seulement)",
            description="Du plus récent au plus ancien ; `cursor` = `next_cursor` de la page "
                        "précédente.")
def log_list(request, public_id: str, cursor: str | None = None,
             limit: int = Query(50, ge=1, le=200)):
    safe = selectors.safe_get_for(actor(request), public_id)
    qs = selectors.log_of(safe)
    if cursor:
        if not (cursor.isascii() and cursor.isdigit() and len(cursor) <= 18):
            raise PasseportError(_("Curseur de pagination invalide."), code="invalid_cursor",
                                 field="cursor")
        qs = qs.filter(seq__lt=int(cursor))
    items = list(qs[: limit + 1])
    next_cursor = str(items[limit - 1].seq) if len(items) > limit else None
    return {"items": items[:limit], "next_cursor": next_cursor}


@router.get("/persons/{public_id}/export", response={codes_4xx: ErrorOut},
            summary="Tous les documents en ZIP, avec `manifest.json` (empreintes SHA-256)")
def export(request, public_id: str):
    safe = selectors.safe_get_for(actor(request), public_id)
    return zip_response(services.export_archive(safe=safe), f"documents-{public_id}.zip")


@router.post("/persons/{public_id}/import", response={201: ImportOut, codes_4xx: ErrorOut},
             summary="Ré-importer un export (vérifié fichier par fichier)",
             description="400 `import_rejected` si un fichier ne correspond pas au manifeste : "
                         "rien n'est alors enregistré.",
             openapi_extra=_multipart({"archive": {"type": "string", "format": "binary",
                                                   "required": True}}))
def import_(request, public_id: str):
    safe = selectors.safe_get_for(actor(request), public_id)
    archive = request.FILES.get("archive")
    if archive is None:
        raise PasseportError(_("Envoyez l'archive ZIP."), code="file_required", field="archive")
    result = services.import_archive(safe=safe, archive_file=archive)
    documents = {d.pk: d for d in selectors.documents_of(safe)}
    return Status(201, {"created": [documents[d.pk] for d in result.created],
                        "already_there": [str(d.uid) for d in result.already_there]})
