"""Reads of the directory: communes, the search of services, an organisation's own
offer, the export, and orientations (inbox, sent, one orientation, a person's)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.lookups import Exact
from django.utils.translation import gettext as _

from passeport.core.actor import Actor
from passeport.core.enums import AuditAction
from passeport.core.errors import NotFound
from passeport.core.services import audit_record, audit_record_many
from passeport.people.models import Person

from . import dataschema
from .communes import name_key
from .enums import (
    CATEGORY_BITS,
    MODE_ACCUEIL_BITS,
    PUBLIC_BITS,
    TOUS_PUBLICS,
    OrientationStatus,
    categorie_of,
)
from .geo import bounding_box, distances_from, haversine_km
from .indexing import query_words
from .models import Commune, Orientation, OrientationEvent, Service, Structure

# --- communes ----------------------------------------------------------------------------

_POSTAL_RE = re.compile(r"^\d{5}$")
_POSTAL_PREFIX_RE = re.compile(r"^\d{2,4}$")
_INSEE_RE = re.compile(r"^(\d{5}|2[AB]\d{3})$", re.IGNORECASE)
# "Brest (29200)", "Brest 29200", "29200 Brest"
_NAME_AND_POSTAL_RE = re.compile(r"^\s*(?:(?P<cp1>\d{5})\s+)?(?P<name>.*?)\s*\(?(?P<cp2>\d{5})?\)?\s*$")


def commune_get(code_insee: str) -> Commune | None:
    if not code_insee:
        return None
    return Commune.objects.filter(code_insee=code_insee.upper()).first()


def _with_postal(qs: QuerySet[Commune], code: str, prefix: bool = False) -> QuerySet[Commune]:
    """Communes served by the postal code `code` (or by a code starting with it)."""
    lookup = "postal_code_rows__code__startswith" if prefix else "postal_code_rows__code"
    return qs.filter(**{lookup: code}).distinct()


def communes_lookup(text: str, limit: int = 10) -> list[Commune]:
    """Communes matching what someone typed, best first: a postal code ('29200'), its
    beginning ('292'), an INSEE code ('29019'), a name, accent- and case-insensitive
    ('quimperle', 'St Malo'), or both ('Brest (29200)'). Among equal matches, the most
    populated first."""
    text = (text or "").strip()
    if not text:
        return []
    base = Commune.objects.all()
    if _POSTAL_RE.match(text):
        found = list(_with_postal(base, text).order_by("-population", "name")[:limit])
        by_code = commune_get(text)
        if by_code is not None and by_code not in found:
            found.append(by_code)
        return found[:limit]
    if _INSEE_RE.match(text):
        by_code = commune_get(text)
        return [by_code] if by_code else []
    if _POSTAL_PREFIX_RE.match(text):
        return list(_with_postal(base, text, prefix=True).order_by("-population", "name")
                    [:limit])
    match = _NAME_AND_POSTAL_RE.match(text)
    postal = (match.group("cp1") or match.group("cp2")) if match else None
    key = name_key(match.group("name") if match and postal else text)
    if not key:
        return []
    qs = _with_postal(base, postal) if postal else base
    found = list(qs.filter(name_normalized=key).order_by("-population")[:limit])
    if len(found) < limit:
        found += list(qs.filter(name_normalized__startswith=key).exclude(name_normalized=key)
                      .order_by("-population", "name")[:limit - len(found)])
    if len(found) < limit and len(key) >= 3:
        found += list(qs.filter(name_normalized__contains=key)
                      .exclude(name_normalized__startswith=key)
                      .order_by("-population", "name")[:limit - len(found)])
    return found


def commune_resolve(text: str) -> Commune | None:
    """The commune someone most likely means, or None."""
    found = communes_lookup(text, limit=1)
    return found[0] if found else None


def commune_of_person(person: Person) -> Commune | None:
    """The person's commune: by INSEE code, else by postal code."""
    commune = commune_get(person.commune_insee)
    if commune is None and person.postal_code:
        found = communes_lookup(person.postal_code, limit=1)
        commune = found[0] if found else None
    return commune


def distance_km(a: Commune, b: Commune) -> float | None:
    """Distance between two communes' town halls (as the crow flies), or None when one
    has no coordinates."""
    if not (a.has_coordinates and b.has_coordinates):
        return None
    return haversine_km(a.latitude, a.longitude, b.latitude, b.longitude)


# --- search ------------------------------------------------------------------------------

RADIUS_CHOICES_KM = (5, 10, 20, 30, 50, 100)
DEFAULT_RADIUS_KM = 30
MAX_RADIUS_KM = 200


@dataclass
class ServiceFilters:
    q: str = ""
    thematique: str = ""  # a category ("mobilite") or a thématique ("mobilite--…")
    public: str = ""
    mode_accueil: str = ""
    commune: Commune | None = None
    radius_km: float = DEFAULT_RADIUS_KM

    @property
    def is_geographic(self) -> bool:
        return self.commune is not None and self.commune.has_coordinates


@dataclass
class ServiceHit:
    service: Service
    distance_km: float | None
    relevance: int


@dataclass
class SearchPage:
    hits: list[ServiceHit]
    total: int
    page: int
    page_size: int
    filters: ServiceFilters
    words: list[str] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def _has_bits(field: str, bits: int) -> Exact:
    """`field & bits != 0`, in SQL (both engines), answered from the covering index."""
    return Exact(ExpressionWrapper(F(field).bitand(bits), output_field=IntegerField()), 0)


def _filtered(filters: ServiceFilters, words: list[str]) -> QuerySet[Service]:
    qs = Service.objects.published()
    if filters.thematique:
        category = categorie_of(filters.thematique)
        qs = qs.exclude(_has_bits("categories_mask", CATEGORY_BITS.get(category, 0)))
        if filters.thematique != category:  # a thématique: the rows tell which ones
            qs = qs.filter(tags__contains=f" {filters.thematique} ")
    if filters.public and filters.public != TOUS_PUBLICS:
        wanted = PUBLIC_BITS.get(filters.public, 0) | PUBLIC_BITS[TOUS_PUBLICS]
        qs = qs.exclude(_has_bits("publics_mask", wanted))
    if filters.mode_accueil:
        qs = qs.exclude(_has_bits("modes_mask", MODE_ACCUEIL_BITS.get(filters.mode_accueil, 0)))
    for word in words:
        qs = qs.filter(search_text__contains=word)
    return qs


def relevance(words: list[str], name: str, publics_mask: int, public: str) -> int:
    """How well a service answers the query: 3 per word in its name (or its structure's),
    1 per word found elsewhere; 2 more when it is meant for the public asked for (rather
    than for everyone). Services that do not match at all are already filtered out."""
    score = sum(3 if w in name else 1 for w in words)
    if public and public != TOUS_PUBLICS and publics_mask & PUBLIC_BITS.get(public, 0):
        score += 2
    return score


def services_search(filters: ServiceFilters, *, page: int = 1, page_size: int = 20
                    ) -> SearchPage:
    """Published services matching the filters, by relevance then distance.

    With a commune, services are first prefiltered on the indexed latitude/longitude
    inside the bounding box of the radius, then their exact (haversine) distance is
    computed in Python on the few columns needed, the ones outside the radius dropped,
    and only the page of services shown is read in full. Without a commune, ordering and
    paging are done by the database (relevance, then name)."""
    page = max(1, page)
    words = query_words(filters.q)
    qs = _filtered(filters, words)
    if filters.is_geographic:
        return _geo_page(qs, filters, words, page, page_size)
    total = qs.count()
    services = list(qs.annotate(relevance=_relevance_sql(words, filters.public))
                    .order_by("-relevance", "nom", "id").select_related("structure__organisation")
                    [(page - 1) * page_size: page * page_size])
    return SearchPage([ServiceHit(s, None, s.relevance) for s in services], total, page,
                      page_size, filters, words)


def _relevance_sql(words: list[str], public: str):
    """`relevance()` computed by the database."""
    score = Value(0)
    for word in words:
        score = score + Case(When(name_normalized__contains=word, then=Value(3)),
                             default=Value(1))
    if public and public != TOUS_PUBLICS:
        score = score + Case(When(~_has_bits("publics_mask", PUBLIC_BITS.get(public, 0)),
                                  then=Value(2)), default=Value(0))
    return ExpressionWrapper(score, output_field=IntegerField())


def _geo_page(qs: QuerySet[Service], filters: ServiceFilters, words: list[str], page: int,
              page_size: int) -> SearchPage:
    origin = filters.commune
    radius = min(float(filters.radius_km), MAX_RADIUS_KM)
    box = bounding_box(origin.latitude, origin.longitude, radius)
    qs = qs.filter(geo_lat__gte=box.min_lat, geo_lat__lte=box.max_lat,
                   geo_lon__gte=box.min_lon, geo_lon__lte=box.max_lon).order_by()
    scored = bool(words) or bool(filters.public and filters.public != TOUS_PUBLICS)
    # Without free text, only columns of the covering index are read.
    columns = ["id", "geo_lat", "geo_lon", "publics_mask"] + (["name_normalized"] if words
                                                               else [])
    candidates = []
    distance = distances_from(origin.latitude, origin.longitude)
    for row in qs.values_list(*columns):
        d = distance(row[1], row[2])
        if d <= radius:
            score = (relevance(words, row[4] if words else "", row[3], filters.public)
                     if scored else 0)
            candidates.append((-score, d, row[0]))
    candidates.sort()
    chosen = candidates[(page - 1) * page_size: page * page_size]
    by_id = _services_by_id([c[2] for c in chosen])
    hits = [ServiceHit(by_id[pk], round(d, 1), -neg) for neg, d, pk in chosen]
    return SearchPage(hits, len(candidates), page, page_size, filters, words)


def _services_by_id(ids: list[int]) -> dict[int, Service]:
    return {s.pk: s for s in Service.objects.filter(pk__in=ids).select_related(
        "structure__organisation").defer("search_text")}


def service_get(pk: int, actor: Actor | None = None) -> Service:
    """A published service, or one of the actor's own organisation (even unpublished)."""
    service = Service.objects.select_related("structure__organisation").filter(pk=pk).first()
    own = (service is not None and actor is not None and actor.organisation_id is not None
           and service.structure.organisation_id == actor.organisation_id)
    if service is None or not (service.is_published or own):
        raise NotFound(_("Service introuvable."))
    return service


# --- an organisation's own offer ------------------------------------------------------------

def structures_of(organisation_id: int) -> QuerySet[Structure]:
    return Structure.objects.filter(organisation_id=organisation_id).annotate(
        services_count=Count("services")).order_by("nom", "id")


def services_of(organisation_id: int) -> QuerySet[Service]:
    return (Service.objects.of_organisation(organisation_id).select_related("structure")
            .order_by("-is_published", "nom", "id"))


def structure_get_own(actor: Actor, pk: int) -> Structure:
    structure = Structure.objects.filter(pk=pk, organisation_id=actor.organisation_id).first()
    if structure is None or actor.organisation_id is None:
        raise NotFound(_("Structure introuvable."))
    return structure


def service_get_own(actor: Actor, pk: int) -> Service:
    service = (Service.objects.select_related("structure")
               .filter(pk=pk, structure__organisation_id=actor.organisation_id).first())
    if service is None or actor.organisation_id is None:
        raise NotFound(_("Service introuvable."))
    return service


# --- export ------------------------------------------------------------------------------

def directory_export(*, source: str = "", organisation_id: int | None = None
                     ) -> tuple[list[dict], list[dict]]:
    """(structures, services) of the published offer, as data·inclusion records. A
    structure is exported when it has a published service or no service at all."""
    services = Service.objects.published().select_related("structure").order_by("source", "di_id")
    structures = Structure.objects.order_by("source", "di_id")
    if source:
        services = services.filter(source=source)
        structures = structures.filter(source=source)
    if organisation_id is not None:
        services = services.filter(structure__organisation_id=organisation_id)
        structures = structures.filter(organisation_id=organisation_id)
    structures = structures.filter(Q(services__is_published=True) | Q(services__isnull=True)
                                   ).distinct()
    return ([dataschema.structure_record(s) for s in structures.iterator(chunk_size=2000)],
            [dataschema.service_record(s) for s in services.iterator(chunk_size=2000)])


# --- orientations ------------------------------------------------------------------------

def _orientations() -> QuerySet[Orientation]:
    return Orientation.objects.select_related(
        "person", "service__structure", "partner", "sender", "sent_by")


def orientations_received(actor: Actor, *, status: str = "") -> QuerySet[Orientation]:
    """The partner's inbox: orientations to the actor's organisation, newest first."""
    qs = _orientations().filter(partner_id=actor.organisation_id)
    return qs.filter(status=status) if status else qs


def orientations_sent(actor: Actor, *, status: str = "") -> QuerySet[Orientation]:
    qs = _orientations().filter(sender_id=actor.organisation_id)
    return qs.filter(status=status) if status else qs


def orientations_listed(actor: Actor, orientations: list[Orientation]) -> list[Orientation]:
    """Record that the actor saw these persons in a list of orientations (audit)."""
    audit_record_many(actor, action=AuditAction.LIST, object_type="orientation",
                      entries=[(o.person.public_id, None) for o in orientations])
    return orientations


def orientation_counts(actor: Actor) -> dict[str, int]:
    """How many orientations wait for the actor's organisation: to answer (received,
    sent) and to complete (sent by it, information requested)."""
    org = actor.organisation_id
    if org is None:
        return {"to_answer": 0, "to_complete": 0}
    return {
        "to_answer": Orientation.objects.filter(partner_id=org,
                                                status=OrientationStatus.SENT).count(),
        "to_complete": Orientation.objects.filter(
            sender_id=org, status=OrientationStatus.INFO_REQUESTED).count(),
    }


def orientation_get_for(actor: Actor, pk: int) -> Orientation:
    """One orientation, for the sending or the receiving organisation only (else
    NotFound: another organisation never learns it exists). Records the read."""
    org = actor.organisation_id
    orientation = (_orientations().prefetch_related(
        Prefetch("events", queryset=OrientationEvent.objects.select_related(
            "author", "organisation")), "consents")
        .filter(pk=pk).filter(Q(partner_id=org) | Q(sender_id=org)).first()
        if org is not None else None)
    if orientation is None:
        raise NotFound(_("Orientation introuvable."))
    audit_record(actor, action=AuditAction.VIEW, object_type="orientation",
                 object_id=orientation.pk, person_uid=orientation.person.public_id,
                 detail={"side": "partner" if orientation.partner_id == org else "sender"})
    return orientation


def orientations_of_person_for(actor: Actor, person: Person) -> list[Orientation]:
    """A person's orientations that the actor's organisation sent or received (the
    caller has read the person through the consent check)."""
    org = actor.organisation_id
    found = list(_orientations().filter(person=person)
                 .filter(Q(partner_id=org) | Q(sender_id=org)))
    if found:
        audit_record(actor, action=AuditAction.LIST, object_type="orientation",
                     object_id=person.public_id, person_uid=person.public_id)
    return found


def orientations_of_person(person: Person) -> list[Orientation]:
    """Where the person was oriented, and the answers: what the person sees."""
    return list(_orientations().filter(person=person).prefetch_related("events"))
