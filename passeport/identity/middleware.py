"""Two-factor authentication gate: a user with an authenticator app must verify a code
after the password; a member of an organisation that requires it must first enrol.
Placed after django-otp's OTPMiddleware and the ActiveMembershipMiddleware."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .selectors import has_two_factor, two_factor_required_for

# Pages reachable before the second factor: login and its steps, logout, the person's
# invitation link, static files.
OPEN_PREFIXES = ("/connexion/", "/deconnexion/", "/invitation/")


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        path = request.path_info
        if (user is None or not user.is_authenticated or path.startswith(OPEN_PREFIXES)
                or path.startswith(settings.STATIC_URL)):
            return self.get_response(request)
        if has_two_factor(user):
            if not user.is_verified():
                return self._stop(request, "identity:verify",
                                  _("Saisissez le code de votre application d'authentification."))
        elif two_factor_required_for(user):
            return self._stop(request, "identity:two_factor",
                              _("Votre structure demande la double authentification : "
                                "enregistrez votre application avant de continuer."))
        return self.get_response(request)

    @staticmethod
    def _stop(request, url_name: str, message: str):
        if request.path_info.startswith("/api/"):
            return JsonResponse({"code": "two_factor_required", "message": message}, status=403)
        response = redirect(url_name)
        response["Location"] += "?" + urlencode({"next": request.get_full_path()})
        return response
