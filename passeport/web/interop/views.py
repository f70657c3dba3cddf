"""Webhook pages of an organisation's administrators: subscriptions (create, stop) and
the log of every delivery and attempt. The import of a passport bundle (managers and
administrators): upload and attest consent, preview (nothing written), confirm."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from passeport.core.errors import PasseportError
from passeport.interop.bundle import bundle_json, bundle_pdf
from passeport.interop.selectors import (
    bundle_for,
    bundle_preview,
    deliveries_of,
    subscription_get_for,
    subscriptions_of,
)
from passeport.interop.services import (
    bundle_import,
    subscription_create,
    subscription_disable,
)
from passeport.web.context import actor_for
from passeport.web.decorators import person_required, professional_required
from passeport.web.forms import add_service_error
from passeport.web.pro.forms import focus_first_error

from .forms import BundleConfirmForm, BundleUploadForm, SubscriptionForm, bundle_token


def _admin_actor(request):
    actor = actor_for(request)
    if not actor.membership.is_admin:
        raise PermissionDenied
    return actor


@professional_required
def webhooks(request):
    actor = _admin_actor(request)
    form = SubscriptionForm(request.POST if request.method == "POST" else None)
    context = {"organisation": actor.organisation, "form": form}
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            sub, secret = subscription_create(actor=actor, organisation=actor.organisation,
                                              name=d["name"], url=d["url"], events=d["events"])
        except PasseportError as exc:
            add_service_error(form, exc)
        else:
            context.update(new_subscription=sub, new_secret=secret, form=SubscriptionForm())
    if form.errors:
        focus_first_error(form)
    context["subscriptions"] = list(subscriptions_of(actor.organisation))
    response = render(request, "interop/webhooks.html", context,
                      status=200 if not form.errors else 400)
    response["Cache-Control"] = "no-store"
    return response


@professional_required
def webhook_detail(request, pk: int):
    actor = _admin_actor(request)
    sub = subscription_get_for(actor, pk)
    return render(request, "interop/webhook_detail.html",
                  {"subscription": sub, "deliveries": list(deliveries_of(sub)[:100])})


@professional_required
@require_POST
def webhook_disable(request, pk: int):
    actor = _admin_actor(request)
    sub = subscription_get_for(actor, pk)
    subscription_disable(actor=actor, subscription=sub)
    messages.success(request, _("L'abonnement « %(name)s » est arrêté : plus rien ne sera envoyé.")
                     % {"name": sub.name})
    return redirect("interop:webhooks")


def _importer_actor(request):
    actor = actor_for(request)
    if not actor.membership.sees_whole_caseload:
        raise PermissionDenied
    return actor


def _no_store(response):
    response["Cache-Control"] = "no-store"  # the pages show a person's identity
    return response


@professional_required
def bundle_import_upload(request):
    """Step 1 (form) and 2 (preview): the file is checked and counted, nothing is written."""
    actor = _importer_actor(request)
    form = BundleUploadForm(request.POST if request.method == "POST" else None,
                            request.FILES if request.method == "POST" else None)
    context = {"organisation": actor.organisation, "form": form}
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            preview = bundle_preview(actor, d["file"])
        except PasseportError as exc:
            form.add_error("file", exc.message)
        else:
            token = bundle_token(d["file"], {"method": d["consent_method"],
                                             "purpose": d["purpose"], "attested": d["attested"]})
            if len(token) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE - 10_000:
                form.add_error("file", _("Ce fichier est trop gros pour cette page : importez-le "
                                         "par l'API ou la commande « passport_import »."))
            else:
                context.update(preview=preview, confirm_form=BundleConfirmForm(
                    initial={"token": token}), consent_method=dict(
                        form.fields["consent_method"].choices)[d["consent_method"]],
                    purpose=d["purpose"])
    if form.errors:
        focus_first_error(form)
    return _no_store(render(request, "interop/bundle_import.html", context,
                            status=400 if form.errors else 200))


@professional_required
@require_POST
def bundle_import_confirm(request):
    """Step 3: the import itself (the service checks everything again, writes all or
    nothing, and audits it), then its result."""
    actor = _importer_actor(request)
    confirm = BundleConfirmForm(request.POST)
    context = {"organisation": actor.organisation, "form": BundleUploadForm()}
    if confirm.is_valid():
        signed = confirm.cleaned_data["token"]
        consent = signed["consent"]
        try:
            result = bundle_import(actor=actor, organisation=actor.organisation,
                                   data=signed["bundle"], consent_method=consent["method"],
                                   purpose=consent["purpose"], attested=consent["attested"])
        except PasseportError as exc:
            context["error"] = exc.message
        else:
            context["result"] = {**result, "new_items": sum(result["counts"].values())}
            return _no_store(render(request, "interop/bundle_import.html", context))
    else:
        context["error"] = confirm.errors["token"][0]
    return _no_store(render(request, "interop/bundle_import.html", context, status=400))


def _own_bundle(request) -> dict:
    from passeport.core.actor import Actor

    # The person acting on their own passport (even if they are also a professional).
    return bundle_for(Actor(user=request.user, membership=None, channel="web"),
                      request.person.public_id)


@person_required
def my_bundle_json(request):
    bundle = _own_bundle(request)
    response = HttpResponse(bundle_json(bundle), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="passeport-{request.person.public_id}.json"')
    response["Cache-Control"] = "no-store"
    return response


@person_required
def my_bundle_pdf(request):
    bundle = _own_bundle(request)
    response = HttpResponse(bundle_pdf(bundle), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="passeport-{request.person.public_id}.pdf"')
    response["Cache-Control"] = "no-store"
    return response
