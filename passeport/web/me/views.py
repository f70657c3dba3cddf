from django.shortcuts import render

from passeport.paths.selectors import current_path
from passeport.web.decorators import person_required


@person_required
def home(request):
    return render(request, "me/home.html", {"person": request.person,
                                            "path": current_path(request.person)})
