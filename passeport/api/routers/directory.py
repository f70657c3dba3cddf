"""The service directory (data·inclusion schema v1) and orientations.

- Communes: lookup by postal code or name (accent-insensitive).
- Services: search by thématique, public, mode d'accueil, free text, commune + radius;
  sorted by relevance then distance. A service's `data` is its data·inclusion record.
- Offer: an organisation's own structures and services (managers, administrators and
  the organisation's API tokens), validated with the data·inclusion models (422
  `invalid_record` naming the field).
- Import (administrators, API tokens) and export, in the data·inclusion schema.
- Orientations: create (the person's agreement is required; the shared parts of the
  passport are granted to the partner), list (received / sent), read, and their
  transitions: 409 `invalid_transition` when the status does not allow it, 403
  `not_your_side` when it is the other organisation's to do. An organisation that
  neither sent nor received an orientation gets 404 `not_found`.
"""

from __future__ import annotations

import json
from datetime import datetime
from math import ceil
from typing import Any, Literal

from data_inclusion.schema.v1 import (
    Frais,
    ModeAccueil,
    ModeMobilisation,
    PersonneMobilisatrice,
    Public,
    ReseauPorteur,
    Thematique,
    TypeService,
)
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.responses import codes_4xx
from pydantic import EmailStr, Field

from passeport.api.auth import actor
from passeport.api.pagination import MAX_PAGE
from passeport.api.schemas import ErrorOut, OrganisationBrief, PublicId, Text
from passeport.core.errors import NotFound, PasseportError
from passeport.directory import dataschema
from passeport.directory.enums import (
    CATEGORIES,
    OrientationAction,
    OrientationStatus,
    RefusalReason,
)
from passeport.directory.models import Structure
from passeport.directory.selectors import (
    DEFAULT_RADIUS_KM,
    MAX_RADIUS_KM,
    ServiceFilters,
    commune_get,
    commune_resolve,
    communes_lookup,
    directory_export,
    orientation_get_for,
    orientations_listed,
    orientations_of_person_for,
    orientations_received,
    orientations_sent,
    service_get,
    service_get_own,
    services_of,
    services_search,
    structure_get_own,
    structures_of,
)
from passeport.directory.services import (
    directory_import,
    orientation_accept,
    orientation_cancel,
    orientation_create,
    orientation_provide_info,
    orientation_refuse,
    orientation_request_info,
    service_delete,
    service_save,
    service_set_published,
    structure_delete,
    structure_save,
)
from passeport.directory.states import allowed_actions
from passeport.people.enums import ConsentMethod, ConsentScope
from passeport.people.selectors import person_get_for

router = Router()

ThematiqueOrCategorie = Literal[tuple(CATEGORIES)] | Thematique  # type: ignore[valid-type]


# --- Schemas -------------------------------------------------------------------------------

class CommuneOut(Schema):
    code_insee: str
    name: str
    postal_codes: list[str] = Field(description="Codes postaux desservis.")
    departement: str
    region: str
    population: int
    latitude: float | None
    longitude: float | None

    @staticmethod
    def resolve_postal_codes(obj) -> list[str]:
        return obj.postal_code_list


class StructureBrief(Schema):
    id: int
    di_id: str = Field(description="Identifiant data·inclusion (unique avec `source`).")
    nom: str


class ServiceBrief(Schema):
    id: int
    di_id: str
    nom: str


class ServiceOut(Schema):
    id: int
    is_published: bool
    orientable: bool = Field(description="Reçoit des orientations dans Passeport (sa structure "
                                         "est celle d'une organisation de Passeport).")
    partner: OrganisationBrief | None = Field(None, description="L'organisation qui reçoit "
                                                                "les orientations.")
    structure: StructureBrief
    data: dict[str, Any] = Field(description="L'enregistrement data·inclusion du service "
                                             "(schéma v1).")

    @staticmethod
    def resolve_orientable(obj) -> bool:
        return obj.is_orientable

    @staticmethod
    def resolve_partner(obj):
        return obj.structure.organisation

    @staticmethod
    def resolve_data(obj) -> dict:
        return dataschema.service_record(obj)


class ServiceHitOut(ServiceOut):
    distance_km: float | None = Field(None, description="Distance à la commune cherchée.")
    relevance: int = Field(description="Pertinence : 3 par mot trouvé dans le nom, 1 ailleurs ; "
                                       "+2 si le service vise le public demandé.")


class SearchOut(Schema):
    count: int
    page: int
    pages: int
    commune: CommuneOut | None
    radius_km: float | None
    items: list[ServiceHitOut]


class StructureOut(Schema):
    id: int
    organisation: OrganisationBrief | None
    services_count: int = 0
    data: dict[str, Any] = Field(description="L'enregistrement data·inclusion de la structure.")

    @staticmethod
    def resolve_data(obj) -> dict:
        return dataschema.structure_record(obj)

    @staticmethod
    def resolve_services_count(obj) -> int:
        count = getattr(obj, "services_count", None)
        return obj.services.count() if count is None else count


class StructureIn(Schema):
    """The data·inclusion fields of a structure (source, id and date_maj are set by
    Passeport). The INSEE code is found from the commune and postal code if missing."""

    nom: Text(150, required=True)
    description: Text(10000) = ""
    siret: str | None = Field(None, description="Par défaut, le SIRET de votre organisation.")
    adresse: Text(250) = ""
    complement_adresse: Text(250) = ""
    code_postal: Text(5) = ""
    commune: Text(150) = ""
    code_insee: Text(5) = ""
    latitude: float | None = None
    longitude: float | None = None
    telephone: Text(40) = ""
    courriel: EmailStr | None = None
    site_web: str | None = None
    lien_source: str | None = None
    horaires_accueil: Text(500) = ""
    accessibilite_lieu: str | None = None
    reseaux_porteurs: list[ReseauPorteur] = Field(default_factory=list)


class StructurePatchIn(StructureIn):
    nom: Text(150) = None  # type: ignore[assignment]


class ServiceIn(Schema):
    """The data·inclusion fields of a service (source, id, structure_id and date_maj are
    set by Passeport)."""

    structure_id: int = Field(description="Une structure de votre organisation (son `id`).")
    nom: Text(150, required=True)
    description: Text(10000, required=True)
    type: TypeService | None = None
    thematiques: list[Thematique] = Field(default_factory=list)
    publics: list[Public] = Field(default_factory=list)
    publics_precisions: Text(5000) = ""
    conditions_acces: Text(5000) = ""
    frais: Frais | None = None
    frais_precisions: Text(5000) = ""
    modes_accueil: list[ModeAccueil] = Field(default_factory=list)
    adresse: Text(250) = ""
    complement_adresse: Text(250) = ""
    code_postal: Text(5) = ""
    commune: Text(150) = ""
    code_insee: Text(5) = ""
    latitude: float | None = None
    longitude: float | None = None
    zone_eligibilite: list[str] = Field(default_factory=list,
                                        description="Codes commune, département, EPCI, pays, "
                                                    "ou « france ».")
    telephone: Text(40) = ""
    courriel: EmailStr | None = None
    contact_nom_prenom: Text(150) = ""
    horaires_accueil: Text(500) = ""
    lien_source: str | None = None
    lien_mobilisation: str | None = None
    modes_mobilisation: list[ModeMobilisation] = Field(default_factory=list)
    mobilisable_par: list[PersonneMobilisatrice] = Field(default_factory=list)
    mobilisation_precisions: Text(5000) = ""
    volume_horaire_hebdomadaire: float | None = Field(None, ge=0)
    nombre_semaines: int | None = Field(None, ge=1)


class ServicePatchIn(ServiceIn):
    structure_id: int | None = None  # type: ignore[assignment]
    nom: Text(150) = None  # type: ignore[assignment]
    description: Text(10000) = None  # type: ignore[assignment]
    is_published: bool | None = Field(None, description="`false` retire le service de "
                                                        "l'annuaire (sans le supprimer).")


class ImportErrorOut(Schema):
    kind: Literal["structure", "service"]
    index: int = Field(description="Position dans le fichier (1 = le premier).")
    id: str
    reasons: list[str]


class ImportCounts(Schema):
    created: int
    updated: int
    unchanged: int
    total: int


class ImportOut(Schema):
    structures: ImportCounts
    services: ImportCounts
    skipped: int
    errors: list[ImportErrorOut]


class PersonBrief(Schema):
    public_id: str
    first_name: str
    last_name: str


class OrientationEventOut(Schema):
    at: datetime
    action: OrientationAction
    from_status: str
    to_status: OrientationStatus
    author: str | None
    organisation: OrganisationBrief | None
    refusal_reason: str
    comment: str

    @staticmethod
    def resolve_author(obj) -> str | None:
        return (obj.author.get_full_name() or obj.author.email) if obj.author_id else None


class OrientationOut(Schema):
    id: int
    status: OrientationStatus
    status_label: str
    person: PersonBrief
    service: ServiceBrief
    partner: OrganisationBrief
    sender: OrganisationBrief
    message: str
    shared_scopes: list[ConsentScope]
    consent_method: str
    refusal_reason: str
    answer_comment: str
    created_at: datetime
    waiting_since: datetime
    answered_at: datetime | None
    closed_at: datetime | None
    reminders_sent: int
    allowed_actions: list[str] = Field(description="Ce que votre organisation peut faire "
                                                   "maintenant.")

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_allowed_actions(obj, context) -> list[str]:
        request = context["request"]
        side = "partner" if obj.partner_id == request.actor.organisation_id else "sender"
        return [str(a) for a in allowed_actions(obj.status, side)]


class OrientationDetailOut(OrientationOut):
    events: list[OrientationEventOut]

    @staticmethod
    def resolve_events(obj) -> list:
        return list(obj.events.all())


class OrientationPageOut(Schema):
    count: int
    page: int
    pages: int
    items: list[OrientationOut]


class OrientationIn(Schema):
    person_id: PublicId = Field(description="Identifiant public de la personne.")
    service_id: int
    message: Text(5000, required=True)
    scopes: list[ConsentScope] = Field(default_factory=list, description="Parties du "
                                       "passeport partagées avec le partenaire.")
    consent_method: Literal["oral", "written", "legal"] = Field(
        description="Comment le référent a recueilli l'accord de la personne.")
    person_agreed: bool = Field(description="Le référent confirme que la personne est "
                                            "d'accord (obligatoire).")


class CommentIn(Schema):
    comment: Text(5000) = ""


class RefuseIn(Schema):
    reason: RefusalReason
    comment: Text(5000) = Field("", description="Obligatoire pour le motif `other`.")


class MessageIn(Schema):
    message: Text(5000, required=True)


# --- Communes ------------------------------------------------------------------------------

@router.get("/communes", response={200: list[CommuneOut], codes_4xx: ErrorOut},
            summary="Chercher une commune",
            description="Par code postal (`29200`), début de code postal, code INSEE, nom "
                        "(sans accents ni majuscules : `quimperle`, `St Malo`) ou nom et code "
                        "postal (`Brest (29200)`). Les plus peuplées d'abord.")
def commune_list(request, q: str, limit: int = Query(10, ge=1, le=50)):
    return communes_lookup(q, limit=limit)


@router.get("/communes/{code_insee}", response={200: CommuneOut, codes_4xx: ErrorOut},
            summary="Une commune par son code INSEE")
def commune_detail(request, code_insee: str):
    commune = commune_get(code_insee)
    if commune is None:
        raise NotFound(_("Commune introuvable."))
    return commune


# --- Search --------------------------------------------------------------------------------

@router.get("/services", response={200: SearchOut, codes_4xx: ErrorOut},
            summary="Chercher des services",
            description="Par catégorie ou thématique data·inclusion, public, mode d'accueil, "
                        "texte libre (sans accents), et commune + rayon (km). Tri : pertinence, "
                        "puis distance.")
def service_search(request, thematique: ThematiqueOrCategorie | None = None,
                   public: Public | None = None, mode_accueil: ModeAccueil | None = None,
                   q: str = Query("", max_length=100),
                   commune: str = Query("", description="Code INSEE, code postal ou nom."),
                   radius_km: float = Query(DEFAULT_RADIUS_KM, gt=0, le=MAX_RADIUS_KM),
                   page: int = Query(1, ge=1, le=MAX_PAGE), page_size: int = Query(20, ge=1, le=100)):
    resolved = None
    if commune.strip():
        resolved = commune_resolve(commune)
        if resolved is None or not resolved.has_coordinates:
            raise PasseportError(_("Commune introuvable (ou sans position connue)."),
                                 code="unknown_commune", field="commune")
    filters = ServiceFilters(q=q, thematique=thematique or "", public=public or "",
                             mode_accueil=mode_accueil or "", commune=resolved,
                             radius_km=radius_km)
    result = services_search(filters, page=page, page_size=page_size)
    items = []
    for hit in result.hits:
        hit.service.distance_km = hit.distance_km
        hit.service.relevance = hit.relevance
        items.append(hit.service)
    return {"count": result.total, "page": result.page, "pages": result.pages,
            "commune": resolved, "radius_km": radius_km if resolved else None, "items": items}


@router.get("/services/{service_id}", response={200: ServiceOut, codes_4xx: ErrorOut},
            summary="Un service")
def service_detail(request, service_id: int):
    return service_get(service_id, actor(request))


# --- The organisation's own offer ------------------------------------------------------------

@router.get("/offer/structures", response={200: list[StructureOut], codes_4xx: ErrorOut},
            summary="Les structures (lieux d'accueil) de votre organisation")
def offer_structures(request):
    return list(structures_of(actor(request).organisation_id or 0).select_related(
        "organisation"))


@router.post("/offer/structures", response={201: StructureOut, codes_4xx: ErrorOut},
             summary="Publier une structure")
def offer_structure_create(request, payload: StructureIn):
    return Status(201, structure_save(actor=actor(request), data=payload.model_dump()))


@router.get("/offer/structures/{structure_id}", response={200: StructureOut, codes_4xx: ErrorOut},
            summary="Une structure de votre organisation")
def offer_structure_detail(request, structure_id: int):
    return structure_get_own(actor(request), structure_id)


@router.patch("/offer/structures/{structure_id}",
              response={200: StructureOut, codes_4xx: ErrorOut},
              summary="Modifier une structure", description="Les champs absents ne changent pas.")
def offer_structure_patch(request, structure_id: int, payload: StructurePatchIn):
    a = actor(request)
    structure = structure_get_own(a, structure_id)
    data = dataschema.structure_record(structure)
    changes = payload.model_dump(include=payload.model_fields_set)
    if {"commune", "code_postal"} & changes.keys() and "code_insee" not in changes:
        data["code_insee"] = None  # found again from the new commune
    data.update(changes)
    return structure_save(actor=a, data=data, structure=structure)


@router.delete("/offer/structures/{structure_id}", response={204: None, codes_4xx: ErrorOut},
               summary="Supprimer une structure (et ses services)",
               description="409 `structure_has_orientations` si des personnes ont été orientées "
                           "vers ses services.")
def offer_structure_delete(request, structure_id: int):
    a = actor(request)
    structure_delete(actor=a, structure=structure_get_own(a, structure_id))
    return Status(204, None)


@router.get("/offer/services", response={200: list[ServiceOut], codes_4xx: ErrorOut},
            summary="Les services de votre organisation (publiés ou non)")
def offer_services(request):
    return list(services_of(actor(request).organisation_id or 0).select_related(
        "structure__organisation"))


def _own_structure(a, structure_id: int) -> Structure:
    structure = Structure.objects.filter(pk=structure_id, organisation_id=a.organisation_id
                                         ).first()
    if structure is None or a.organisation_id is None:
        raise PasseportError(_("Choisissez une structure de votre organisation."),
                             code="not_your_structure", field="structure_id")
    return structure


@router.post("/offer/services", response={201: ServiceOut, codes_4xx: ErrorOut},
             summary="Publier un service",
             description="Validé avec le modèle `Service` de data·inclusion : 422 "
                         "`invalid_record` en nommant le champ.")
def offer_service_create(request, payload: ServiceIn):
    a = actor(request)
    data = payload.model_dump(exclude={"structure_id"})
    return Status(201, service_save(actor=a, structure=_own_structure(a, payload.structure_id),
                                    data=data))


@router.patch("/offer/services/{service_id}", response={200: ServiceOut, codes_4xx: ErrorOut},
              summary="Modifier un service, ou le retirer de l'annuaire",
              description="Les champs absents ne changent pas ; `is_published` seul ne fait "
                          "que montrer ou cacher le service.")
def offer_service_patch(request, service_id: int, payload: ServicePatchIn):
    a = actor(request)
    service = service_get_own(a, service_id)
    fields = payload.model_fields_set
    if "is_published" in fields and payload.is_published is not None:
        service = service_set_published(actor=a, service=service,
                                        published=payload.is_published)
    changes = payload.model_dump(include=fields - {"is_published", "structure_id"})
    if changes or "structure_id" in fields:
        structure = (_own_structure(a, payload.structure_id) if payload.structure_id
                     else service.structure)
        data = dataschema.service_record(service)
        if {"commune", "code_postal"} & changes.keys() and "code_insee" not in changes:
            data["code_insee"] = None
        data.update(changes)
        service = service_save(actor=a, structure=structure, data=data, service=service)
    return service_get_own(a, service.pk)


@router.delete("/offer/services/{service_id}", response={204: None, codes_4xx: ErrorOut},
               summary="Supprimer un service",
               description="409 `service_has_orientations` si des personnes y ont été "
                           "orientées : retirez-le plutôt (`is_published: false`).")
def offer_service_delete(request, service_id: int):
    a = actor(request)
    service_delete(actor=a, service=service_get_own(a, service_id))
    return Status(204, None)


# --- Import and export --------------------------------------------------------------------

@router.post("/import", response={200: ImportOut, codes_4xx: ErrorOut},
             summary="Importer un fichier data·inclusion (JSON ou CSV)",
             description="Chaque enregistrement est validé avec les modèles data·inclusion ; "
                         "les invalides sont écartés avec leur raison (`errors`), les autres "
                         "importés. Clé : (`source`, `id`) — réimporter met à jour, sans "
                         "doublon. Réservé aux administrateurs et aux jetons d'API.")
def import_file(request, file: UploadedFile = File(...)):  # noqa: B008 - ninja's File marker
    report = directory_import(actor=actor(request), content=file.read(), filename=file.name or "")
    return report.as_dict()


def _export(request, kind: str, fmt: str, source: str, mine: bool):
    a = actor(request)
    structures, services = directory_export(
        source=source, organisation_id=a.organisation_id if mine else None)
    records = structures if kind == "structures" else services
    if fmt == "csv":
        columns = (dataschema.STRUCTURE_CSV_COLUMNS if kind == "structures"
                   else dataschema.SERVICE_CSV_COLUMNS)
        return HttpResponse(dataschema.csv_text(records, columns),
                            content_type="text/csv; charset=utf-8")
    return HttpResponse(json.dumps(records, ensure_ascii=False), content_type="application/json")


@router.get("/export/structures", summary="Exporter les structures (data·inclusion)",
            description="`format=json` (liste d'enregistrements) ou `csv` ; `source` pour une "
                        "seule source ; `mine=true` pour votre organisation.")
def export_structures(request, format: Literal["json", "csv"] = "json", source: str = "",
                      mine: bool = False):
    return _export(request, "structures", format, source, mine)


@router.get("/export/services", summary="Exporter les services publiés (data·inclusion)",
            description="Comme les structures.")
def export_services(request, format: Literal["json", "csv"] = "json", source: str = "",
                    mine: bool = False):
    return _export(request, "services", format, source, mine)


# --- Orientations ----------------------------------------------------------------------------

@router.post("/orientations", response={201: OrientationDetailOut, codes_4xx: ErrorOut},
             summary="Orienter une personne vers un service",
             description="La personne doit être d'accord (`person_agreed: true`, sinon 400 "
                         "`person_agreement_required`) ; ses accords pour `scopes` sont "
                         "enregistrés pour l'organisation partenaire. 409 "
                         "`orientation_already_open` si une orientation vers ce service attend "
                         "déjà une réponse.")
def orientation_post(request, payload: OrientationIn):
    a = actor(request)
    person = person_get_for(a, payload.person_id, scope=ConsentScope.PATH, what="orientation")
    service = service_get(payload.service_id, a)
    orientation = orientation_create(
        actor=a, person=person, service=service, message=payload.message,
        scopes=list(payload.scopes), consent_method=ConsentMethod(payload.consent_method),
        person_agreed=payload.person_agreed)
    return Status(201, orientation_get_for(a, orientation.pk))


@router.get("/orientations", response={200: OrientationPageOut, codes_4xx: ErrorOut},
            summary="Les orientations reçues (boîte de réception) ou envoyées",
            description="`box=received` (par défaut) ou `sent` ; `status` ; `person` "
                        "(identifiant public) pour celles d'une personne. Les plus récentes "
                        "d'abord.")
def orientation_list(request, box: Literal["received", "sent"] = "received",
                     status: OrientationStatus | None = None, person: PublicId | None = None,
                     page: int = Query(1, ge=1, le=MAX_PAGE), page_size: int = Query(25, ge=1, le=100)):
    a = actor(request)
    if person:
        who = person_get_for(a, person, scope=ConsentScope.PATH, what="orientation")
        found = [o for o in orientations_of_person_for(a, who)
                 if (o.partner_id if box == "received" else o.sender_id) == a.organisation_id
                 and (status is None or o.status == status)]
        total = len(found)
        items = found[(page - 1) * page_size: page * page_size]
    else:
        qs = (orientations_sent if box == "sent" else orientations_received)(
            a, status=status or "")
        total = qs.count()
        items = orientations_listed(a, list(qs[(page - 1) * page_size: page * page_size]))
    return {"count": total, "page": page, "pages": max(1, ceil(total / page_size)),
            "items": items}


@router.get("/orientations/{orientation_id}",
            response={200: OrientationDetailOut, codes_4xx: ErrorOut},
            summary="Une orientation et son historique")
def orientation_detail(request, orientation_id: int):
    return orientation_get_for(actor(request), orientation_id)


def _transition(request, orientation_id: int, call, **kwargs):
    a = actor(request)
    orientation = orientation_get_for(a, orientation_id)
    call(actor=a, orientation=orientation, **kwargs)
    return orientation_get_for(a, orientation_id)


@router.post("/orientations/{orientation_id}/accept",
             response={200: OrientationDetailOut, codes_4xx: ErrorOut},
             summary="Accepter (partenaire)")
def orientation_accept_post(request, orientation_id: int, payload: CommentIn):
    return _transition(request, orientation_id, orientation_accept, comment=payload.comment)


@router.post("/orientations/{orientation_id}/refuse",
             response={200: OrientationDetailOut, codes_4xx: ErrorOut},
             summary="Refuser avec un motif codé (partenaire)")
def orientation_refuse_post(request, orientation_id: int, payload: RefuseIn):
    return _transition(request, orientation_id, orientation_refuse, reason=payload.reason,
                       comment=payload.comment)


@router.post("/orientations/{orientation_id}/request-info",
             response={200: OrientationDetailOut, codes_4xx: ErrorOut},
             summary="Demander un complément au référent (partenaire)")
def orientation_request_info_post(request, orientation_id: int, payload: MessageIn):
    return _transition(request, orientation_id, orientation_request_info,
                       message=payload.message)


@router.post("/orientations/{orientation_id}/provide-info",
             response={200: OrientationDetailOut, codes_4xx: ErrorOut},
             summary="Envoyer le complément demandé (structure qui oriente)")
def orientation_provide_info_post(request, orientation_id: int, payload: MessageIn):
    return _transition(request, orientation_id, orientation_provide_info,
                       message=payload.message)


@router.post("/orientations/{orientation_id}/cancel",
             response={200: OrientationDetailOut, codes_4xx: ErrorOut},
             summary="Annuler (structure qui oriente)")
def orientation_cancel_post(request, orientation_id: int, payload: CommentIn):
    return _transition(request, orientation_id, orientation_cancel, comment=payload.comment)

