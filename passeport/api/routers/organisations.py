from __future__ import annotations

from ninja import Router, Schema

from passeport.api.auth import actor

router = Router()


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    siret: str | None
    commune_insee: str
    commune_name: str


@router.get("/me", response=OrganisationOut, summary="La structure de l'appelant")
def my_organisation(request):
    org = actor(request).organisation
    if org is None:
        from passeport.core.errors import NotFound

        raise NotFound("Aucune structure.")
    return org
