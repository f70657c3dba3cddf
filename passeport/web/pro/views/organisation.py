"""The organisation: members (all roles), API tokens, switching organisation.
Members see the page; administrators add and change members and manage API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from passeport.core.errors import PasseportError
from passeport.core.selectors import api_tokens_of, members_of, memberships_of
from passeport.core.services import api_token_create, api_token_revoke, member_add, member_set_role
from passeport.web.context import actor_for
from passeport.web.decorators import professional_required
from passeport.web.forms import add_service_error

from ..forms import ApiTokenForm, MemberAddForm, MemberUpdateForm, focus_first_error


def _admin_actor(request):
    actor = actor_for(request)
    if not actor.membership.is_admin:
        raise PermissionDenied
    return actor


def _page(request, actor, status: int = 200, **extra):
    org = actor.organisation
    members = list(members_of(org))
    is_admin = actor.membership.is_admin
    context = {
        "organisation": org,
        "members": members,
        "is_admin": is_admin,
        "memberships": list(memberships_of(request.user)),
        "roles": MemberUpdateForm.base_fields["role"].choices,
        "tokens": list(api_tokens_of(org)) if is_admin else [],
        "token_form": ApiTokenForm(),
    }
    context.update(extra)
    return render(request, "pro/organisation/page.html", context, status=status)


@professional_required
def organisation(request):
    return _page(request, actor_for(request))


@professional_required
def member_add_view(request):
    actor = _admin_actor(request)
    form = MemberAddForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            membership = member_add(actor=actor, organisation=actor.organisation, email=d["email"],
                                    first_name=d["first_name"], last_name=d["last_name"],
                                    role=d["role"], job_title=d["job_title"],
                                    password=d["password"] or None)
        except PasseportError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("%(name)s fait partie de la structure.")
                             % {"name": membership.user.get_full_name() or membership.user.email})
            return redirect("pro:organisation")
    if form.errors:
        focus_first_error(form)
    return render(request, "pro/organisation/member_add.html",
                  {"form": form, "organisation": actor.organisation})


@professional_required
def member_update(request, pk):
    actor = _admin_actor(request)
    membership = members_of(actor.organisation).filter(pk=pk).first()
    if membership is None:
        raise Http404
    if request.method != "POST":
        return redirect("pro:organisation")
    if membership.pk == actor.membership.pk:
        messages.error(request, _("Vous ne pouvez pas changer votre propre rôle : demandez à un "
                                  "autre administrateur."))
        return redirect("pro:organisation")
    form = MemberUpdateForm(request.POST)
    if form.is_valid():
        try:
            member_set_role(actor=actor, membership=membership, role=form.cleaned_data["role"],
                            is_active=form.cleaned_data["is_active"])
        except PasseportError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Le compte de %(name)s est mis à jour.")
                             % {"name": membership.user.get_full_name() or membership.user.email})
            return redirect("pro:organisation")
    return _page(request, actor, failed_member=membership.pk, failed_form=form)


@professional_required
def token_create(request):
    actor = _admin_actor(request)
    if request.method != "POST":
        return redirect("pro:organisation")
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            token, raw = api_token_create(actor=actor, organisation=actor.organisation,
                                          name=form.cleaned_data["name"])
        except PasseportError as exc:
            add_service_error(form, exc)
        else:
            response = _page(request, actor, new_token=token, new_token_value=raw)
            response["Cache-Control"] = "no-store"
            return response
    focus_first_error(form)
    return _page(request, actor, token_form=form)


@professional_required
def token_revoke(request, pk):
    actor = _admin_actor(request)
    token = api_tokens_of(actor.organisation).filter(pk=pk).first()
    if token is None:
        raise Http404
    if request.method == "POST":
        api_token_revoke(actor=actor, token=token)
        messages.success(request, _("Le jeton « %(name)s » est révoqué : il ne marche plus.")
                         % {"name": token.name})
    return redirect("pro:organisation")
