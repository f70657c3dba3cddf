"""Reads of the skills app. Every read of a person's skills by a professional goes
through `person_get_for(..., scope="skills")` (consent check + audit event)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from passeport.core.actor import Actor
from passeport.core.errors import NotFound
from passeport.jobs.enums import SkillKind
from passeport.people.enums import ConsentScope
from passeport.people.models import Person
from passeport.people.selectors import person_get_for

from . import credentials as cr
from . import digcomp, vcjwt
from .enums import CredentialState
from .models import Award, BadgeClass, Evaluation, Grid, Issuer, IssuerKey, StatusList
from .openbadges.dataintegrity import ProofCheck
from .referentials import DIGCOMP_AREAS, DIGCOMP_CODE

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def issuer_by_uid(uid) -> Issuer:
    issuer = Issuer.objects.filter(uid=uid).first()
    if issuer is None:
        raise NotFound(_("Émetteur introuvable."))
    return issuer


def issuer_keys_of(issuer: Issuer) -> list[IssuerKey]:
    """The issuer's keys, newest first (the current one, then retired or compromised)."""
    keys = list(IssuerKey.objects.filter(issuer=issuer).order_by("-number"))
    for key in keys:
        key.issuer = issuer
    return keys


def issuer_key_by_number(uid, number: int) -> IssuerKey:
    """A published key: `/badges/emetteurs/<uid>/cle` is number 1, `/cles/<n>` the others."""
    key = IssuerKey.objects.select_related("issuer").filter(issuer__uid=uid, number=number).first()
    if key is None:
        raise NotFound(_("Clé introuvable."))
    return key


def status_list_by_uid(uid) -> StatusList:
    status = StatusList.objects.select_related("issuer").filter(issuer__uid=uid).first()
    if status is None:
        raise NotFound(_("Liste de statut introuvable."))
    return status


def badge_classes_of(actor: Actor) -> QuerySet[BadgeClass]:
    return BadgeClass.objects.filter(organisation_id=actor.organisation_id, archived=False)


def badge_class_by_uid(uid) -> BadgeClass:
    badge = BadgeClass.objects.select_related("organisation").filter(uid=uid).first()
    if badge is None:
        raise NotFound(_("Badge introuvable."))
    return badge


def award_public(uid) -> Award:
    """An award by its unguessable id (its shareable link): public, no personal data."""
    try:
        award = Award.objects.select_related("badge_class", "organisation").filter(uid=uid).first()
    except Exception:  # noqa: BLE001 - not a UUID
        award = None
    if award is None:
        raise NotFound(_("Badge introuvable."))
    return award


def awards_of_person(person: Person) -> QuerySet[Award]:
    return Award.objects.filter(person=person).select_related("badge_class", "organisation")


def awards_for(actor: Actor, public_id: str) -> tuple[Person, QuerySet[Award]]:
    person = person_get_for(actor, public_id, scope=ConsentScope.SKILLS, what="skills")
    return person, awards_of_person(person)


def _key_url_match(method: str) -> re.Match | None:
    return re.fullmatch(rf"{re.escape(cr.base_url())}/badges/emetteurs/({_UUID})/(?:cle|cles/(\d+))",
                        method)


def local_issuer_key(method: str) -> IssuerKey | None:
    """The `IssuerKey` of one of Passeport's issuers a verification method URL names."""
    match = _key_url_match(method)
    if match is None:
        return None
    return (IssuerKey.objects.filter(issuer__uid=match.group(1), number=int(match.group(2) or 1))
            .only("number", "public_key_multibase", "compromised_at").first())


def local_key_resolver(method: str) -> bytes | None:
    """The public key of one of Passeport's issuers, from its key URL (current, retired
    or compromised: `local_key_compromised` says which are no longer trusted)."""
    if _key_url_match(method) is None:
        return cr.did_key_resolver(method)
    key = local_issuer_key(method)
    return cr.public_key_from_multibase(key.public_key_multibase) if key else None


def local_key_compromised(method: str):
    """When the issuer declared this key compromised (None: trusted, or not ours)."""
    key = local_issuer_key(method)
    return key.compromised_at if key else None


def local_status_bits(url: str) -> bytes | None:
    match = re.fullmatch(rf"{re.escape(cr.base_url())}/badges/statut/({_UUID})", url)
    if match is None:
        return None
    status = StatusList.objects.filter(issuer__uid=match.group(1)).only("bits").first()
    return bytes(status.bits) if status else None


def credential_verify(credential: dict, *, now=None, cache: dict | None = None) -> cr.Verification:
    """Verify a credential issued by Passeport (keys and status lists from the database).
    `cache` (a dict kept for one request) avoids reading the same key or list twice."""
    cache = {} if cache is None else cache

    def issuer_key(method):
        if ("key", method) not in cache:
            cache[("key", method)] = (local_issuer_key(method) if _key_url_match(method)
                                      else cr.did_key_resolver(method))
        return cache[("key", method)]

    def key(method):
        found = issuer_key(method)
        if isinstance(found, IssuerKey):
            return cr.public_key_from_multibase(found.public_key_multibase)
        return found

    def compromised(method):
        found = issuer_key(method)
        return found.compromised_at if isinstance(found, IssuerKey) else None

    def bits(url):
        if ("bits", url) not in cache:
            cache[("bits", url)] = local_status_bits(url)
        return cache[("bits", url)]

    return cr.verify_credential(credential, resolve_key=key, status_bits=bits, now=now,
                                key_compromised=compromised)


# -- evaluations ---------------------------------------------------------------------------

def grids_for(actor: Actor) -> QuerySet[Grid]:
    """Shipped grids and the organisation's own; not the grids per ROME fiche métier
    (one pair per fiche, made on first need: `rome.rome_grids_ensure`)."""
    return (Grid.objects.filter(Q(organisation__isnull=True) | Q(organisation_id=actor.organisation_id))
            .exclude(organisation__isnull=True, code__startswith="rome-")
            .prefetch_related("items"))


def grids_evaluated(evaluations) -> list[Grid]:
    """The grids of a person's evaluations, most recently used first (for their charts)."""
    seen: dict[int, Grid] = {}
    for e in evaluations:
        seen.setdefault(e.grid_id, e.grid)
    return list(seen.values())


def grid_by_code(code: str) -> Grid:
    grid = Grid.objects.filter(code=code).prefetch_related("items").first()
    if grid is None:
        raise NotFound(_("Grille introuvable."))
    return grid


def grid_items_known(code: str) -> set[str] | None:
    """The item codes of a shared grid known here (shipped, or a ROME fiche's grid, even
    before it is built on first need), without writing anything; None when the grid is
    unknown here (e.g. an organisation's own grid of another instance)."""
    grid = Grid.objects.filter(code=code, organisation__isnull=True).first()
    if grid is not None:
        return set(grid.items.values_list("code", flat=True))
    match = re.fullmatch(r"rome-([a-z]\d{4})-(sf|se)", code or "")
    if match is None:
        return None
    from passeport.jobs.models import RomeFicheSkill

    kind = {"sf": SkillKind.SAVOIR_FAIRE, "se": SkillKind.SAVOIR_ETRE}[match.group(2)]
    codes = {str(c) for c in RomeFicheSkill.objects.filter(fiche_id=match.group(1).upper(), kind=kind)
             .values_list("skill_id", flat=True)}
    return codes or None


def evaluations_of(person: Person) -> QuerySet[Evaluation]:
    return (Evaluation.objects.filter(person=person)
            .select_related("grid", "organisation", "evidence_document")
            .prefetch_related("scores__item"))


@dataclass
class SkillsView:
    person: Person
    evaluations: list
    awards: list
    imported: list


def skills_view_for(actor: Actor, public_id: str) -> SkillsView:
    """A person's evaluations and badges for a professional (consent "skills", audited)."""
    person = person_get_for(actor, public_id, scope=ConsentScope.SKILLS, what="skills")
    return SkillsView(person, list(evaluations_of(person)), list(awards_of_person(person)),
                      list(person.imported_badges.all()))


@dataclass
class ProgressPoint:
    evaluation: Evaluation
    values: dict  # series key -> level


@dataclass
class Progress:
    grid: Grid
    series: list  # [(key, label)]
    points: list  # [ProgressPoint], oldest first
    max_level: int


def progress(evaluations, grid: Grid) -> Progress | None:
    """Levels over time for one grid: per DigComp area (self-assessments and others), or
    the mean level of each evaluation on other grids."""
    evs = sorted((e for e in evaluations if e.grid_id == grid.pk),
                 key=lambda e: (e.evaluated_on, e.created_at))
    if not evs:
        return None
    if grid.code == DIGCOMP_CODE:
        series = [(a, name) for a, name in DIGCOMP_AREAS.items()]
        points = []
        for e in evs:
            levels = {a.area: a.level for a in digcomp.score({s.item.code: s.level for s in e.scores.all()})}
            points.append(ProgressPoint(e, levels))
        return Progress(grid, series, points, 3)
    # The mean of each skill's latest level so far: an evaluation that observes fewer
    # skills than the one before does not read as a fall of the others.
    series = [("mean", str(_("Niveau moyen (dernier niveau de chaque compétence)")))]
    points, latest = [], {}
    for e in evs:
        latest.update({s.item_id: s.level for s in e.scores.all()})
        points.append(ProgressPoint(e, {"mean": round(sum(latest.values()) / len(latest), 1)}))
    return Progress(grid, series, points, 4)


def wallet_of(person: Person) -> list[tuple[Award, cr.Verification]]:
    """The person's own badges with their verification state (the person's own read)."""
    cache: dict = {}
    return [(a, credential_verify(a.credential, cache=cache)) for a in awards_of_person(person)]


def imported_of(person: Person):
    return person.imported_badges.all()


def local_jwt_key(kid: str, iss: str) -> IssuerKey | None:
    """The `IssuerKey` whose RS256 JWK has this `kid`, of the Passeport issuer `iss`
    (the issuer's URL); without a `kid`, its current key."""
    match = re.fullmatch(rf"{re.escape(cr.base_url())}/badges/emetteurs/({_UUID})", iss)
    if match is None:
        return None
    keys = IssuerKey.objects.filter(issuer__uid=match.group(1)).exclude(jwt_private_key_sealed="")
    key = keys.filter(jwt_public_jwk__kid=kid).first() if kid else keys.current().first()
    return key if key is not None and key.jwt_public_jwk else None


def local_jwk_resolver(kid: str, iss: str) -> dict | None:
    """The RS256 JWK of one of Passeport's issuers (`iss` is the issuer's URL)."""
    key = local_jwt_key(kid, iss)
    return key.jwt_public_jwk if key else None


def jwks_of(keys: list[IssuerKey]) -> dict:
    """The JWKS of an issuer: the RSA keys of its current and retired keys, each with its
    own `kid`; compromised ones are left out, so outside verifiers refuse their JWTs."""
    return {"keys": [k.jwt_public_jwk for k in keys if k.jwt_public_jwk and not k.is_compromised]}


def credential_verify_jwt(token: str, *, now=None) -> cr.Verification:
    """Verify the VC-JWT form of a credential issued by Passeport."""
    used: dict = {}

    def resolve(kid, iss):
        used["key"] = local_jwt_key(kid, iss)
        return used["key"].jwt_public_jwk if used["key"] else None

    vc, reason = vcjwt.decode(token, resolve_jwk=resolve)
    if vc is None:
        return cr.Verification(CredentialState.INVALID, [("signature", False, reason)])
    key = used.get("key")
    if key is not None and key.compromised_at is not None:
        return cr.Verification(CredentialState.INVALID, [
            ("signature", True, ""), ("key_status", False, f"key_compromised:{cr.iso(key.compromised_at)}")],
            credential=vc)
    issuer = vc.get("issuer")
    method = issuer.get("id", "") if isinstance(issuer, dict) else str(issuer)
    return cr.verify_credential(vc, resolve_key=local_key_resolver, status_bits=local_status_bits,
                                now=now, proof=ProofCheck(True, method))
