"""Writes of the paths app. Every service checks the actor's right on the path,
records a timeline event when the change matters to the people following the path,
and an audit event."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from passeport.core.actor import Actor
from passeport.core.enums import AuditAction
from passeport.core.errors import Conflict, NotFound, PasseportError
from passeport.core.models import Membership
from passeport.core.services import audit_record
from passeport.people.enums import ConsentMethod, ConsentScope
from passeport.people.models import Person
from passeport.people.selectors import active_consent
from passeport.people.services import person_claim_existing, person_create

from . import signals
from .enums import (
    ActionStatus,
    AppointmentOutcome,
    Benefit,
    ContractKind,
    EventKind,
    FreinTheme,
    ObjectiveStatus,
    PathStatus,
    Severity,
)
from .models import Action, DiagnosticEntry, Objective, Path, TimelineEvent, WorkHoursStep
from .perms import ensure_can_write, ensure_professional, is_the_person

SITUATION_FIELDS = ("employment_status", "unemployed_since", "education_level", "housing_status",
                    "benefits")


def _clean(obj) -> None:
    try:
        # created_by is empty when an API token or the system acts (no user).
        obj.full_clean(exclude=["created_by"])
    except ValidationError as exc:
        field, errors = next(iter(exc.message_dict.items()))
        raise PasseportError(errors[0], code="invalid", field=None if field == "__all__" else field,
                             details={"errors": exc.message_dict}) from exc


def _audit(actor: Actor, path: Path, action: str, object_type: str, object_id, **detail) -> None:
    consent = None
    if actor.organisation_id is not None:
        consent = active_consent(path.person, actor.organisation_id, ConsentScope.PATH)
    audit_record(actor, action=action, object_type=object_type, object_id=object_id,
                 person_uid=path.person.public_id, consent_id=consent.pk if consent else None,
                 detail=detail)


def _event(actor: Actor, path: Path, kind: str, title: str, body: str = "", **extra) -> TimelineEvent:
    return TimelineEvent.objects.create(
        path=path, kind=kind, title=title[:200], body=body, author=actor.user,
        by_person=is_the_person(actor, path), organisation=actor.organisation, **extra,
    )


def _check_referent(path: Path, referent: Membership | None) -> None:
    if referent is None:
        return
    if not referent.is_active:
        raise PasseportError(_("Ce professionnel n'est plus actif."), code="inactive_member",
                             field="referent")
    if active_consent(path.person, referent.organisation_id, ConsentScope.PATH) is None:
        raise PasseportError(
            _("La personne n'a pas donné son accord à la structure de ce professionnel."),
            code="referent_without_consent", field="referent")


def _situation(data: dict[str, Any]) -> dict[str, Any]:
    clean = {k: v for k, v in data.items() if k in SITUATION_FIELDS}
    if "benefits" in clean:
        benefits = clean["benefits"] or []
        unknown = [b for b in benefits if b not in Benefit.values]
        if unknown:
            raise PasseportError(_("Aide inconnue : %s") % ", ".join(unknown), code="invalid_benefit",
                                 field="benefits")
        clean["benefits"] = sorted(set(benefits))
    return clean


@transaction.atomic
def path_open(*, actor: Actor, person: Person, referent: Membership | None = None,
              opened_on: date | None = None, situation: dict[str, Any] | None = None) -> Path:
    org = actor.organisation
    if org is None or active_consent(person, org.pk, ConsentScope.PATH) is None:
        raise NotFound(_("Passeport introuvable."))
    if Path.objects.open().filter(person=person).exists():
        raise Conflict(_("Cette personne a déjà un parcours en cours."), code="path_already_open")
    path = Path(person=person, organisation=org, referent=referent,
                opened_on=opened_on or timezone.localdate(), **_situation(situation or {}))
    _check_referent(path, referent)
    _clean(path)
    path.save()
    _event(actor, path, EventKind.STATUS_CHANGE, _("Début du parcours"))
    _audit(actor, path, AuditAction.CREATE, "path", path.pk)
    signals.path_opened.send(sender=Path, path=path, actor=actor)
    return path


@transaction.atomic
def path_update_situation(*, actor: Actor, path: Path, data: dict[str, Any]) -> Path:
    ensure_professional(actor, path)
    for key, value in _situation(data).items():
        setattr(path, key, value)
    _clean(path)
    path.save()
    _audit(actor, path, AuditAction.UPDATE, "path", path.pk, fields=sorted(data))
    return path


@transaction.atomic
def path_set_referent(*, actor: Actor, path: Path, referent: Membership | None) -> Path:
    ensure_professional(actor, path)
    _check_referent(path, referent)
    if path.referent_id != (referent.pk if referent else None):
        path.referent = referent
        path.save(update_fields=["referent", "updated_at"])
        name = referent.user.get_full_name() if referent else _("aucun")
        _event(actor, path, EventKind.REFERENT, _("Nouveau référent de parcours : %s") % name)
        _audit(actor, path, AuditAction.UPDATE, "path", path.pk, fields=["referent"])
    return path


@transaction.atomic
def path_set_status(*, actor: Actor, path: Path, status: str, exit_reason: str = "",
                    closed_on: date | None = None) -> Path:
    ensure_professional(actor, path)
    status = PathStatus(status)
    if path.status == PathStatus.CLOSED:
        raise Conflict(_("Ce parcours est terminé. Ouvrez un nouveau parcours."), code="path_closed")
    if status == PathStatus.CLOSED:
        if not exit_reason:
            raise PasseportError(_("Indiquez le motif de sortie."), code="exit_reason_required",
                                 field="exit_reason")
        path.exit_reason = exit_reason
        path.closed_on = closed_on or timezone.localdate()
    path.status = status
    _clean(path)
    path.save()
    _event(actor, path, EventKind.STATUS_CHANGE,
           _("Parcours : %s") % path.get_status_display(),
           path.get_exit_reason_display() if status == PathStatus.CLOSED else "")
    _audit(actor, path, AuditAction.UPDATE, "path", path.pk, status=status)
    if status == PathStatus.CLOSED:
        signals.path_closed.send(sender=Path, path=path, actor=actor)
    return path


@transaction.atomic
def diagnostic_assess(*, actor: Actor, path: Path, assessments: dict[str, int],
                      comments: dict[str, str] | None = None, assessed_on: date | None = None
                      ) -> list[DiagnosticEntry]:
    """Assess (or re-assess) one or more freins. Only changed freins get a new entry."""
    ensure_professional(actor, path)
    comments = comments or {}
    assessed_on = assessed_on or timezone.localdate()
    if assessed_on > timezone.localdate():
        raise PasseportError(_("La date du diagnostic est dans le futur."), code="future_date",
                             field="assessed_on")
    current = {e.theme: e for e in path.diagnostic.filter(is_current=True)}
    created = []
    for theme, severity in assessments.items():
        if theme not in FreinTheme.values:
            raise PasseportError(_("Frein inconnu : %s") % theme, code="invalid_theme", field="theme")
        if severity not in Severity.values:
            raise PasseportError(_("Importance invalide : choisissez de 0 à 3."),
                                 code="invalid_severity", field=theme)
        comment = comments.get(theme, "")
        previous = current.get(theme)
        if previous and previous.severity == severity and previous.comment == comment:
            continue
        if previous:
            previous.is_current = False
            previous.save(update_fields=["is_current"])
        created.append(DiagnosticEntry.objects.create(
            path=path, theme=theme, severity=severity, comment=comment, assessed_on=assessed_on,
            assessed_by=actor.user,
        ))
    if created:
        labels = ", ".join(f"{FreinTheme(e.theme).label} : {Severity(e.severity).label.lower()}"
                           for e in created)
        _event(actor, path, EventKind.REASSESSMENT, _("Diagnostic mis à jour"), labels,
               occurred_at=timezone.make_aware(datetime.combine(assessed_on, datetime.now().time())))
        _audit(actor, path, AuditAction.UPDATE, "diagnostic", path.pk,
               themes=[e.theme for e in created])
    return created


@transaction.atomic
def objective_add(*, actor: Actor, path: Path, title: str, description: str = "") -> Objective:
    ensure_can_write(actor, path)
    by_person = is_the_person(actor, path)
    objective = Objective(path=path, title=title.strip(), description=description,
                          status=ObjectiveStatus.PROPOSED if by_person else ObjectiveStatus.ACTIVE,
                          proposed_by_person=by_person, created_by=actor.user)
    _clean(objective)
    objective.save()
    _event(actor, path, EventKind.ACTION,
           (_("Objectif proposé : %s") if by_person else _("Nouvel objectif : %s")) % objective.title)
    _audit(actor, path, AuditAction.CREATE, "objective", objective.pk)
    return objective


@transaction.atomic
def objective_set_status(*, actor: Actor, objective: Objective, status: str) -> Objective:
    ensure_professional(actor, objective.path)
    objective.status = ObjectiveStatus(status)
    objective.save(update_fields=["status"])
    _event(actor, objective.path, EventKind.ACTION,
           _("Objectif « %(t)s » : %(s)s") % {"t": objective.title, "s": objective.get_status_display()})
    _audit(actor, objective.path, AuditAction.UPDATE, "objective", objective.pk, status=status)
    return objective


@transaction.atomic
def action_add(*, actor: Actor, path: Path, title: str, description: str = "",
               objective: Objective | None = None, theme: str = "", due_on: date | None = None,
               assignee: Membership | None = None, for_person: bool = False) -> Action:
    ensure_can_write(actor, path)
    by_person = is_the_person(actor, path)
    if objective is not None and objective.path_id != path.pk:
        raise PasseportError(_("Cet objectif n'appartient pas à ce parcours."), code="invalid_objective",
                             field="objective")
    if assignee is not None and not by_person:
        if active_consent(path.person, assignee.organisation_id, ConsentScope.PATH) is None:
            raise PasseportError(_("La personne n'a pas donné son accord à la structure de ce "
                                   "professionnel."), code="assignee_without_consent", field="assignee")
    if due_on is not None and due_on < path.opened_on:
        raise PasseportError(_("L'échéance est avant le début du parcours."), code="invalid_due_date",
                             field="due_on")
    action = Action(
        path=path, title=title.strip(), description=description, objective=objective, theme=theme,
        due_on=due_on, assignee=None if by_person else assignee,
        organisation=(assignee.organisation if assignee else actor.organisation),
        for_person=True if by_person else for_person,
        status=ActionStatus.PROPOSED if by_person else ActionStatus.TODO,
        proposed_by_person=by_person, created_by=actor.user,
    )
    _clean(action)
    action.save()
    _event(actor, path, EventKind.ACTION,
           (_("Action proposée : %s") if by_person else _("Nouvelle action : %s")) % action.title)
    _audit(actor, path, AuditAction.CREATE, "action", action.pk)
    return action


@transaction.atomic
def action_set_status(*, actor: Actor, action: Action, status: str, outcome: str = "") -> Action:
    """Professionals move any action; the person marks their own actions done (or undone)."""
    path = action.path
    ensure_can_write(actor, path)
    status = ActionStatus(status)
    if is_the_person(actor, path):
        if not action.for_person or status not in (ActionStatus.DONE, ActionStatus.TODO):
            raise NotFound(_("Votre référent s'occupe de cette action."))
        if action.status == ActionStatus.PROPOSED:
            raise PasseportError(_("Votre référent n'a pas encore validé cette action."),
                                 code="action_not_validated")
    action.status = status
    if outcome:
        action.outcome = outcome
    action.done_at = timezone.now() if status == ActionStatus.DONE else None
    action.save(update_fields=["status", "outcome", "done_at"])
    _event(actor, path, EventKind.ACTION,
           _("Action « %(t)s » : %(s)s") % {"t": action.title, "s": action.get_status_display()},
           outcome)
    _audit(actor, path, AuditAction.UPDATE, "action", action.pk, status=status)
    return action


def _check_outcome_date(outcome: str, occurred_at: datetime) -> None:
    """An appointment still to come cannot have been held or missed yet."""
    if (outcome in (AppointmentOutcome.HELD, AppointmentOutcome.MISSED)
            and timezone.localdate(occurred_at) > timezone.localdate()):
        raise PasseportError(_("Ce rendez-vous n'a pas encore eu lieu : il ne peut pas être "
                               "honoré ni manqué. Choisissez « Prévu », « Annulé » ou « Absence "
                               "excusée »."), code="outcome_in_future", field="appointment_outcome")


@transaction.atomic
def event_add(*, actor: Actor, path: Path, kind: str, title: str, body: str = "",
              occurred_at: datetime | None = None, appointment_outcome: str = "") -> TimelineEvent:
    ensure_professional(actor, path)
    kind = EventKind(kind)
    if kind not in (EventKind.NOTE, EventKind.CONTACT, EventKind.APPOINTMENT):
        raise PasseportError(_("Ce type d'événement est ajouté automatiquement."), code="invalid_kind",
                             field="kind")
    if kind == EventKind.APPOINTMENT:
        appointment_outcome = AppointmentOutcome(appointment_outcome or AppointmentOutcome.PLANNED)
    elif appointment_outcome:
        raise PasseportError(_("Seul un rendez-vous a un résultat."), code="invalid_outcome",
                             field="appointment_outcome")
    if not title.strip():
        raise PasseportError(_("Donnez un titre."), code="title_required", field="title")
    _check_outcome_date(appointment_outcome, occurred_at or timezone.now())
    event = _event(actor, path, kind, title.strip(), body, occurred_at=occurred_at or timezone.now(),
                   appointment_outcome=appointment_outcome)
    _audit(actor, path, AuditAction.CREATE, "event", event.pk, kind=kind)
    return event


@transaction.atomic
def appointment_set_outcome(*, actor: Actor, event: TimelineEvent, outcome: str) -> TimelineEvent:
    ensure_professional(actor, event.path)
    if event.kind != EventKind.APPOINTMENT:
        raise PasseportError(_("Cet événement n'est pas un rendez-vous."), code="not_an_appointment")
    event.appointment_outcome = AppointmentOutcome(outcome)
    _check_outcome_date(event.appointment_outcome, event.occurred_at)
    event.save(update_fields=["appointment_outcome"])
    _audit(actor, event.path, AuditAction.UPDATE, "event", event.pk, outcome=outcome)
    return event


@transaction.atomic
def person_message(*, actor: Actor, path: Path, body: str) -> TimelineEvent:
    """The person leaves a message or a question on their timeline."""
    if not is_the_person(actor, path):
        raise NotFound(_("Passeport introuvable."))
    body = body.strip()
    if not body:
        raise PasseportError(_("Écrivez votre message."), code="message_required", field="body")
    return _event(actor, path, EventKind.MESSAGE, _("Message de %s") % path.person.first_name, body)


@transaction.atomic
def person_items_mark_seen(*, actor: Actor, path: Path) -> int:
    ensure_professional(actor, path)
    return path.events.filter(by_person=True, seen_by_referent_at__isnull=True).update(
        seen_by_referent_at=timezone.now())


@transaction.atomic
def work_hours_add(*, actor: Actor, path: Path, hours_per_week: int, starts_on: date,
                   contract: str = ContractKind.PREMIERES_HEURES, employer_name: str = "",
                   note: str = "") -> WorkHoursStep:
    """Add a step of the work-hours ladder; the previous open step ends the day before."""
    ensure_professional(actor, path)
    previous = path.work_hours.filter(ends_on__isnull=True).order_by("-starts_on").first()
    if previous is not None:
        if starts_on <= previous.starts_on:
            raise PasseportError(_("La nouvelle étape doit commencer après le %s.")
                                 % previous.starts_on.strftime("%d/%m/%Y"),
                                 code="step_before_previous", field="starts_on")
        previous.ends_on = starts_on - timedelta(days=1)
        previous.save(update_fields=["ends_on"])
    step = WorkHoursStep(path=path, hours_per_week=hours_per_week, starts_on=starts_on,
                         contract=ContractKind(contract), employer_name=employer_name, note=note,
                         created_by=actor.user)
    _clean(step)
    step.save()
    _event(actor, path, EventKind.WORK_HOURS,
           _("%(h)s h par semaine à partir du %(d)s") % {"h": hours_per_week,
                                                         "d": starts_on.strftime("%d/%m/%Y")},
           step.get_contract_display())
    _audit(actor, path, AuditAction.CREATE, "work_hours", step.pk)
    return step


@transaction.atomic
def person_enrol(*, actor: Actor, data: dict[str, Any], nir: str | None = None,
                 scopes: list[str] | None = None, consent_method: str = ConsentMethod.ORAL,
                 purpose: str = "", referent: Membership | None = None,
                 ignore_duplicates: bool = False, existing_public_id: str | None = None) -> Path:
    """Enrol a person in one step: create their passport with their consent to the
    actor's organisation (person_create) and open their path (path_open).

    Raises DuplicateSuspected like person_create. With `existing_public_id` (one of the
    suspected duplicates of `data`/`nir`: "it is this person"), the existing passport is
    used instead: the person's consent is recorded for the actor's organisation and a
    path is opened if none is open. Returns the open path; nothing is saved on error.
    """
    org = actor.organisation
    if org is None:
        raise NotFound(_("Passeport introuvable."))
    scopes = list(dict.fromkeys(scopes or [ConsentScope.PATH]))
    if ConsentScope.PATH not in scopes:
        raise PasseportError(
            _("Cochez au moins « %s » : c'est la partie du passeport que votre structure "
              "accompagne.") % ConsentScope.PATH.label,
            code="path_scope_required", field="scopes")
    if existing_public_id:
        person = person_claim_existing(
            actor=actor, existing_public_id=existing_public_id, data=data, nir=nir,
            scopes=scopes, consent_method=consent_method, purpose=purpose)
    else:
        person = person_create(actor=actor, data=data, nir=nir, scopes=scopes,
                               consent_method=consent_method, purpose=purpose,
                               ignore_duplicates=ignore_duplicates)
    path = Path.objects.open().filter(person=person).select_related("person").first()
    if path is None:
        path = path_open(actor=actor, person=person, referent=referent)
    return path


@transaction.atomic
def path_update(*, actor: Actor, path: Path, situation: dict[str, Any] | None = None,
                set_referent: bool = False, referent: Membership | None = None,
                status: str | None = None, exit_reason: str = "",
                closed_on: date | None = None) -> Path:
    """Change the situation, the référent and/or the status of a path in one go (the
    API's PATCH): all or nothing. Each part goes through its own service."""
    ensure_professional(actor, path)
    if situation:
        path = path_update_situation(actor=actor, path=path, data=situation)
    if set_referent:
        path = path_set_referent(actor=actor, path=path, referent=referent)
    if status is not None and (status != path.status or path.status == PathStatus.CLOSED):
        path = path_set_status(actor=actor, path=path, status=status, exit_reason=exit_reason,
                               closed_on=closed_on)
    return path
