"""The caseload ("file active"): search, filters, pagination, next due actions."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.vary import vary_on_headers
from dsfr.utils import list_pages

from passeport.core.selectors import members_of
from passeport.paths.selectors import caseload_next_actions, caseload_page, follows_any_path
from passeport.people.enums import ConsentScope
from passeport.people.models import as_public_id
from passeport.people.selectors import persons_visible_to
from passeport.web.context import actor_for
from passeport.web.decorators import professional_required

from ..forms import CaseloadFilterForm

MAX_PAGE_SIZE = 100


def page_size(request) -> int:
    """`taille` in the query string, bounded to 1..100, else PASSEPORT_PAGE_SIZE."""
    try:
        size = int(request.GET.get("taille", ""))
    except ValueError:
        size = settings.PASSEPORT_PAGE_SIZE
    return max(1, min(size, MAX_PAGE_SIZE))


@professional_required
@vary_on_headers("HX-Request")
def caseload(request):
    actor = actor_for(request)
    members, follows_nobody = [], False
    if actor.sees_whole_caseload:
        members = list(members_of(actor.organisation).filter(is_active=True))
        follows_nobody = not follows_any_path(actor.membership)
    form = CaseloadFilterForm(request.GET, sees_whole_caseload=actor.sees_whole_caseload,
                              members=members, default_all=follows_nobody)
    filters = form.to_filters()
    page = list_pages(caseload_page(actor, filters, request.GET.get("page", 1),
                                    page_size=page_size(request)))
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "today": timezone.localdate(),
        "has_filters": bool(filters.q or filters.status or filters.frein or filters.overdue
                            or filters.referent_id),
        **_passport_number_search(actor, filters.q, page),
    }
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        return render(request, "pro/caseload/_results.html", {**context, "oob_count": True})
    context["next_actions"] = caseload_next_actions(actor)
    return render(request, "pro/caseload/page.html", context)


def _passport_number_search(actor, q: str, page) -> dict:
    """A passport number typed in the search that matches no row of the list: open it
    when it is already open to the organisation (a path followed by a colleague, or no
    path yet), else offer to ask the person for access. The offer is the same whether
    or not the number is a passport."""
    number = as_public_id(q)
    if number is None or page.paginator.count:
        return {}
    if persons_visible_to(actor, ConsentScope.PATH).filter(public_id=number).exists():
        return {"number_open": number}
    return {"number_ask": number}
