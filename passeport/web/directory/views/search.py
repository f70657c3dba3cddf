"""Search of the directory, a service's page, the commune suggestions, and, from a
passport, the services that answer the person's freins near their commune."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from passeport.directory.enums import theme_label
from passeport.directory.selectors import (
    DEFAULT_RADIUS_KM,
    RADIUS_CHOICES_KM,
    ServiceFilters,
    commune_of_person,
    commune_resolve,
    communes_lookup,
    service_get,
    services_search,
)
from passeport.paths.selectors import diagnostic_history, path_get_for
from passeport.web.context import actor_for
from passeport.web.decorators import professional_required

from ..forms import SearchForm

PAGE_SIZE = 20
SUGGESTIONS_PER_FREIN = 3


def _person_context(request, actor, public_id: str):
    """The person the search is made for (from their passport), read through the
    consent check; None without one."""
    if not public_id:
        return None
    person, _path = path_get_for(actor, public_id)
    return person


@professional_required
def search(request):
    actor = actor_for(request)
    public_id = request.GET.get("personne", "")
    person = _person_context(request, actor, public_id)
    data = request.GET.copy() if request.GET else None
    if data is not None and "commune" not in data and person is not None:
        commune = commune_of_person(person)
        data["commune"] = commune.label if commune else ""
    form = SearchForm(data, initial={"radius_km": DEFAULT_RADIUS_KM})
    result = None
    if form.is_bound and form.is_valid():
        try:
            page = max(1, int(request.GET.get("page", 1)))
        except ValueError:
            page = 1
        result = services_search(form.filters(), page=page, page_size=PAGE_SIZE)
    context = {"form": form, "result": result, "person": person,
               "page": _page_obj(result) if result else None}
    if getattr(request, "htmx", None) and request.htmx.target == "resultats":
        return render(request, "directory/_results.html", context)
    return render(request, "directory/search.html", context)


def _page_obj(result):
    """A Django page for the DSFR pagination template (the search pages by itself)."""
    paginator = Paginator(range(result.total), result.page_size)
    page = paginator.get_page(result.page)
    page.pages_list = list(paginator.get_elided_page_range(result.page, on_each_side=1,
                                                           on_ends=1))
    return page


@professional_required
def commune_suggestions(request):
    """<option>s for the commune field's datalist (htmx, as the user types)."""
    text = request.GET.get("commune", "")
    found = communes_lookup(text, limit=8) if len(text.strip()) >= 2 else []
    return render(request, "directory/_commune_options.html", {"communes": found})


@professional_required
def service_detail(request, pk: int):
    actor = actor_for(request)
    service = service_get(pk, actor)
    person = _person_context(request, actor, request.GET.get("personne", ""))
    return render(request, "directory/service_detail.html",
                  {"service": service, "person": person,
                   "is_own": service.structure.organisation_id == actor.organisation_id})


@professional_required
def person_services(request, public_id: str):
    """From the passport, in one click: for each frein of the diagnostic (most severe
    first), the nearest services that answer it around the person's commune."""
    actor = actor_for(request)
    person, path = path_get_for(actor, public_id)
    typed = request.GET.get("commune", "").strip()
    commune = commune_resolve(typed) if typed else commune_of_person(person)
    try:
        radius = int(request.GET.get("radius_km", DEFAULT_RADIUS_KM))
    except ValueError:
        radius = DEFAULT_RADIUS_KM
    if radius not in RADIUS_CHOICES_KM:
        radius = DEFAULT_RADIUS_KM
    freins = []
    if path is not None:
        entries = (diagnostic_history(path).filter(is_current=True, severity__gte=1)
                   .order_by("-severity", "theme"))
        only = request.GET.get("frein", "")
        for entry in entries:
            if only and entry.theme != only:
                continue
            filters = ServiceFilters(thematique=entry.theme, radius_km=radius,
                                     commune=commune if commune and commune.has_coordinates
                                     else None)
            result = services_search(filters, page_size=SUGGESTIONS_PER_FREIN)
            more = reverse("directory:search") + "?" + urlencode({
                "thematique": entry.theme, "commune": commune.label if commune else "",
                "radius_km": radius, "personne": person.public_id})
            freins.append({"entry": entry, "label": theme_label(entry.theme),
                           "result": result, "more_url": more})
    if path is None and request.GET.get("frein"):
        raise Http404
    return render(request, "directory/person_services.html", {
        "person": person, "path": path, "freins": freins, "commune": commune,
        "commune_typed": typed, "commune_unknown": bool(typed) and commune is None,
        "radius": radius, "radius_choices": RADIUS_CHOICES_KM})
