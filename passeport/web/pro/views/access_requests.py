"""Access requests sent by the organisation: ask a person to open their passport (from
the passport number they gave), and follow the answers. The page never tells whether
a number is a passport: the same message follows every request."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from passeport.core.errors import PasseportError
from passeport.people.enums import AccessRequestStatus, ConsentScope
from passeport.people.models import as_public_id
from passeport.people.selectors import (
    access_request_get_for,
    access_requests_of_organisation,
    access_requests_shown,
)
from passeport.people.services import (
    access_request_cancel,
    access_request_create,
    access_requests_answers_seen,
)
from passeport.web.context import actor_for
from passeport.web.decorators import professional_required
from passeport.web.forms import add_service_error

from ..forms import AccessRequestForm, focus_first_error

PAGE_SIZE = 25


@professional_required
def access_request_create_view(request):
    actor = actor_for(request)
    initial = {"scopes": [ConsentScope.PATH]}
    number = as_public_id(request.GET.get("numero", ""), number_only=True)
    if number:
        initial["public_id"] = number
    form = AccessRequestForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            access_request_create(actor=actor, public_id=data["public_id"], scopes=data["scopes"],
                                  purpose=data["purpose"], message=data["message"])
        except PasseportError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _(
                "Demande envoyée. Si ce numéro correspond à un passeport, la personne recevra "
                "votre demande. Elle pourra l'accepter ou la refuser dans son espace."))
            return redirect("pro:access_requests")
    focus_first_error(form)
    return render(request, "pro/access_requests/create.html", {"form": form})


@professional_required
def access_requests(request):
    actor = actor_for(request)
    status = request.GET.get("statut", "")
    if status not in AccessRequestStatus.values:
        status = ""
    page = Paginator(access_requests_of_organisation(actor, status), PAGE_SIZE).get_page(
        request.GET.get("page"))
    rows = list(page.object_list)
    access_requests_shown(actor, rows)
    # Shown once as « nouvelle réponse »: the rows keep the marker for this page.
    access_requests_answers_seen(actor=actor, requests=rows)
    return render(request, "pro/access_requests/list.html", {
        "page": page, "rows": rows, "status": status,
        "statuses": AccessRequestStatus.choices,
    })


@professional_required
@require_POST
def access_request_cancel_view(request, pk: int):
    """« Annuler la demande » on a pending request of the organisation."""
    actor = actor_for(request)
    access_request = access_request_get_for(actor, pk)  # NotFound (-> 404) if not theirs
    try:
        access_request_cancel(actor=actor, access_request=access_request)
    except PasseportError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Demande annulée. La personne ne peut plus y répondre."))
    return redirect(reverse("pro:access_requests") + "#demandes")
