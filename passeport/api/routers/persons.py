"""Persons accompanied, their consents and who accessed their passport.

Visibility: a person is visible to an organisation while their active consent covers
it for the path ("path" scope); anyone else gets 404 `not_found`. Every read is recorded
in the audit log (lists: one event per person listed).
"""

from __future__ import annotations

from datetime import date, datetime
from math import ceil
from typing import Annotated, Literal

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.responses import codes_4xx
from pydantic import EmailStr, Field, StringConstraints, field_validator, model_validator

from passeport.api.access import consent_organisation
from passeport.api.auth import actor
from passeport.api.pagination import keyset_page
from passeport.api.schemas import (
    CursorPage,
    ErrorOut,
    OrganisationBrief,
    PublicId,
    Text,
    custom_error,
)
from passeport.paths.enums import PathStatus
from passeport.paths.selectors import person_list_page
from passeport.people.enums import ConsentMethod, ConsentScope, Gender
from passeport.people.selectors import (
    consent_get_for,
    consents_of,
    person_access_log_for,
    person_duplicates_shown,
    person_get_for,
)
from passeport.people.services import (
    DuplicateSuspected,
    consent_grant,
    consent_withdraw,
    person_claim_existing,
    person_create,
    person_update,
)

router = Router()

PostalCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^(\d{5})?$")]
InseeCode = Annotated[str, StringConstraints(strip_whitespace=True,
                                             pattern=r"^(\d{5}|2[AB]\d{3})?$")]


# --- Schemas -------------------------------------------------------------------------

class PathBrief(Schema):
    status: PathStatus
    opened_on: date
    organisation: OrganisationBrief
    referent: str | None = Field(None, description="Nom du référent de parcours.")

    @staticmethod
    def resolve_referent(obj) -> str | None:
        return obj.referent.user.get_full_name() if obj.referent_id else None


class PersonListItem(Schema):
    public_id: str
    first_name: str
    last_name: str
    birth_date: date
    commune_name: str
    nir_masked: str = Field(description="NIR masqué (jamais en clair), vide s'il n'est pas connu.")
    path: PathBrief | None = Field(None, description="Le parcours en cours (ou le dernier).")

    @staticmethod
    def resolve_path(obj):
        return obj.current_path


class PersonListOut(Schema):
    count: int
    page: int
    page_size: int
    pages: int
    items: list[PersonListItem]


class PersonFilters(Schema):
    q: Text(100) = Field("", description="Nom, prénom ou nom de naissance (accents et "
                                         "majuscules ignorés).")
    status: PathStatus | Literal["none"] | None = Field(
        None, description="Statut du parcours en cours ; `none` : pas encore de parcours.")
    page: int = Field(1, ge=1)
    # At most 50: the audit insert of the page stays one query on every database
    # (SQLite accepts 999 parameters per query).
    page_size: int = Field(25, ge=1, le=50)


class PersonOut(Schema):
    public_id: str = Field(description="Identifiant unique de la personne, partagé par "
                                       "toutes les structures.")
    first_name: str
    last_name: str
    birth_name: str
    birth_date: date
    birth_place: str
    gender: str
    email: str
    phone: str
    address: str
    postal_code: str
    commune_insee: str
    commune_name: str
    nir_masked: str = Field(description="NIR masqué ; le NIR en clair n'est jamais exposé.")
    has_account: bool = Field(description="La personne a ouvert son espace.")
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_has_account(obj) -> bool:
        return obj.user_id is not None


class PersonFields(Schema):
    birth_name: Text(100) = ""
    birth_place: Text(120) = ""
    gender: Gender = Gender.UNKNOWN
    email: EmailStr | Literal[""] = ""
    phone: Text(20) = ""
    address: Text(250) = ""
    postal_code: PostalCode = ""
    commune_insee: InseeCode = Field("", description="Code commune INSEE (COG).")
    commune_name: Text(120) = ""


class PersonCreateIn(PersonFields):
    first_name: Text(100, required=True)
    last_name: Text(100, required=True)
    birth_date: date
    nir: Text(21) | None = Field(None, description="Numéro de sécurité sociale (15 chiffres, "
                                                   "clé vérifiée), facultatif.")
    scopes: list[ConsentScope] = Field(
        default_factory=lambda: [ConsentScope.PATH], min_length=1,
        description="Parties du passeport que la personne ouvre à votre structure ; "
                    "doit comprendre `path`.")
    consent_method: Literal["written", "oral", "legal"] = ConsentMethod.ORAL.value
    purpose: Text(250) = ""
    ignore_duplicates: bool = Field(False, description="Créer malgré des doublons possibles.")
    existing_public_id: PublicId | None = Field(
        None, description="« C'est cette personne » : l'un des doublons signalés (409) ; son "
                          "accord à votre structure est enregistré au lieu d'une création.")

    @field_validator("scopes")
    @classmethod
    def _path_scope(cls, scopes):
        if ConsentScope.PATH not in scopes:
            raise custom_error("path_scope_required",
                               _("La partie « parcours » (path) est nécessaire pour suivre "
                                 "la personne."))
        return scopes


class PersonPatchIn(Schema):
    # Every field is optional; a field left out is unchanged. `nir: ""` removes the NIR.
    first_name: Text(100, required=True) = None
    last_name: Text(100, required=True) = None
    birth_date: date = None
    birth_name: Text(100) = None
    birth_place: Text(120) = None
    gender: Gender = None
    email: EmailStr | Literal[""] = None
    phone: Text(20) = None
    address: Text(250) = None
    postal_code: PostalCode = None
    commune_insee: InseeCode = None
    commune_name: Text(120) = None
    nir: Text(21) = None


class ConsentOut(Schema):
    id: int
    organisation: OrganisationBrief
    scope: ConsentScope
    purpose: str
    method: ConsentMethod
    valid_from: date
    valid_until: date | None
    recorded_at: datetime
    withdrawn_at: datetime | None
    is_active: bool


class ConsentIn(Schema):
    organisation_id: int | None = Field(
        None, description="Structure qui reçoit l'accord. Un professionnel ne peut "
                          "enregistrer un accord que pour sa structure (valeur par défaut).")
    scopes: list[ConsentScope] = Field(min_length=1)
    method: ConsentMethod
    purpose: Text(250, required=True)
    valid_from: date | None = None
    valid_until: date | None = None

    @model_validator(mode="after")
    def _dates(self):
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValueError(_("La date de fin est avant la date de début."))
        return self


class AccessEventOut(Schema):
    at: datetime
    actor: str
    organisation: str | None
    action: str
    object_type: str
    channel: str

    @staticmethod
    def resolve_actor(obj) -> str:
        return obj.actor_label

    @staticmethod
    def resolve_organisation(obj) -> str | None:
        return obj.organisation.name if obj.organisation_id else None


class AccessLogOut(CursorPage):
    items: list[AccessEventOut]


# --- Persons -------------------------------------------------------------------------

@router.get("/persons", response={200: PersonListOut, codes_4xx: ErrorOut},
            summary="Les personnes suivies par la structure",
            description="Pagination par numéro de page (`page`, `page_size` ≤ 50), ordre "
                        "alphabétique. Seules les personnes dont l'accord couvre votre "
                        "structure (partie « parcours ») sont listées ; chacune est tracée "
                        "dans le journal d'accès. Le NIR est toujours masqué.")
def person_list(request, filters: Query[PersonFilters]):
    result = person_list_page(actor(request), q=filters.q, status=filters.status or "",
                              page=filters.page, page_size=filters.page_size)
    return {"count": result.count, "page": result.page, "page_size": result.page_size,
            "pages": ceil(result.count / result.page_size), "items": result.persons}


@router.post("/persons", response={201: PersonOut, codes_4xx: ErrorOut},
             summary="Créer un passeport",
             description="Enregistre aussi l'accord de la personne à votre structure. Si des "
                         "doublons sont possibles : 409 `duplicate_suspected` avec "
                         "`details.candidates` ; renvoyez avec `ignore_duplicates: true` pour "
                         "créer quand même, ou `existing_public_id` pour suivre la personne "
                         "existante. NIR invalide : 400 `invalid_nir`, rien n'est enregistré.")
def person_post(request, payload: PersonCreateIn):
    a = actor(request)
    fields = payload.model_dump(exclude={"nir", "scopes", "consent_method", "purpose",
                                         "ignore_duplicates", "existing_public_id"})
    common = {"actor": a, "data": fields, "nir": payload.nir, "scopes": payload.scopes,
              "consent_method": payload.consent_method, "purpose": payload.purpose}
    if payload.existing_public_id:
        return Status(201, person_claim_existing(existing_public_id=payload.existing_public_id,
                                                 **common))
    try:
        return Status(201, person_create(ignore_duplicates=payload.ignore_duplicates, **common))
    except DuplicateSuspected as exc:
        person_duplicates_shown(a, exc.candidates)  # they are shown: audit it
        raise


@router.get("/persons/{public_id}", response={200: PersonOut, codes_4xx: ErrorOut},
            summary="Une personne")
def person_detail(request, public_id: str):
    return person_get_for(actor(request), public_id, scope=ConsentScope.PATH)


@router.patch("/persons/{public_id}", response={200: PersonOut, codes_4xx: ErrorOut},
              summary="Modifier l'identité ou les coordonnées d'une personne",
              description="Seuls les champs envoyés changent. `nir: \"\"` retire le NIR.")
def person_patch(request, public_id: str, payload: PersonPatchIn):
    a = actor(request)
    person = person_get_for(a, public_id, scope=ConsentScope.PATH)
    data = payload.model_dump(exclude_unset=True)
    nir = data.pop("nir", None)
    return person_update(actor=a, person=person, data=data, nir=nir)


# --- Consents ------------------------------------------------------------------------

@router.get("/persons/{public_id}/consents", response={200: list[ConsentOut], codes_4xx: ErrorOut},
            summary="Les accords de la personne (toutes structures, historique compris)")
def consent_list(request, public_id: str):
    person = person_get_for(actor(request), public_id, scope=ConsentScope.PATH, what="consents")
    return consents_of(person)


@router.post("/persons/{public_id}/consents",
             response={201: list[ConsentOut], codes_4xx: ErrorOut},
             summary="Enregistrer l'accord de la personne",
             description="Un accord par partie du passeport (`scopes`). Un professionnel "
                         "enregistre un accord pour sa structure seulement.")
def consent_post(request, public_id: str, payload: ConsentIn):
    a = actor(request)
    person = person_get_for(a, public_id, scope=ConsentScope.PATH, what="consents")
    consents = consent_grant(
        actor=a, person=person, organisation=consent_organisation(a, payload.organisation_id),
        scopes=payload.scopes, method=payload.method, purpose=payload.purpose,
        valid_from=payload.valid_from, valid_until=payload.valid_until)
    return Status(201, consents)


@router.post("/consents/{consent_id}/withdraw", response={200: ConsentOut, codes_4xx: ErrorOut},
             summary="Retirer un accord",
             description="Par la personne, ou enregistré par la structure qui a reçu l'accord. "
                         "L'accès cesse aussitôt.")
def consent_withdraw_post(request, consent_id: int):
    a = actor(request)
    return consent_withdraw(actor=a, consent=consent_get_for(a, consent_id))


# --- Access log ----------------------------------------------------------------------

@router.get("/persons/{public_id}/access-log", response={200: AccessLogOut, codes_4xx: ErrorOut},
            summary="Qui a consulté ou modifié le passeport",
            description="Pour une structure : les accès de sa propre structure seulement. "
                        "Pour la personne : tous les accès. Pagination par curseur, du plus "
                        "récent au plus ancien.")
def access_log(request, public_id: str, cursor: str | None = None,
               limit: int = Query(50, ge=1, le=200)):
    events, next_cursor = keyset_page(person_access_log_for(actor(request), public_id),
                                      time_field="at", cursor=cursor, limit=limit)
    return {"items": events, "next_cursor": next_cursor}
