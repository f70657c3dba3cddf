from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from passeport.core.middleware import SESSION_KEY
from passeport.core.selectors import memberships_of
from passeport.people.selectors import person_for_user


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


@login_required
def home(request):
    if getattr(request, "membership", None) is not None:
        return redirect("pro:caseload")
    if person_for_user(request.user) is not None:
        return redirect("me:home")
    messages.warning(request, _("Votre compte n'est rattaché à aucune structure ni à aucun passeport."))
    return redirect("login")


@login_required
@require_POST
def switch_organisation(request):
    wanted = request.POST.get("membership")
    membership = memberships_of(request.user).filter(pk=wanted).first()
    if membership is not None:
        request.session[SESSION_KEY] = membership.pk
    return redirect("home")
