from django.shortcuts import render

from passeport.paths.selectors import CaseloadFilters, caseload_page
from passeport.web.context import actor_for
from passeport.web.decorators import professional_required


@professional_required
def caseload(request):
    page = caseload_page(actor_for(request), CaseloadFilters(), request.GET.get("page", 1))
    return render(request, "pro/caseload.html", {"page": page})
