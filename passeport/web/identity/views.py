from __future__ import annotations

import base64
import logging
import re
import time

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import authenticate, get_user_model, login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from passeport.core.errors import NotFound, PasseportError
from passeport.core.middleware import SESSION_KEY
from passeport.identity import oidc
from passeport.identity.selectors import (
    has_two_factor,
    members_with_two_factor,
    oidc_provider_config,
    organisation_security,
    recovery_codes_left,
    two_factor_required_for,
    verification_devices,
)
from passeport.identity.services import (
    oidc_person_link,
    oidc_person_link_account,
    oidc_person_login,
    oidc_pro_login,
    organisation_security_update,
    person_identity_match,
    person_match_for_invitation,
    recovery_codes_generate,
    totp_enrol_confirm,
    totp_enrol_start,
    two_factor_reset,
)
from passeport.people.selectors import person_for_user
from passeport.web.context import actor_for
from passeport.web.decorators import professional_required

logger = logging.getLogger(__name__)
BACKEND = "django.contrib.auth.backends.ModelBackend"
PENDING_KEY = "passeport_oidc_person"  # the person's identity claims awaiting confirmation
INVITATION_KEY = "passeport_oidc_invitation"  # the invitation token the person came with
ACCOUNT_KEY = "passeport_oidc_account"  # or their password account, checked on the link page
NEXT_KEY = "passeport_oidc_next"
PENDING_SECONDS = 15 * 60
CODES_KEY = "passeport_recovery_codes"


def _safe_next(request, value: str | None) -> str:
    if value and url_has_allowed_host_and_scheme(value, {request.get_host()},
                                                 require_https=request.is_secure()):
        return value
    return reverse("home")


# --- Two-factor authentication ------------------------------------------------------------

@never_cache
@login_required
@sensitive_post_parameters("token")
def verify(request):
    """Second step of the login: a code of the authenticator app or a recovery code."""
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.user.is_verified() or not has_two_factor(request.user):
        return redirect(next_url)
    error = ""
    if request.method == "POST":
        token = re.sub(r"\s", "", request.POST.get("token", ""))
        # Six digits: the authenticator app; anything else: a recovery code. Each device
        # counts its own failures (django-otp throttling), so one does not slow the other.
        is_totp = token.isdigit() and len(token) == 6
        for device in verification_devices(request.user):
            if device.persistent_id.startswith("identity.recoverycodedevice") == is_totp:
                continue
            allowed, _info = device.verify_is_allowed()
            if allowed and device.verify_token(token):
                otp_login(request, device)
                if device.persistent_id.startswith("identity.recoverycodedevice"):
                    messages.warning(request, _(
                        "Vous avez utilisé un code de secours : il ne marchera plus. "
                        "Il vous en reste %(n)s.") % {"n": recovery_codes_left(request.user)})
                return redirect(next_url)
            if not allowed:
                error = _("Trop d'essais : attendez quelques secondes avant de réessayer.")
        error = error or _("Ce code ne correspond pas. Saisissez les 6 chiffres affichés "
                           "maintenant par votre application, ou un code de secours.")
    return render(request, "identity/verify.html", {"error": error, "next": next_url},
                  status=400 if error else 200)


def _qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    svg = image.to_string(encoding="unicode")
    return re.sub(r"^<\?xml[^>]*>\s*", "", svg)


@never_cache
@login_required
@sensitive_post_parameters("token")
def two_factor(request):
    """Enrol an authenticator app (QR code, then a code to confirm), or see its state."""
    actor = actor_for(request)
    enrolled = has_two_factor(request.user)
    if enrolled and not request.user.is_verified():
        return redirect("identity:verify")
    if enrolled and request.GET.get("changer") is None and request.method != "POST":
        return render(request, "identity/two_factor_status.html", {
            "codes_left": recovery_codes_left(request.user),
            "required": two_factor_required_for(request.user),
        })
    device = totp_enrol_start(actor=actor)
    error = ""
    if request.method == "POST":
        try:
            codes = totp_enrol_confirm(actor=actor, device=device, token=request.POST.get("token", ""))
        except PasseportError as exc:
            error = exc.message
        else:
            otp_login(request, device)
            request.session[CODES_KEY] = codes
            request.session[NEXT_KEY] = _safe_next(request, request.POST.get("next"))
            return redirect("identity:recovery_codes")
    secret = base64.b32encode(device.bin_key).decode()
    return render(request, "identity/two_factor_enrol.html", {
        "qr_svg": _qr_svg(device.config_url),
        "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
        "error": error,
        "required": two_factor_required_for(request.user),
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }, status=400 if error else 200)


@never_cache
@login_required
def recovery_codes(request):
    """Shows the recovery codes once; POST makes new ones (the old ones stop working)."""
    if request.method == "POST":
        if not request.user.is_verified():
            raise PermissionDenied
        request.session[CODES_KEY] = recovery_codes_generate(actor=actor_for(request))
        return redirect("identity:recovery_codes")
    codes = request.session.pop(CODES_KEY, None)
    if not codes:
        return redirect("identity:two_factor")
    return render(request, "identity/recovery_codes.html", {
        "codes": codes, "next": request.session.pop(NEXT_KEY, "") or reverse("home")})


@professional_required
def organisation_security_view(request):
    actor = actor_for(request)
    security = organisation_security(actor.organisation)
    if request.method == "POST":
        try:
            organisation_security_update(actor=actor,
                                         require_two_factor=request.POST.get("require_two_factor") == "on")
        except PasseportError as exc:
            raise PermissionDenied(exc.message) from exc
        messages.success(request, _("Le réglage de sécurité est enregistré."))
        return redirect("identity:organisation_security")
    is_admin = actor.membership.is_admin
    return render(request, "identity/organisation_security.html", {
        "organisation": actor.organisation, "security": security, "is_admin": is_admin,
        "members": members_with_two_factor(actor.organisation) if is_admin else [],
    })


@professional_required
@require_POST
def member_two_factor_reset(request, pk: int):
    actor = actor_for(request)
    membership = next((m for m, _enrolled in members_with_two_factor(actor.organisation)
                       if m.pk == pk), None)
    if membership is None:
        raise Http404
    try:
        two_factor_reset(actor=actor, membership=membership)
    except PasseportError as exc:
        raise PermissionDenied(exc.message) from exc
    messages.success(request, _("La double authentification de %(name)s est réinitialisée.")
                     % {"name": membership.user.get_full_name() or membership.user.email})
    return redirect("identity:organisation_security")


# --- OpenID Connect -------------------------------------------------------------------------

def _provider(name: str) -> dict:
    config = oidc_provider_config(name)
    if config is None:
        raise Http404
    return config


@never_cache
def oidc_start(request, provider: str):
    _provider(provider)
    invitation = request.GET.get("invitation")
    if provider == "person" and invitation:
        request.session[INVITATION_KEY] = invitation
    request.session[NEXT_KEY] = _safe_next(request, request.GET.get("next"))
    redirect_uri = request.build_absolute_uri(reverse("identity:oidc_callback", args=[provider]))
    return oidc.authorize_redirect(provider, request, redirect_uri)


@never_cache
def oidc_callback(request, provider: str):
    config = _provider(provider)
    try:
        claims = oidc.authorize_callback(provider, request)
    except oidc.OidcFailure as exc:
        logger.warning("OpenID Connect login (%s) refused: %s", provider, exc)
        return render(request, "identity/oidc_error.html", {"label": config["label"]}, status=400)
    if provider == "pro":
        membership = oidc_pro_login(claims=claims)
        if membership is None:
            return render(request, "identity/ask_admin.html", {
                "label": config["label"], "email": claims.get("email", ""),
                "siret": claims.get("siret", ""),
            }, status=403)
        next_url = request.session.pop(NEXT_KEY, "")
        login(request, membership.user, backend=BACKEND)
        request.session[SESSION_KEY] = membership.pk
        return redirect(next_url or "home")
    user = oidc_person_login(subject=claims["sub"])
    if user is not None:
        request.session.pop(INVITATION_KEY, None)
        login(request, user, backend=BACKEND)
        return redirect("me:home")
    request.session[PENDING_KEY] = {
        "at": time.time(),
        "claims": {k: claims.get(k) for k in ("sub", "given_name", "family_name", "birthdate")},
    }
    return redirect("identity:person_link")


def _invitation_token(text: str) -> str:
    """The token from a pasted invitation link (…/invitation/<token>/) or the token alone."""
    text = (text or "").strip()
    found = re.search(r"/invitation/([A-Za-z0-9_-]+)", text)
    return found.group(1) if found else text


@never_cache
@sensitive_post_parameters("password")
def person_link(request):
    """After the person's provider login: which passport is theirs? The invitation they
    came with (or paste), or their existing password account, proposes one; it is linked
    only when they confirm."""
    config = _provider("person")
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return render(request, "identity/oidc_error.html", {"label": config["label"]}, status=400)
    claims = pending["claims"]
    error = ""
    if request.method == "POST" and "invitation" in request.POST:
        request.session.pop(ACCOUNT_KEY, None)
        request.session[INVITATION_KEY] = _invitation_token(request.POST["invitation"])
    if request.method == "POST" and "password" in request.POST:
        user = authenticate(request, username=request.POST.get("email", "").strip().lower(),
                            password=request.POST["password"])
        if user is None or person_for_user(user) is None:
            error = _("L'adresse e-mail ou le mot de passe ne correspond pas à un passeport. "
                      "Vérifiez et réessayez.")
        else:
            request.session.pop(INVITATION_KEY, None)
            request.session[ACCOUNT_KEY] = user.pk
    account = None
    match = None
    if request.session.get(ACCOUNT_KEY):
        account = get_user_model().objects.filter(pk=request.session[ACCOUNT_KEY], is_active=True).first()
        person = person_for_user(account) if account else None
        if person is not None:
            match = person_identity_match(person, claims)
    elif token := request.session.get(INVITATION_KEY):
        try:
            match = person_match_for_invitation(raw_token=token, claims=claims)
        except NotFound as exc:
            request.session.pop(INVITATION_KEY, None)
            error = exc.message
    if match is not None and match.matches and request.POST.get("confirm") == "yes":
        try:
            if account is not None:
                user = oidc_person_link_account(user=account, claims=claims, label=config["label"])
            else:
                user = oidc_person_link(raw_token=request.session[INVITATION_KEY], claims=claims,
                                        label=config["label"])
        except PasseportError as exc:
            error = exc.message
        else:
            for key in (PENDING_KEY, INVITATION_KEY, ACCOUNT_KEY):
                request.session.pop(key, None)
            login(request, user, backend=BACKEND)
            messages.success(request, _("C'est fait : votre passeport est relié à %(label)s. "
                                        "La prochaine fois, connectez-vous avec %(label)s.")
                             % {"label": config["label"]})
            return redirect("me:home")
    return render(request, "identity/person_link.html", {
        "label": config["label"], "claims": claims, "match": match, "error": error,
    }, status=400 if error else 200)
