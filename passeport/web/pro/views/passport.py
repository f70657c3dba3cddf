"""The passport page of a person and the changes made from it.

Every view first reads the person and the path through `path_get_for` (consent check
and audit event, NotFound -> 404), so that another organisation, or one whose consent
was withdrawn, gets 404 on every URL, whatever the method. The small forms of the page
(timeline, statuses, objectives) answer htmx requests with the section they change;
without JavaScript they redirect back to the page, or show it again with the errors.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from django.contrib import messages
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from passeport.core.errors import PasseportError
from passeport.core.selectors import members_of
from passeport.paths.booking_selectors import invitations_unanswered
from passeport.paths.enums import (
    ActionStatus,
    AppointmentOutcome,
    Benefit,
    EventKind,
    ObjectiveStatus,
    PathStatus,
)
from passeport.paths.selectors import (
    appointment_ics,
    diagnostic_history,
    path_get_for,
    path_members,
    path_view,
)
from passeport.paths.services import (
    action_add,
    action_set_status,
    appointment_set_outcome,
    diagnostic_assess,
    event_add,
    objective_add,
    objective_set_status,
    path_open,
    path_set_referent,
    path_set_status,
    path_update_situation,
    person_items_mark_seen,
    work_hours_add,
)
from passeport.people.enums import ConsentScope
from passeport.people.selectors import consents_of, invitations_of
from passeport.people.services import consent_withdraw, invitation_create
from passeport.web.context import actor_for
from passeport.web.decorators import professional_required
from passeport.web.forms import add_service_error

from ..forms import (
    ActionForm,
    ActionStatusForm,
    AppointmentOutcomeForm,
    ConsentWithdrawForm,
    DiagnosticForm,
    EventForm,
    InviteForm,
    ObjectiveForm,
    ObjectiveStatusForm,
    PathCloseForm,
    PathOpenForm,
    ReferentForm,
    SituationForm,
    WorkHoursForm,
    focus_first_error,
)

# Sections of the page: anchor -> template of the section (htmx swaps one of them).
SECTIONS = {
    "situation": "pro/passport/_situation.html",
    "objectifs": "pro/passport/_objectives.html",
    "historique": "pro/passport/_timeline.html",
    "heures": "pro/passport/_work_hours.html",
    "suivi": "pro/passport/_followers.html",
    "espace": "pro/passport/_space.html",
}


# The Premières heures ladder: weekly hours, from 4 h up to a 26 h CDDI.
LADDER = (4, 8, 12, 16, 20, 24, 26)
EVENTS_LIMIT = 50


def ladder(current_hours: int | None) -> list[dict]:
    hours = current_hours or 0
    return [{"hours": h, "reached": h <= hours, "current": h == hours} for h in LADDER]


def next_rung(current_hours: int | None) -> int:
    return next((h for h in LADDER if h > (current_hours or 0)), LADDER[-1])


def load(request, public_id: str, *, need_path: bool = True):
    """The actor, the person and their current path, or 404."""
    actor = actor_for(request)
    person, path = path_get_for(actor, public_id)
    if path is not None:
        path.person = person
    elif need_path:
        raise Http404
    return actor, person, path


def load_open_path(request, public_id: str):
    actor, person, path = load(request, public_id)
    if path.status == PathStatus.CLOSED:
        raise Http404
    return actor, person, path


def own_members(actor):
    return members_of(actor.organisation).filter(is_active=True)


def passport_url(person, anchor: str = "") -> str:
    url = reverse("pro:passport", kwargs={"public_id": person.public_id})
    return f"{url}#{anchor}" if anchor else url


def passport_context(request, actor, person, path, **overrides) -> dict:
    """Everything the passport page shows; `overrides` replace forms (bound, with errors)
    or add flags such as the success message of a section."""
    context = {"person": person, "path": path, "today": timezone.localdate()}
    context["my_consents"] = list(consents_of(person).filter(organisation_id=actor.organisation_id))
    # The scopes the person currently opens to this organisation: the links to the other
    # parts of the passport (documents, rights) are shown only where access is granted.
    context["open_scopes"] = set(consents_of(person).active().filter(
        organisation_id=actor.organisation_id).values_list("scope", flat=True))
    context["invitation"] = invitations_of(person).first()
    context["invite_form"] = InviteForm(initial={"email": person.email})
    if path is not None:
        view = path_view(path, events_limit=EVENTS_LIMIT)
        current_hours = view.current_hours.hours_per_week if view.current_hours else None
        members = path_members(path)
        by_objective = defaultdict(list)
        for action in view.actions:
            by_objective[action.objective_id].append(action)
        is_open = path.status != PathStatus.CLOSED
        context.update({
            "view": view,
            "is_open": is_open,
            "objectives": [(o, by_objective.get(o.pk, [])) for o in view.objectives],
            "loose_actions": by_objective.get(None, []),
            "history": list(diagnostic_history(path)),
            "action_statuses": ActionStatusForm.base_fields["status"].choices,
            "objective_statuses": ObjectiveStatusForm.base_fields["status"].choices,
            "outcomes": AppointmentOutcomeForm.base_fields["outcome"].choices,
            "objective_form": ObjectiveForm(),
            "event_form": EventForm(),
            "work_hours_form": WorkHoursForm(initial={"starts_on": timezone.localdate(),
                                                      "hours_per_week": next_rung(current_hours)}),
            "ladder": ladder(current_hours),
            "events_limit": EVENTS_LIMIT,
            "benefit_labels": [Benefit(b).label for b in path.benefits if b in Benefit.values],
            "referent_form": ReferentForm(members=members,
                                          initial={"referent": path.referent_id}),
            "booking_unanswered": invitations_unanswered(path),
        })
        # The référent (or anyone of the organisation when nobody is the référent)
        # has now seen what the person added; the badges show one last time.
        if is_open and (path.referent_id is None or path.referent_id == actor.membership.pk):
            person_items_mark_seen(actor=actor, path=path)
    if path is None or path.status == PathStatus.CLOSED:
        context["open_form"] = PathOpenForm(members=own_members(actor),
                                            initial={"referent": actor.membership.pk})
    context.update(overrides)
    for value in overrides.values():
        if isinstance(value, Form) and value.errors:
            focus_first_error(value)
    return context


@professional_required
def passport(request, public_id):
    actor, person, path = load(request, public_id, need_path=False)
    return render(request, "pro/passport/page.html",
                  passport_context(request, actor, person, path))


def respond(request, actor, person, path, section: str, done: str | None,
            **overrides):
    """After a small form of the page: the section for htmx (with the timeline, which
    most changes write to), else a redirect to the page (success) or the page with the
    form and its errors."""
    htmx = getattr(request, "htmx", None)
    if htmx:
        context = passport_context(request, actor, person, path, section_message=done,
                                   message_section=section, **overrides)
        html = [render(request, SECTIONS[section], context).content.decode()]
        if section != "historique":
            html.append(render(request, SECTIONS["historique"],
                               {**context, "oob": True}).content.decode())
        return HttpResponse("".join(html))
    if done is not None:
        messages.success(request, done)
        return redirect(passport_url(person, section))
    context = passport_context(request, actor, person, path, **overrides)
    return render(request, "pro/passport/page.html", context)


def handle(request, public_id: str, form_class, section: str, call: Callable, done: str,
           form_name: str, form_kwargs: Callable | None = None):
    """A small form of the page (POST only; GET goes back to the page after the access
    check, so that another organisation gets 404 whatever the method)."""
    actor, person, path = load_open_path(request, public_id)
    if request.method != "POST":
        return redirect(passport_url(person, section))
    kwargs = form_kwargs(path) if form_kwargs else {}
    form = form_class(request.POST, **kwargs)
    if form.is_valid():
        try:
            call(actor, path, form.cleaned_data)
        except PasseportError as exc:
            add_service_error(form, exc)
        else:
            return respond(request, actor, person, path, section, done)
    return respond(request, actor, person, path, section, None, **{form_name: form})


def item_or_404(queryset, pk):
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


# ---------------------------------------------------------------- situation, diagnostic


@professional_required
def situation(request, public_id):
    actor, person, path = load_open_path(request, public_id)
    initial = {name: getattr(path, name) for name in SituationForm.base_fields}
    form = SituationForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            path_update_situation(actor=actor, path=path, data=form.cleaned_data)
        except PasseportError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("La situation à l'entrée est enregistrée."))
            return redirect(passport_url(person, "situation"))
    if form.errors:
        focus_first_error(form)
    return render(request, "pro/passport/situation.html",
                  {"form": form, "person": person, "path": path,
                   "page_title": _("Situation à l'entrée")})


@professional_required
def diagnostic(request, public_id):
    actor, person, path = load_open_path(request, public_id)
    current = {e.theme: e for e in path_view(path).diagnostic}
    form = DiagnosticForm(request.POST if request.method == "POST" else None, current=current)
    if request.method == "POST" and form.is_valid():
        severities, comments = form.assessments()
        try:
            created = diagnostic_assess(actor=actor, path=path, assessments=severities,
                                        comments=comments,
                                        assessed_on=form.cleaned_data["assessed_on"])
        except PasseportError as exc:
            add_service_error(form, exc)
        else:
            if created:
                messages.success(request, _("Le diagnostic est enregistré."))
            else:
                messages.info(request, _("Rien n'a changé dans le diagnostic."))
            return redirect(passport_url(person, "situation"))
    if form.errors:
        focus_first_error(form)
    return render(request, "pro/passport/diagnostic.html",
                  {"form": form, "person": person, "path": path,
                   "history": list(diagnostic_history(path)),
                   "page_title": _("Diagnostic des freins")})


# ---------------------------------------------------------------- objectives and actions


@professional_required
def objective_add_view(request, public_id):
    return handle(
        request, public_id, ObjectiveForm, "objectifs",
        lambda actor, path, d: objective_add(actor=actor, path=path, title=d["title"],
                                             description=d["description"]),
        _("L'objectif est ajouté."), "objective_form",
    )


@professional_required
def objective_status(request, public_id, pk):
    actor, person, path = load_open_path(request, public_id)
    objective = item_or_404(path.objectives.all(), pk)
    if request.method != "POST":
        return redirect(passport_url(person, "objectifs"))
    form = ObjectiveStatusForm(request.POST)
    if form.is_valid():
        try:
            objective_set_status(actor=actor, objective=objective,
                                 status=form.cleaned_data["status"])
        except PasseportError as exc:
            add_service_error(form, exc)
        else:
            done = (_("L'objectif proposé par la personne est validé.")
                    if objective.status == ObjectiveStatus.ACTIVE and objective.proposed_by_person
                    else _("Le statut de l'objectif est mis à jour."))
            return respond(request, actor, person, path, "objectifs", done)
    return respond(request, actor, person, path, "objectifs", None,
                   failed_objective=objective.pk, failed_form=form)


@professional_required
def action_add_view(request, public_id):
    actor, person, path = load_open_path(request, public_id)
    form = ActionForm(
        request.POST if request.method == "POST" else None,
        objectives=path.objectives.exclude(status__in=[ObjectiveStatus.ABANDONED,
                                                        ObjectiveStatus.ACHIEVED]),
        members=path_members(path),
        initial={"objective": request.GET.get("objectif")},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            action_add(actor=actor, path=path, title=d["title"], description=d["description"],
                       objective=d["objective"], theme=d["theme"], due_on=d["due_on"],
                       assignee=d["assignee"], for_person=d["for_person"])
        except PasseportError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("L'action est ajoutée."))
            return redirect(passport_url(person, "objectifs"))
    if form.errors:
        focus_first_error(form)
    return render(request, "pro/passport/action_add.html",
                  {"form": form, "person": person, "path": path,
                   "page_title": _("Nouvelle action")})


@professional_required
def action_status(request, public_id, pk):
    actor, person, path = load_open_path(request, public_id)
    action = item_or_404(path.actions.all(), pk)
    if request.method != "POST":
        return redirect(passport_url(person, "objectifs"))
    was_proposed = action.status == ActionStatus.PROPOSED
    form = ActionStatusForm(request.POST)
    if form.is_valid():
        try:
            action_set_status(actor=actor, action=action, status=form.cleaned_data["status"],
                              outcome=form.cleaned_data["outcome"])
        except PasseportError as exc:
            add_service_error(form, exc)
        else:
            done = (_("L'action proposée par la personne est validée.") if was_proposed
                    else _("Le statut de l'action est mis à jour."))
            return respond(request, actor, person, path, "objectifs", done)
    return respond(request, actor, person, path, "objectifs", None,
                   failed_action=action.pk, failed_form=form)


# ---------------------------------------------------------------- timeline


@professional_required
def event_add_view(request, public_id):
    return handle(
        request, public_id, EventForm, "historique",
        lambda actor, path, d: event_add(
            actor=actor, path=path, kind=d["kind"], title=d["title"], body=d["body"],
            occurred_at=d["occurred_at"], appointment_outcome=d["appointment_outcome"]),
        _("L'événement est ajouté à l'historique."), "event_form",
    )


@professional_required
def appointment_outcome(request, public_id, pk):
    actor, person, path = load_open_path(request, public_id)
    event = item_or_404(path.events.all(), pk)
    if request.method != "POST":
        return redirect(passport_url(person, "historique"))
    form = AppointmentOutcomeForm(request.POST)
    if form.is_valid():
        try:
            appointment_set_outcome(actor=actor, event=event, outcome=form.cleaned_data["outcome"])
        except PasseportError as exc:
            add_service_error(form, exc)
        else:
            return respond(request, actor, person, path, "historique",
                           _("Le résultat du rendez-vous est enregistré."))
    return respond(request, actor, person, path, "historique", None,
                   failed_event=event.pk, failed_form=form)


@professional_required
def appointment_calendar(request, public_id, pk):
    """The professional's copy of a planned appointment, as an .ics file."""
    _actor, person, path = load(request, public_id)
    event = item_or_404(path.events.filter(kind=EventKind.APPOINTMENT,
                                           appointment_outcome=AppointmentOutcome.PLANNED), pk)
    link = request.build_absolute_uri(reverse("pro:passport", args=[person.public_id]))
    response = HttpResponse(appointment_ics(event, person=person, passport_url=link),
                            content_type="text/calendar; charset=utf-8")
    day = timezone.localtime(event.occurred_at).date().isoformat()
    response["Content-Disposition"] = f'attachment; filename="rendez-vous-{day}.ics"'
    response["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------- work hours


@professional_required
def work_hours_add_view(request, public_id):
    return handle(
        request, public_id, WorkHoursForm, "heures",
        lambda actor, path, d: work_hours_add(
            actor=actor, path=path, hours_per_week=d["hours_per_week"], starts_on=d["starts_on"],
            contract=d["contract"], employer_name=d["employer_name"], note=d["note"]),
        _("L'étape des heures de travail est ajoutée."), "work_hours_form",
    )


# ---------------------------------------------------------------- followers, consents, status


@professional_required
def referent_change(request, public_id):
    return handle(
        request, public_id, ReferentForm, "suivi",
        lambda actor, path, d: path_set_referent(actor=actor, path=path, referent=d["referent"]),
        _("Le référent de parcours est changé."), "referent_form",
        form_kwargs=lambda path: {"members": path_members(path)},
    )


@professional_required
def path_pause(request, public_id):
    """Pause an active path, or resume a paused one."""
    actor, person, path = load_open_path(request, public_id)
    if request.method == "POST":
        status = PathStatus.ACTIVE if path.status == PathStatus.PAUSED else PathStatus.PAUSED
        try:
            path_set_status(actor=actor, path=path, status=status)
        except PasseportError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Le parcours est en pause.") if status == PathStatus.PAUSED
                             else _("Le parcours reprend."))
    return redirect(passport_url(person, "suivi"))


@professional_required
def path_close(request, public_id):
    actor, person, path = load_open_path(request, public_id)
    form = PathCloseForm(request.POST if request.method == "POST" else None, initial={"closed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            path_set_status(actor=actor, path=path, status=PathStatus.CLOSED,
                            exit_reason=form.cleaned_data["exit_reason"],
                            closed_on=form.cleaned_data["closed_on"])
        except PasseportError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Le parcours est terminé."))
            return redirect(passport_url(person, "suivi"))
    if form.errors:
        focus_first_error(form)
    return render(request, "pro/passport/path_close.html",
                  {"form": form, "person": person, "path": path,
                   "page_title": _("Terminer le parcours")})


@professional_required
def path_open_view(request, public_id):
    """Open a new path when the person has none open (POST only)."""
    actor, person, path = load(request, public_id, need_path=False)
    if request.method != "POST":
        return redirect(passport_url(person, "suivi"))
    if path is not None and path.status != PathStatus.CLOSED:
        messages.info(request, _("Cette personne a déjà un parcours en cours."))
        return redirect(passport_url(person))
    form = PathOpenForm(request.POST, members=own_members(actor))
    if form.is_valid():
        try:
            path_open(actor=actor, person=person, referent=form.cleaned_data["referent"])
        except PasseportError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Un nouveau parcours est ouvert."))
    else:
        messages.error(request, _("Choisissez le référent de parcours."))
    return redirect(passport_url(person))


@professional_required
def consent_withdraw_view(request, public_id, pk):
    """Record a withdrawal that the person told a professional (orally, by phone...)."""
    actor, person, path = load(request, public_id, need_path=False)
    consent = item_or_404(consents_of(person).filter(organisation_id=actor.organisation_id,
                                                     withdrawn_at__isnull=True), pk)
    form = ConsentWithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            consent_withdraw(actor=actor, consent=consent)
        except PasseportError as exc:
            add_service_error(form, exc)
        else:
            if consent.scope == ConsentScope.PATH:
                messages.success(request, _("Le retrait de l'accord de %(name)s est enregistré. "
                                            "Votre structure n'a plus accès à son parcours.")
                                 % {"name": person.full_name})
                return redirect("pro:caseload")
            messages.success(request, _("Le retrait de l'accord est enregistré."))
            return redirect(passport_url(person, "suivi"))
    if form.errors:
        focus_first_error(form)
    return render(request, "pro/passport/consent_withdraw.html",
                  {"form": form, "person": person, "consent": consent,
                   "page_title": _("Retrait d'un accord")})


# ---------------------------------------------------------------- personal space


@professional_required
def invite(request, public_id):
    """Invite the person to their space. The link is shown once on the answer page, so
    that it can also be given by text message or on paper."""
    actor, person, path = load(request, public_id, need_path=False)
    form = InviteForm(request.POST if request.method == "POST" else None, initial={"email": person.email})
    if request.method == "POST" and form.is_valid():
        base_url = request.build_absolute_uri("/")
        try:
            sent = invitation_create(actor=actor, person=person, email=form.cleaned_data["email"],
                                     base_url=base_url)
        except PasseportError as exc:
            add_service_error(form, exc)
        else:
            link = f"{base_url.rstrip('/')}/invitation/{sent.url_token}/"
            response = render(request, "pro/passport/invite_sent.html",
                              {"person": person, "invitation": sent.invitation, "link": link})
            response["Cache-Control"] = "no-store"
            return response
    if form.errors:
        focus_first_error(form)
    return render(request, "pro/passport/invite.html",
                  {"form": form, "person": person,
                   "page_title": _("Inviter la personne à son espace")})
