"""Estimates and their queue (computed in batches), non-take-up flags turned into
actions of the path."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from passeport.core.actor import Actor
from passeport.core.enums import AuditAction
from passeport.core.errors import Conflict, NotFound, PasseportError
from passeport.paths.enums import ActionStatus, PathStatus
from passeport.paths.models import Action, Path
from passeport.paths.services import action_add
from passeport.people.enums import ConsentScope
from passeport.people.models import Person
from passeport.people.selectors import active_consent

from ..catalogue import MISSING, MISSING_SHORT, RIGHTS, TO_RIGHT, missing_for, plain_list
from ..engine import (
    HouseholdInput,
    engine_versions,
    estimate_many,
    legislation_date,
)
from ..engine.household import ESTIMATED, month_key
from ..engine.simulate import Estimate
from ..enums import (
    CheckStatus,
)
from ..models import (
    RightsAction,
    RightsCheck,
)
from ..perms import ensure_professional, rights_consent
from ..selectors import current_month, flagged_total, household_input, situation_of
from .common import (
    BATCH_SIZE,
    FIRST_MONTH,
    MIN_AMOUNT,
    STALE_AFTER,
    _audit,
    _source,
    log,
    queue_mode,
)

# --- Estimates and their queue ---------------------------------------------------------

def _validate_month(month: date | None) -> date:
    month = (month or current_month()).replace(day=1)
    latest = (current_month() + timedelta(days=32)).replace(day=1)
    if month < FIRST_MONTH or month > latest:
        raise PasseportError(
            _("Choisissez un mois entre %(first)s et %(last)s.")
            % {"first": FIRST_MONTH.strftime("%m/%Y"), "last": latest.strftime("%m/%Y")},
            code="invalid_month", field="month")
    return month


def _enqueue_compute() -> None:
    if queue_mode() != "task":
        return
    from ..tasks import compute_pending_checks

    transaction.on_commit(compute_pending_checks.enqueue)


@transaction.atomic
def estimate_request(*, actor: Actor, person: Person, path: Path | None = None,
                     month: date | None = None) -> RightsCheck:
    """Ask for an estimate of the person's rights for `month` (this month by default).
    Returns at once with a pending estimate, or the existing estimate of the very same
    situation (same snapshot) when there is one."""
    consent = rights_consent(actor, person)
    month = _validate_month(month)
    situation = situation_of(path)
    household, facts = household_input(person, path, situation, month)
    versions = engine_versions()
    snapshot, digest = household.snapshot(versions)
    same = (RightsCheck.objects.filter(person=person, input_hash=digest, month=month)
            .exclude(status=CheckStatus.FAILED).order_by("-requested_at").first())
    if same is not None:
        return same
    check = RightsCheck.objects.create(
        person=person, path=path, organisation=actor.organisation, requested_by=actor.user,
        source=_source(actor), month=month, input_snapshot=snapshot, input_hash=digest,
        missing=facts.missing, received=facts.received,
        engine_version=versions["openfisca_france"],
    )
    _audit(actor, person, AuditAction.CREATE, "rights_check", check.pk, consent,
           month=month_key(month))
    _enqueue_compute()
    return check


def flags_for(estimate: Estimate, received: list[str]) -> tuple[list[dict], list[str]]:
    """Rights that look due but are not declared received, and notes on the estimate."""
    flags, notes = [], list(estimate.assumptions)
    for code in ESTIMATED:
        if code == "css":
            if estimate.css != "none" and code not in received:
                flags.append({"code": code, "amount": 0.0, "css": estimate.css,
                              "participation": estimate.css_participation})
            continue
        amount = estimate.amounts.get(code, 0.0)
        if amount >= MIN_AMOUNT and code not in received:
            flags.append({"code": code, "amount": amount})
    due = {c for c in ESTIMATED if estimate.amounts.get(c, 0) >= MIN_AMOUNT}
    if estimate.css != "none":
        due.add("css")
    if {"rsa", "aah"} <= due and "aah" not in received:
        notes.append("aah_reduces_rsa")
    if any(code in ESTIMATED and code not in due for code in received):
        notes.append("received_not_found")
    flags.sort(key=lambda f: -f["amount"])
    return flags, notes


def verify_split(flags: list[dict], received: list[str], missing: list[str]
                 ) -> tuple[list[dict], list[dict]]:
    """Split the flags between the likely ones (computed from the data given) and the
    rights to verify: a right whose result depends on a missing item (unknown resources
    count as 0 € in the engine, so every means-tested aid would look due). Rights not
    flagged but depending on missing items are to verify too (`due` False): their 0 € is
    not a result either. Each right to verify names its missing items."""
    likely, to_verify = [], []
    flagged = set()
    for flag in flags:
        flagged.add(flag["code"])
        gaps = missing_for(flag["code"], missing)
        if gaps:
            to_verify.append({**flag, "due": True, "missing": gaps})
        else:
            likely.append(flag)
    for code in ESTIMATED:
        if code in flagged or code in received:
            continue
        gaps = missing_for(code, missing)
        if gaps:
            to_verify.append({"code": code, "amount": 0.0, "due": False, "missing": gaps})
    return likely, to_verify


def _store(check: RightsCheck, estimate: Estimate, legislation: date, now) -> None:
    flags, check.notes = flags_for(estimate, check.received)
    check.flags, check.to_verify = verify_split(flags, check.received, check.missing)
    check.verify_due = any(v["due"] for v in check.to_verify)
    check.amounts = estimate.amounts
    check.housing_aid_kind = estimate.housing_aid_kind
    check.css = estimate.css
    check.css_participation = Decimal(str(estimate.css_participation))
    check.flagged_total = flagged_total(check.flags)
    check.legislation_date = legislation
    check.status = CheckStatus.DONE
    check.computed_at = now
    check.error = ""


STORED_FIELDS = ["flags", "to_verify", "verify_due", "notes", "amounts", "housing_aid_kind", "css", "css_participation",
                 "flagged_total", "legislation_date", "status", "computed_at", "error"]


def checks_release_stale() -> int:
    """Claimed estimates whose worker died are put back in the queue."""
    return RightsCheck.objects.filter(status=CheckStatus.RUNNING,
                                      started_at__lt=timezone.now() - STALE_AFTER
                                      ).update(status=CheckStatus.PENDING, claim_token="")


def checks_claim(limit: int = BATCH_SIZE) -> list[RightsCheck]:
    """Claim up to `limit` pending estimates, oldest first. Safe with several workers:
    a row is claimed by the single UPDATE that moves it from pending to running."""
    token = uuid.uuid4().hex
    with transaction.atomic():
        ids = list(RightsCheck.objects.pending().order_by("id").values_list("id", flat=True)[:limit])
        if not ids:
            return []
        RightsCheck.objects.filter(id__in=ids, status=CheckStatus.PENDING).update(
            status=CheckStatus.RUNNING, claim_token=token, started_at=timezone.now())
    return list(RightsCheck.objects.filter(claim_token=token, status=CheckStatus.RUNNING)
                .order_by("id"))


def checks_compute(checks: list[RightsCheck]) -> int:
    """Compute claimed estimates in one vectorised simulation and store them."""
    if not checks:
        return 0
    try:
        households = [HouseholdInput.from_dict(c.input_snapshot) for c in checks]
        estimates = estimate_many(households)
    except Exception as exc:  # the engine failed: say so on every estimate of the batch
        log.exception("rights: batch of %s estimates failed", len(checks))
        RightsCheck.objects.filter(pk__in=[c.pk for c in checks]).update(
            status=CheckStatus.FAILED, computed_at=timezone.now(), error=str(exc)[:2000])
        return 0
    now = timezone.now()
    for check, estimate in zip(checks, estimates, strict=True):
        _store(check, estimate, legislation_date(check.month), now)
    RightsCheck.objects.bulk_update(checks, STORED_FIELDS, batch_size=500)
    return len(checks)


def checks_compute_pending(limit: int = BATCH_SIZE) -> int:
    """Drain the queue: every pending estimate, `limit` per simulation."""
    total = 0
    while True:
        checks = checks_claim(limit)
        if not checks:
            return total
        total += checks_compute(checks)


# --- Non-take-up turned into an action of the path --------------------------------------

@transaction.atomic
def flag_to_action(*, actor: Actor, person: Person, path: Path | None, check: RightsCheck,
                   code: str) -> Action:
    """Turn a right of an estimate into an action of the path: a right that looks due but
    is not claimed (« Demander : RSA »), or a right to verify that looks due, whose result
    depends on missing data (« Vérifier le droit à la CSS : compléter les ressources »)."""
    consent = ensure_professional(actor, person)
    if check.person_id != person.pk:
        raise NotFound(_("Estimation introuvable."))
    flag = next((f for f in check.flags if f["code"] == code), None)
    verify = next((v for v in check.to_verify or [] if v["code"] == code and v.get("due")),
                  None)
    if flag is None and verify is None:
        raise PasseportError(_("Ce droit n'est ni signalé ni à vérifier dans cette "
                               "estimation."), code="not_flagged", field="code")
    if path is None or path.status == PathStatus.CLOSED:
        raise PasseportError(_("Cette personne n'a pas de parcours en cours."), code="no_path")
    if active_consent(person, actor.organisation_id, ConsentScope.PATH) is None:
        raise PasseportError(_("La personne n'a pas ouvert son parcours à votre structure : "
                               "l'action ne peut pas y être ajoutée."),
                             code="path_consent_required")
    existing = (RightsAction.objects.filter(path=path, code=code,
                                            action__status__in=ActionStatus.open())
                .select_related("action").first())
    if existing is not None:
        raise Conflict(_("Une action est déjà en cours pour ce droit : « %s ».")
                       % existing.action.title, code="action_exists")
    right = RIGHTS[code]
    when = (_("Estimation du %(date)s pour %(month)s")
            % {"date": timezone.localtime(check.computed_at or check.requested_at
                                          ).strftime("%d/%m/%Y"),
               "month": check.month.strftime("%m/%Y")})
    if flag is not None:
        if code == "css":
            amount = (_("gratuite") if flag.get("css") == "free"
                      else _("%s € par mois") % flag.get("participation"))
        else:
            amount = _("environ %s € par mois") % flag["amount"]
        title = _("Demander : %s") % right.name
        lines = [_("%(when)s : %(amount)s (estimation, pas une décision).")
                 % {"when": when, "amount": amount}, str(right.why)]
    else:
        missing = [m for m in verify["missing"] if m in MISSING]
        title = (_("Vérifier le droit %(right)s : compléter %(missing)s")
                 % {"right": TO_RIGHT[code],
                    "missing": plain_list(MISSING_SHORT[m] for m in missing)})
        lines = [_("%(when)s : à vérifier, le résultat dépend d'informations manquantes "
                   "(estimation, pas une décision).") % {"when": when},
                 _("Il manque : %s.") % "; ".join(str(MISSING[m]) for m in missing),
                 _("Compléter la situation avec la personne (page « Droits » du passeport), "
                   "puis relancer l'estimation ; si le droit reste ouvert, faire la demande.")]
    description = "\n".join([*lines, str(right.how), f"{right.claim_label} : {right.claim_url}"])
    action = action_add(actor=actor, path=path, title=title[:200],
                        description=description, theme=right.theme,
                        due_on=timezone.localdate() + timedelta(days=30))
    RightsAction.objects.create(path=path, check_ref=check, code=code, action=action)
    _audit(actor, person, AuditAction.CREATE, "rights_action", action.pk, consent, right=code,
           to_verify=flag is None)
    return action
