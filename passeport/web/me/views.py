"""The person's own space, "Mon passeport": the invitation link, their path in plain
words, co-construction (propose an objective or an action, mark their own actions done,
write to their référent), and who may see / who looked at their passport.

The person acts as `Actor(user=request.user, membership=None)`: the services recognise
them (paths.perms.is_the_person). Every id in a URL is read through a selector that
checks it belongs to the person's own passport (NotFound -> 404); an action must also
belong to their current path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.password_validation import get_default_password_validators
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from passeport.core.actor import Actor
from passeport.core.errors import NotFound, PasseportError
from passeport.paths.booking_selectors import invitations_open_for_person
from passeport.paths.enums import (
    ActionStatus,
    AppointmentOutcome,
    EventKind,
    ObjectiveStatus,
    PathStatus,
)
from passeport.paths.models import Action, Path
from passeport.paths.selectors import (
    PathView,
    action_get_for,
    appointment_calendar_for,
    current_path,
    path_view,
    timeline_events,
)
from passeport.paths.services import (
    action_add,
    action_set_status,
    objective_add,
    person_message,
)
from passeport.people.models import AccessRequest, Consent
from passeport.people.selectors import (
    access_request_get_for,
    access_requests_pending_for,
    consent_get_for,
    consents_of,
    person_access_log_for,
)
from passeport.people.services import (
    access_request_accept,
    access_request_refuse,
    consent_withdraw,
    invitation_accept,
    invitation_lookup,
)
from passeport.web.decorators import person_required
from passeport.web.forms import add_service_error

from . import plain
from .forms import (
    ActionProposeForm,
    InvitationForm,
    MessageForm,
    ObjectiveProposeForm,
    focus_first_error,
)

# The Premières heures ladder: weekly hours, from 4 h up to a 26 h CDDI.
LADDER = (4, 8, 12, 16, 20, 24, 26)
HOME_EVENTS = 10
HISTORY_PAGE_SIZE = 20
ACCESS_LOG_PAGE_SIZE = 20


def person_actor(request) -> Actor:
    """The person acting on their own passport (even if they are also a professional)."""
    return Actor(user=request.user, membership=None, channel="web")


def _open_path(request) -> Path | None:
    """The person's current path, if they can still add to it."""
    path = current_path(request.person)
    if path is None or path.status == PathStatus.CLOSED:
        messages.info(request, _("Votre parcours n'est pas ouvert. "
                                 "Vous ne pouvez pas faire de proposition pour le moment."))
        return None
    return path


# --- Invitation ----------------------------------------------------------------------

def _password_min_length() -> int:
    for validator in get_default_password_validators():
        if hasattr(validator, "min_length"):
            return validator.min_length
    return 0


@never_cache
@sensitive_post_parameters("password", "password_again")
def invitation(request, token: str):
    """The link sent by the référent: the person chooses their password, their account
    is created, they are logged in and land in their space."""
    try:
        invite = invitation_lookup(token)
    except NotFound:
        return render(request, "me/invitation_invalid.html", status=404)
    form = InvitationForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            user = invitation_accept(raw_token=token, password=form.cleaned_data["password"])
        except NotFound:
            return render(request, "me/invitation_invalid.html", status=404)
        except PasseportError as exc:
            add_service_error(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("C'est fait : votre espace est ouvert. Bienvenue ! "
                                        "La prochaine fois, connectez-vous avec votre adresse "
                                        "e-mail et votre mot de passe."))
            return redirect("me:home")
    focus_first_error(form)
    inviter = invite.created_by
    return render(request, "me/invitation.html", {
        "form": form,
        "invitation": invite,
        "person": invite.person,
        "organisation": invite.organisation,
        "inviter_name": inviter.get_full_name() if inviter else "",
        "min_length": _password_min_length(),
        "token": token,
    })


# --- Home ----------------------------------------------------------------------------

@dataclass
class MySpace:
    """What the home page shows, sorted for the person."""

    view: PathView | None
    my_actions: list[Action] = field(default_factory=list)  # to do by me
    my_proposals: list[Action] = field(default_factory=list)  # waiting for the référent
    my_done: list[Action] = field(default_factory=list)
    pro_actions: list[Action] = field(default_factory=list)  # done for me by professionals
    objectives: list = field(default_factory=list)
    freins: list = field(default_factory=list)
    events: list = field(default_factory=list)
    my_messages: list = field(default_factory=list)
    appointments: list = field(default_factory=list)  # planned, still to come
    ladder: dict | None = None


def _ladder(view: PathView) -> dict | None:
    current = view.current_hours
    if not view.work_hours:
        return None
    hours = current.hours_per_week if current else None
    index = None
    if hours is not None:
        reached = [h for h in LADDER if h <= hours]
        index = len(reached) if reached else None
    following = [h for h in LADDER if hours is not None and h > hours]
    return {
        "current": current,
        "steps": view.work_hours,
        "index": index,
        "count": len(LADDER),
        "next_hours": following[0] if following else None,
        "top": LADDER[-1],
    }


def _my_space(path: Path | None) -> MySpace:
    if path is None:
        return MySpace(view=None)
    view = path_view(path)
    space = MySpace(view=view)
    for action in view.actions:
        action.plain_status = plain.action_status(action.status)
        if action.for_person:
            if action.status == ActionStatus.PROPOSED:
                space.my_proposals.append(action)
            elif action.status in ActionStatus.open():
                space.my_actions.append(action)
            elif action.status == ActionStatus.DONE:
                space.my_done.append(action)
        elif action.status in ActionStatus.open():
            space.pro_actions.append(action)
    space.my_done.sort(key=lambda a: a.done_at or a.created_at, reverse=True)
    space.objectives = [o for o in view.objectives if o.status != ObjectiveStatus.ABANDONED]
    for objective in space.objectives:
        objective.plain_status = plain.objective_status(objective.status)
    space.freins = [plain.frein(e.theme) for e in view.diagnostic if e.severity > 0]
    space.events = [plain.event(e) for e in view.events[:HOME_EVENTS]]
    space.my_messages = [plain.event(e) for e in view.events
                         if e.kind == EventKind.MESSAGE and e.by_person][:3]
    now = timezone.now()
    space.appointments = sorted(
        (e for e in view.events if e.kind == EventKind.APPOINTMENT and e.occurred_at >= now
         and e.appointment_outcome == AppointmentOutcome.PLANNED), key=lambda e: e.occurred_at)
    space.ladder = _ladder(view)
    return space


@person_required
def home(request):
    person = request.person
    path = current_path(person)
    referent = path.referent if path else None
    return render(request, "me/home.html", {
        "person": person,
        "path": path,
        "path_open": path is not None and path.status != PathStatus.CLOSED,
        "referent": referent,
        "space": _my_space(path),
        "bookings": invitations_open_for_person(path),
        "message_form": MessageForm(auto_id="message-%s"),
        "pending_requests": access_requests_pending_for(person).count(),
    })


# --- Co-construction -----------------------------------------------------------------

@person_required
def objective_propose(request):
    path = _open_path(request)
    if path is None:
        return redirect("me:home")
    form = ObjectiveProposeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            objective_add(actor=person_actor(request), path=path,
                          title=form.cleaned_data["title"],
                          description=form.cleaned_data["description"])
        except NotFound:
            raise
        except PasseportError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Merci ! Votre objectif est envoyé à votre référent. "
                                        "Il va le regarder avec vous."))
            return redirect("me:home")
    focus_first_error(form)
    return render(request, "me/propose.html", {
        "form": form, "page_title": _("Proposer un objectif"),
        "intro": _("Un objectif, c'est ce que vous voulez réussir. "
                   "Par exemple : trouver un logement, passer le permis, travailler dans "
                   "la vente."),
        "submit": _("Envoyer mon objectif"),
    })


@person_required
def action_propose(request):
    path = _open_path(request)
    if path is None:
        return redirect("me:home")
    form = ActionProposeForm(request.POST if request.method == "POST" else None, path=path)
    if form.is_bound and form.is_valid():
        try:
            action_add(actor=person_actor(request), path=path, title=form.cleaned_data["title"],
                       description=form.cleaned_data["description"],
                       objective=form.cleaned_data.get("objective"))
        except NotFound:
            raise
        except PasseportError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Merci ! Votre action est envoyée à votre référent. "
                                        "Il va la regarder avec vous."))
            return redirect("me:home")
    focus_first_error(form)
    return render(request, "me/propose.html", {
        "form": form, "page_title": _("Proposer une action"),
        "intro": _("Une action, c'est une chose à faire pour avancer. "
                   "Par exemple : m'inscrire à l'auto-école, faire mon CV, "
                   "appeler la CAF (caisse d'allocations familiales)."),
        "submit": _("Envoyer mon action"),
    })


def _set_my_action(request, pk: int, status: str):
    actor = person_actor(request)
    action = action_get_for(actor, pk)  # NotFound (-> 404) outside the person's passport
    path = current_path(request.person)
    if path is None or action.path_id != path.pk:
        raise Http404
    try:
        action_set_status(actor=actor, action=action, status=status)
    except NotFound:
        raise  # not an action for the person: 404
    except PasseportError as exc:
        messages.error(request, exc.message)
    else:
        if status == ActionStatus.DONE:
            messages.success(request, _("Bravo ! Vous avez fait : « %s ». "
                                        "Votre référent le verra.") % action.title)
        else:
            messages.info(request, _("C'est noté : « %s » est de nouveau à faire.")
                          % action.title)
    return redirect("me:home")


@person_required
@require_POST
def action_done(request, pk: int):
    return _set_my_action(request, pk, ActionStatus.DONE)


@person_required
@require_POST
def action_undo(request, pk: int):
    return _set_my_action(request, pk, ActionStatus.TODO)


@person_required
def message(request):
    """Write to the référent: a message or a question on the person's timeline."""
    path = _open_path(request)
    if path is None:
        return redirect("me:home")
    form = MessageForm(request.POST if request.method == "POST" else None,
                       auto_id="message-%s")
    if form.is_bound and form.is_valid():
        try:
            person_message(actor=person_actor(request), path=path,
                           body=form.cleaned_data["body"])
        except NotFound:
            raise
        except PasseportError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Votre message est envoyé. Votre référent le verra "
                                        "dans votre passeport."))
            return redirect("me:home")
    focus_first_error(form)
    return render(request, "me/message.html", {"form": form})


def _cursor(value: str) -> tuple[datetime, int] | None:
    """`avant=<microseconds since epoch>-<id>`: the last event shown, for the next page."""
    try:
        micros, pk = value.split("-")
        at = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(micros))
        return at, int(pk)
    except (ValueError, OverflowError):
        return None


@person_required
def history(request):
    """The whole timeline of the path, newest first, 20 at a time."""
    path = current_path(request.person)
    before = _cursor(request.GET.get("avant", "")) if request.GET.get("avant") else None
    events = timeline_events(path, before=before, limit=HISTORY_PAGE_SIZE + 1) if path else []
    more = len(events) > HISTORY_PAGE_SIZE
    events = events[:HISTORY_PAGE_SIZE]
    next_cursor = ""
    if more:
        last = events[-1]
        delta = last.occurred_at - datetime(1970, 1, 1, tzinfo=UTC)
        micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        next_cursor = f"{micros}-{last.pk}"
    return render(request, "me/history.html", {
        "path": path, "events": [plain.event(e) for e in events],
        "next_cursor": next_cursor, "is_first_page": before is None,
    })


# --- Who can see my passport, who looked at it -------------------------------------

@dataclass
class OrganisationAccess:
    organisation: object
    is_referent_org: bool
    current: list[Consent] = field(default_factory=list)
    ended: list[Consent] = field(default_factory=list)


def _consent_ended(consent: Consent, today) -> bool:
    return consent.withdrawn_at is not None or (
        consent.valid_until is not None and consent.valid_until < today)


def _referent_org_id(path: Path | None) -> int | None:
    if path is None or path.status == PathStatus.CLOSED:
        return None
    return path.referent.organisation_id if path.referent else path.organisation_id


def _decorate(consent: Consent) -> Consent:
    consent.plain_scope = plain.scope(consent.scope)
    consent.plain_scope_short = plain.scope_short(consent.scope)
    consent.plain_method = plain.method(consent.method)
    return consent


@person_required
def access(request):
    person = request.person
    today = timezone.localdate()
    referent_org_id = _referent_org_id(current_path(person))
    groups: dict[int, OrganisationAccess] = {}
    for consent in consents_of(person):
        group = groups.setdefault(consent.organisation_id, OrganisationAccess(
            organisation=consent.organisation,
            is_referent_org=consent.organisation_id == referent_org_id))
        _decorate(consent)
        (group.ended if _consent_ended(consent, today) else group.current).append(consent)
    following = [g for g in groups.values() if g.current]
    former = [g for g in groups.values() if not g.current]
    log = person_access_log_for(person_actor(request), person.public_id).select_related("actor")
    page = Paginator(log, ACCESS_LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "me/access.html", {
        "person": person,
        "requests": [_plain_request(r) for r in access_requests_pending_for(person)],
        "today": today,
        "following": following,
        "former": former,
        "page": page,
        "rows": plain.access_rows(page.object_list),
    })


@person_required
def consent_withdraw_view(request, pk: int):
    """A POST button per consent leads here; the person confirms on this page (it works
    without JavaScript and reads well with a screen reader), then the consent is
    withdrawn at once."""
    actor = person_actor(request)
    consent = _decorate(consent_get_for(actor, pk))  # NotFound (-> 404) if not theirs
    if _consent_ended(consent, timezone.localdate()):
        messages.info(request, _("Cet accord est déjà terminé. Il n'y a rien à faire."))
        return redirect("me:access")
    if request.method == "POST" and request.POST.get("confirmer") == "oui":
        consent_withdraw(actor=actor, consent=consent)
        messages.success(request, _("C'est fait. %(org)s ne peut plus voir %(scope)s.") % {
            "org": consent.organisation.name, "scope": consent.plain_scope_short})
        return redirect("me:access")
    path = current_path(request.person)
    return render(request, "me/consent_withdraw.html", {
        "consent": consent,
        "is_referent_org": consent.organisation_id == _referent_org_id(path),
    })


# --- Access requests: organisations asking to see the passport ---------------------

def _plain_request(access_request: AccessRequest) -> AccessRequest:
    access_request.plain_scopes = [(s, plain.scope(s)) for s in access_request.scopes]
    user = access_request.requested_by
    access_request.who = (user.get_full_name() or user.email) if user else ""
    return access_request


def _decide(request, pk: int, accept: bool):
    actor = person_actor(request)
    access_request = access_request_get_for(actor, pk)  # NotFound (-> 404) if not theirs
    org = access_request.organisation.name
    try:
        if accept:
            # The boxes the person left ticked (all of them, unless they untick some).
            access_request_accept(actor=actor, access_request=access_request,
                                  scopes=request.POST.getlist("scopes"))
        else:
            access_request_refuse(actor=actor, access_request=access_request)
    except NotFound:
        raise
    except PasseportError as exc:
        messages.error(request, exc.message)
    else:
        if accept:
            messages.success(request, _("C'est fait : %(org)s peut voir ce que vous avez "
                                        "accepté. Vous pouvez retirer votre accord quand vous "
                                        "voulez, sur cette page.") % {"org": org})
        else:
            messages.success(request, _("C'est noté : vous avez refusé. %(org)s ne voit pas "
                                        "votre passeport.") % {"org": org})
    return redirect(reverse("me:access") + "#demandes")


@person_required
@require_POST
def access_request_accept_view(request, pk: int):
    return _decide(request, pk, accept=True)


@person_required
@require_POST
def access_request_refuse_view(request, pk: int):
    return _decide(request, pk, accept=False)


@person_required
def appointment_calendar(request, pk):
    """« Ajouter à mon agenda »: one planned appointment as an .ics file."""
    event, ics = appointment_calendar_for(person_actor(request), pk)
    response = HttpResponse(ics, content_type="text/calendar; charset=utf-8")
    day = timezone.localtime(event.occurred_at).date().isoformat()
    response["Content-Disposition"] = f'attachment; filename="rendez-vous-{day}.ics"'
    response["Cache-Control"] = "no-store"
    return response

