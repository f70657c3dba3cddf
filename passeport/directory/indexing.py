"""What the search reads: a service's location, tags and normalized text, derived from
its data·inclusion fields at each write (form, API, import)."""

from __future__ import annotations

import re

from passeport.core.text import normalize

from .enums import (
    CATEGORY_BITS,
    MODE_ACCUEIL_BITS,
    MODES_ACCUEIL,
    PUBLIC_BITS,
    PUBLICS,
    THEMATIQUES,
    TOUS_PUBLICS,
    TYPE_CHOICES,
    categorie_of,
    mask,
    theme_label,
)
from .models import Commune, Service, Structure

_TYPES = dict(TYPE_CHOICES)

# Words of a French query that say nothing about what is searched.
STOP_WORDS = frozenset({
    "a", "au", "aux", "avec", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les", "ou",
    "pour", "par", "sur", "un", "une", "mon", "ma", "mes", "son", "sa", "ses",
})
_POSTAL_RE = re.compile(r"^\d{5}$")


def query_words(text: str) -> list[str]:
    """The words of a free-text query, accent- and case-insensitive, without stop words,
    plural -s/-x dropped so that 'logements' finds 'logement'."""
    words = []
    for word in normalize(text).split():
        if word in STOP_WORDS:
            continue
        if len(word) > 4 and word[-1] in "sx":
            word = word[:-1]
        if word not in words:
            words.append(word)
    return words


def service_tags(thematiques, publics, modes_accueil, type_: str, frais: str) -> str:
    """' mobilite mobilite--preparer-un-permis p:jeunes a:en-presentiel t:atelier ': a
    category matches its thématiques; a service for no public in particular is for
    everyone (tous-publics)."""
    tokens: set[str] = set()
    for t in thematiques or []:
        tokens.add(t)
        tokens.add(categorie_of(t))
    tokens.update(f"p:{p}" for p in (publics or [TOUS_PUBLICS]))
    tokens.update(f"a:{m}" for m in (modes_accueil or []))
    if type_:
        tokens.add(f"t:{type_}")
    if frais:
        tokens.add(f"f:{frais}")
    return " " + " ".join(sorted(tokens)) + " "


def service_search_text(service: Service, structure: Structure) -> str:
    parts = [service.nom, structure.nom, service.commune, service.description,
             service.conditions_acces, _TYPES.get(service.type, "")]
    parts += [THEMATIQUES.get(t, "") for t in service.thematiques or []]
    parts += [theme_label(categorie_of(t)) for t in service.thematiques or []]
    parts += [PUBLICS.get(p, "") for p in service.publics or []]
    parts += [MODES_ACCUEIL.get(m, "") for m in service.modes_accueil or []]
    return normalize(" ".join(p for p in parts if p))


class Geocoder:
    """Coordinates of a commune by INSEE code (else postal code), cached; `preload`
    reads every commune at once (imports)."""

    def __init__(self, preload: bool = False):
        self._by_code: dict[str, tuple[float, float] | None] = {}
        self._by_postal: dict[str, tuple[float, float] | None] = {}
        self._complete = False
        if preload:
            for code, postal, lat, lon in Commune.objects.values_list(
                    "code_insee", "postal_codes", "latitude", "longitude"):
                point = (lat, lon) if lat is not None and lon is not None else None
                self._by_code[code] = point
                for cp in postal.split():
                    if point is not None:
                        self._by_postal.setdefault(cp, point)
            self._complete = True

    def point(self, code_insee: str = "", code_postal: str = "") -> tuple[float, float] | None:
        if code_insee:
            if code_insee not in self._by_code and not self._complete:
                row = (Commune.objects.filter(code_insee=code_insee)
                       .values_list("latitude", "longitude").first())
                self._by_code[code_insee] = row if row and row[0] is not None else None
            point = self._by_code.get(code_insee)
            if point is not None:
                return point
        if code_postal and _POSTAL_RE.match(code_postal):
            if code_postal not in self._by_postal and not self._complete:
                row = (Commune.objects.filter(postal_code_rows__code=code_postal,
                                              latitude__isnull=False)
                       .order_by("-population").values_list("latitude", "longitude").first())
                self._by_postal[code_postal] = row
            return self._by_postal.get(code_postal)
        return None


def structure_point(structure: Structure, geocoder: Geocoder) -> tuple[float, float] | None:
    if structure.latitude is not None and structure.longitude is not None:
        return structure.latitude, structure.longitude
    return geocoder.point(structure.code_insee, structure.code_postal)


def service_derive(service: Service, structure: Structure, geocoder: Geocoder) -> None:
    """Set the derived fields of `service` (not saved)."""
    if service.latitude is not None and service.longitude is not None:
        point = (service.latitude, service.longitude)
    else:
        point = (geocoder.point(service.code_insee, service.code_postal)
                 or structure_point(structure, geocoder))
    service.geo_lat, service.geo_lon = point if point else (None, None)
    service.tags = service_tags(service.thematiques, service.publics, service.modes_accueil,
                                service.type, service.frais)
    service.categories_mask = mask({categorie_of(t) for t in service.thematiques or []},
                                   CATEGORY_BITS)
    service.publics_mask = mask(service.publics or [TOUS_PUBLICS], PUBLIC_BITS)
    service.modes_mask = mask(service.modes_accueil, MODE_ACCUEIL_BITS)
    service.search_text = service_search_text(service, structure)
    service.name_normalized = normalize(f"{service.nom} {structure.nom}")[:320]


DERIVED_FIELDS = ["geo_lat", "geo_lon", "tags", "categories_mask", "publics_mask", "modes_mask",
                  "search_text", "name_normalized"]


def services_reindex(batch_size: int = 2000) -> int:
    """Derive the search fields of every service again (after an update of the schema
    package's vocabularies, or of the communes). Returns how many services."""
    geocoder = Geocoder(preload=True)
    done = 0
    last = 0
    while True:
        services = list(Service.objects.select_related("structure").filter(pk__gt=last)
                        .order_by("pk")[:batch_size])
        if not services:
            return done
        for service in services:
            service_derive(service, service.structure, geocoder)
        Service.objects.bulk_update(services, DERIVED_FIELDS)
        done += len(services)
        last = services[-1].pk
