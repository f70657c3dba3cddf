"""The caller's organisation, its members and its API tokens."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.responses import codes_4xx
from pydantic import EmailStr

from passeport.api.access import admin_membership, organisation_of
from passeport.api.auth import actor
from passeport.api.schemas import ErrorOut, Text
from passeport.core.enums import OrganisationKind, Role
from passeport.core.errors import NotFound
from passeport.core.selectors import api_tokens_of, members_of
from passeport.core.services import api_token_create, api_token_revoke, member_add, member_set_role

router = Router()


class OrganisationOut(Schema):
    id: int
    name: str
    kind: OrganisationKind
    siret: str | None
    commune_insee: str
    commune_name: str


class MemberOut(Schema):
    id: int
    email: str
    first_name: str
    last_name: str
    role: Role
    job_title: str
    is_active: bool
    created_at: datetime

    @staticmethod
    def resolve_email(obj) -> str:
        return obj.user.email

    @staticmethod
    def resolve_first_name(obj) -> str:
        return obj.user.first_name

    @staticmethod
    def resolve_last_name(obj) -> str:
        return obj.user.last_name


class MemberIn(Schema):
    email: EmailStr
    first_name: Text(150, required=True)
    last_name: Text(150, required=True)
    role: Role = Role.REFERENT
    job_title: Text(120) = ""


class MemberPatchIn(Schema):
    role: Role = None
    is_active: bool = None


class TokenIn(Schema):
    name: Text(120, required=True)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    created_by: str | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    @staticmethod
    def resolve_created_by(obj) -> str | None:
        return obj.created_by.email if obj.created_by_id else None


class TokenCreatedOut(TokenOut):
    token: str


@router.get("/me", response={200: OrganisationOut, codes_4xx: ErrorOut},
            summary="La structure de l'appelant")
def my_organisation(request):
    return organisation_of(actor(request))


@router.get("/me/members", response={200: list[MemberOut], codes_4xx: ErrorOut},
            summary="Les membres de la structure")
def member_list(request):
    return members_of(organisation_of(actor(request)))


@router.post("/me/members", response={201: MemberOut, codes_4xx: ErrorOut},
             summary="Ajouter un membre (administrateurs)")
def member_create(request, payload: MemberIn):
    a = actor(request)
    admin_membership(a)
    membership = member_add(actor=a, organisation=a.organisation, **payload.model_dump())
    return Status(201, membership)


@router.patch("/me/members/{member_id}", response={200: MemberOut, codes_4xx: ErrorOut},
              summary="Changer le rôle d'un membre ou le désactiver (administrateurs)")
def member_update(request, member_id: int, payload: MemberPatchIn):
    a = actor(request)
    admin_membership(a)
    membership = members_of(a.organisation).filter(pk=member_id).first()
    if membership is None:
        raise NotFound(_("Membre introuvable."))
    role = payload.role if payload.role is not None else membership.role
    is_active = payload.is_active if payload.is_active is not None else membership.is_active
    return member_set_role(actor=a, membership=membership, role=role, is_active=is_active)


@router.post("/me/tokens", response={201: TokenCreatedOut, codes_4xx: ErrorOut},
             summary="Créer un jeton d'API (administrateurs, par session)",
             description="Le jeton en clair (`token`) n'est donné qu'une fois : seule son "
                         "empreinte est conservée.")
def token_create(request, payload: TokenIn):
    a = actor(request)
    admin_membership(a)
    token, raw = api_token_create(actor=a, organisation=a.organisation, name=payload.name)
    token.token = raw
    return Status(201, token)


@router.get("/me/tokens", response={200: list[TokenOut], codes_4xx: ErrorOut},
            summary="Les jetons d'API de la structure (administrateurs)")
def token_list(request):
    a = actor(request)
    admin_membership(a)
    return api_tokens_of(a.organisation)


@router.delete("/me/tokens/{token_id}", response={204: None, codes_4xx: ErrorOut},
               summary="Révoquer un jeton d'API (administrateurs)")
def token_revoke(request, token_id: int):
    a = actor(request)
    admin_membership(a)
    token = api_tokens_of(a.organisation).filter(pk=token_id).first()
    if token is None:
        raise NotFound(_("Jeton introuvable."))
    api_token_revoke(actor=a, token=token)
    return Status(204, None)
