"""Writes of the reporting app: operations, participations, participant data, the
six-month follow-up. Every write that touches a person's data is audited."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from passeport.core.actor import Actor
from passeport.core.enums import AuditAction
from passeport.core.errors import Conflict, Forbidden, PasseportError, PasseportErrors
from passeport.core.services import audit_record
from passeport.paths.enums import ActionStatus, Benefit, HousingStatus, PathStatus
from passeport.paths.models import Action, Path
from passeport.people.enums import ConsentScope
from passeport.people.selectors import person_get_for

from .enums import SENSITIVE_FIELDS, Answer, EntryStatus, FollowUpStatus
from .models import Operation, Participation

OPERATION_FIELDS = ("code", "title", "programme", "specific_objective", "starts_on", "ends_on", "territory")
ENTRY_FIELDS = ("entry_on", "exit_on", "gender", "birth_date", "entry_status", "unemployed_since",
                "education_level", *SENSITIVE_FIELDS)
EXIT_FIELDS = ("exit_observed_on", "exit_job_searching", "exit_education", "exit_qualification",
               "exit_employed")
FOLLOWUP_FIELDS = ("followup_status", "six_months_observed_on", "six_months_employed", "six_months_improved")


def _require_manager(actor: Actor) -> None:
    if actor.membership is None and actor.api_token is None:
        raise Forbidden(_("Réservé aux professionnels."))


@transaction.atomic
def operation_create(*, actor: Actor, **data) -> Operation:
    _require_manager(actor)
    op = Operation(organisation=actor.organisation, **{k: data.get(k, "") for k in OPERATION_FIELDS})
    PasseportErrors.raise_any(operation_input_errors({k: getattr(op, k) for k in OPERATION_FIELDS},
                                                     organisation_id=op.organisation_id))
    op.save()
    audit_record(actor, action=AuditAction.CREATE, object_type="esf_operation", object_id=op.pk)
    return op


def _require_operation_manager(actor: Actor, operation: Operation) -> None:
    """Changing or removing an operation: managers and administrators of its organisation."""
    membership = actor.membership
    if (membership is None or not membership.sees_whole_caseload
            or operation.organisation_id != actor.organisation_id):
        raise Forbidden(_("Réservé aux responsables et aux administrateurs de la structure."),
                        code="manager_required")


@transaction.atomic
def operation_update(*, actor: Actor, operation: Operation, **data) -> Operation:
    """Change an operation (same rules as its creation). Its period must still hold the
    entry date of every participant, and an operation with participants must last more
    than one day."""
    _require_operation_manager(actor, operation)
    op = Operation.objects.select_for_update().get(pk=operation.pk)
    changed = sorted(k for k in OPERATION_FIELDS if k in data and getattr(op, k) != data[k])
    for key in changed:
        setattr(op, key, data[key])
    # Every field in error is reported at once (the page shows them together).
    errors = operation_input_errors({k: getattr(op, k) for k in OPERATION_FIELDS}, operation_pk=op.pk,
                                    organisation_id=op.organisation_id if "code" in changed else None)
    participations = Participation.objects.filter(operation=op)
    dates_ok = not any(e.field in ("starts_on", "ends_on") for e in errors)
    if dates_ok and {"starts_on", "ends_on"} & set(changed) and participations.exists():
        if not op.has_participants:
            errors.append(PasseportError(
                _("Cette opération a des participants : elle doit durer plus d'un jour."),
                code="operation_too_short", field="ends_on"))
        elif outside := participations.exclude(entry_on__gte=op.starts_on,
                                               entry_on__lte=op.ends_on).count():
            errors.append(PasseportError(
                ngettext("%(n)s participant est entré en dehors de cette nouvelle période : "
                         "gardez une période qui contient sa date d'entrée.",
                         "%(n)s participants sont entrés en dehors de cette nouvelle période : "
                         "gardez une période qui contient leurs dates d'entrée.", outside)
                % {"n": outside},
                code="participants_outside_period", field="starts_on"))
    PasseportErrors.raise_any(errors)
    op.save()
    audit_record(actor, action=AuditAction.UPDATE, object_type="esf_operation", object_id=op.pk,
                 detail={"fields": changed})
    return op


@transaction.atomic
def operation_delete(*, actor: Actor, operation: Operation) -> None:
    """Delete an operation that has no participant; one with participants is closed
    instead (its data stay for the reporting)."""
    _require_operation_manager(actor, operation)
    op = Operation.objects.select_for_update().get(pk=operation.pk)
    if Participation.objects.filter(operation=op).exists():
        raise Conflict(_("Cette opération a des participants : elle ne peut pas être supprimée. "
                         "Vous pouvez la clôturer."), code="operation_has_participants")
    pk, code = op.pk, op.code
    op.delete()
    audit_record(actor, action=AuditAction.DELETE, object_type="esf_operation", object_id=pk,
                 detail={"code": code})


@transaction.atomic
def operation_set_closed(*, actor: Actor, operation: Operation, closed: bool) -> Operation:
    """Close (archive) an operation, or reopen it. A closed operation keeps its participants
    and indicators, and takes no new enrolment."""
    _require_operation_manager(actor, operation)
    op = Operation.objects.select_for_update().get(pk=operation.pk)
    if op.is_closed != closed:
        op.closed_at = timezone.now() if closed else None
        op.save(update_fields=["closed_at"])
        audit_record(actor, action=AuditAction.UPDATE, object_type="esf_operation", object_id=op.pk,
                     detail={"closed": closed})
    operation.closed_at = op.closed_at
    return op


def operation_input_errors(data: dict, *, organisation_id: int | None = None,
                           operation_pk: int | None = None) -> list[PasseportError]:
    """The rules of an operation's own fields, each field in error once (all of them, not
    only the first): the pages also check what was typed with them, before saving. With
    `organisation_id`, a number already used by another of its operations is one of them."""
    errors = []
    if "code" in data and not data["code"]:
        errors.append(PasseportError(_("Indiquez le numéro de l'opération."), code="required",
                                     field="code"))
    elif data.get("code") and organisation_id is not None and Operation.objects.filter(
            organisation_id=organisation_id, code=data["code"]).exclude(pk=operation_pk).exists():
        errors.append(_code_taken())
    starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
    if starts_on and ends_on and ends_on < starts_on:
        errors.append(PasseportError(_("La date de fin doit suivre la date de début."),
                                     code="invalid_dates", field="ends_on"))
    return errors


def _code_taken() -> Conflict:
    return Conflict(_("Une opération porte déjà ce numéro."), code="operation_code_taken", field="code")


def path_dates(path: Path | None, operation: Operation) -> tuple[date | None, date | None]:
    """Entry = the first action of the path inside the operation's period (else the later of
    the path's opening and the operation's start); exit = the last action done inside the
    period when the path is closed or the operation is over (else the closing date)."""
    if path is None:
        return None, None
    actions = Action.objects.filter(path=path, created_at__date__gte=operation.starts_on,
                                    created_at__date__lte=operation.ends_on)
    first = actions.order_by("created_at").values_list("created_at", flat=True).first()
    entry = timezone.localdate(first) if first else max(path.opened_on, operation.starts_on)
    if entry > operation.ends_on:
        return None, None
    exit_on = None
    over = path.status == PathStatus.CLOSED or operation.ends_on < timezone.localdate()
    if over:
        last = (Action.objects.filter(path=path, status=ActionStatus.DONE, done_at__isnull=False,
                                      done_at__date__gte=entry, done_at__date__lte=operation.ends_on)
                .order_by("-done_at").values_list("done_at", flat=True).first())
        if last:
            exit_on = timezone.localdate(last)
        elif path.closed_on:
            exit_on = min(path.closed_on, operation.ends_on)
        else:
            exit_on = operation.ends_on
        exit_on = max(exit_on, entry)
    return entry, exit_on


def prefill(person, path: Path | None, operation: Operation) -> dict:
    """Participant data copied from the passport. Only facts already recorded are copied:
    what the passport does not say stays empty (to ask), never guessed."""
    entry, exit_on = path_dates(path, operation)
    data = {"entry_on": entry or max(operation.starts_on, min(timezone.localdate(), operation.ends_on)),
            "exit_on": exit_on, "gender": person.gender or "", "birth_date": person.birth_date}
    if path is not None:
        data["entry_status"] = path.employment_status if path.employment_status in EntryStatus.values else ""
        data["unemployed_since"] = path.unemployed_since
        data["education_level"] = path.education_level or ""
        if path.housing_status in (HousingStatus.HOMELESS, HousingStatus.SHELTER):
            data["homeless"] = Answer.YES
        elif path.housing_status in (HousingStatus.OWNER, HousingStatus.TENANT, HousingStatus.SOCIAL_TENANT):
            data["homeless"] = Answer.NO
        if Benefit.AAH in (path.benefits or []):
            data["disability"] = Answer.YES
    return data


def _validate(p: Participation) -> None:
    """The rules of a participant's data; every field in error at once."""
    op = p.operation
    if not op.has_participants:
        raise PasseportError(_("Une opération d'un jour ou moins n'a pas de participants."),
                             code="operation_too_short")
    if p.entry_on is None:
        raise PasseportError(_("Indiquez la date d'entrée."), code="required", field="entry_on")
    errors = []
    if p.entry_on < op.starts_on or p.entry_on > op.ends_on:
        errors.append(PasseportError(_("La date d'entrée doit être comprise dans la période de l'opération."),
                                     code="entry_outside_operation", field="entry_on"))
    if p.exit_on and p.exit_on < p.entry_on:
        errors.append(PasseportError(_("La date de sortie doit suivre la date d'entrée."),
                                     code="invalid_dates", field="exit_on"))
    if p.unemployed_since and p.unemployed_since > p.entry_on:
        errors.append(PasseportError(_("La date de début de chômage doit précéder l'entrée."),
                                     code="invalid_dates", field="unemployed_since"))
    if p.birth_date and p.birth_date >= p.entry_on:
        errors.append(PasseportError(_("La date de naissance doit précéder l'entrée."),
                                     code="invalid_dates", field="birth_date"))
    for field in ("exit_observed_on", "six_months_observed_on"):
        observed = getattr(p, field)
        if observed and (p.exit_on is None or observed < p.exit_on):
            errors.append(PasseportError(_("La situation ne peut être observée qu'après la sortie."),
                                         code="observed_before_exit", field=field))
    PasseportErrors.raise_any(errors)


@transaction.atomic
def participation_enrol(*, actor: Actor, operation: Operation, public_id: str, **data) -> Participation:
    """Enrol a person (consent checked, read audited), prefilled from the passport. A person
    counts once per operation: enrolling them again (re-entry) reopens the same row."""
    if operation.organisation_id != actor.organisation_id:
        raise Forbidden(_("Cette opération n'est pas celle de votre structure."))
    if Operation.objects.filter(pk=operation.pk, closed_at__isnull=False).exists():
        raise PasseportError(_("Cette opération est clôturée : rouvrez-la pour inscrire quelqu'un."),
                             code="operation_closed")
    person = person_get_for(actor, public_id, scope=ConsentScope.PATH, what="esf_participation")
    path = Path.objects.filter(person=person).order_by("-opened_on", "-pk").first()
    existing = Participation.objects.select_for_update().filter(operation=operation, person=person).first()
    if existing is not None:
        existing.exit_on = None  # re-entry: same participation, first entry date kept
        existing.exit_observed_on = None
        _validate(existing)
        existing.save()
        audit_record(actor, action=AuditAction.UPDATE, object_type="esf_participation",
                     object_id=existing.pk, person_uid=person.public_id, detail={"reentry": True})
        return existing
    values = prefill(person, path, operation)
    values.update({k: v for k, v in data.items() if k in ENTRY_FIELDS})
    p = Participation(operation=operation, person=person, path=path, **values)
    _validate(p)
    try:
        with transaction.atomic():
            p.save()
    except IntegrityError as exc:
        raise Conflict(_("Cette personne participe déjà à l'opération."), code="already_participant") from exc
    audit_record(actor, action=AuditAction.CREATE, object_type="esf_participation", object_id=p.pk,
                 person_uid=person.public_id)
    return p


@transaction.atomic
def participation_update(*, actor: Actor, participation: Participation, **data) -> Participation:
    """Change the participant data (entry, upon leaving, six months after)."""
    for key, value in data.items():
        if key in (*ENTRY_FIELDS, *EXIT_FIELDS, *FOLLOWUP_FIELDS):
            setattr(participation, key, value)
    _validate(participation)
    participation.save()
    audit_record(actor, action=AuditAction.UPDATE, object_type="esf_participation",
                 object_id=participation.pk, person_uid=participation.person.public_id,
                 detail={"fields": sorted(data)})
    return participation


@transaction.atomic
def followup_record(*, actor: Actor, participation: Participation, status: str,
                    observed_on: date | None = None, employed: bool | None = None,
                    improved: bool | None = None) -> Participation:
    """Record the answer to the six-month survey (or that the person declined or could not
    be reached: then no situation is recorded)."""
    if status == FollowUpStatus.ANSWERED:
        if observed_on is None:
            raise PasseportError(_("Indiquez la date de la réponse."), code="required",
                                 field="six_months_observed_on")
        if employed is None:
            raise PasseportError(_("Indiquez si la personne est en emploi."), code="required",
                                 field="six_months_employed")
    else:
        employed = improved = None
        observed_on = observed_on or timezone.localdate()
    return participation_update(actor=actor, participation=participation, followup_status=status,
                                six_months_observed_on=observed_on, six_months_employed=employed,
                                six_months_improved=improved)
