"""Writes of interop: webhook subscriptions, events turned into deliveries, and the
deliveries' attempts with exponential back-off. (The bundle lives in `bundle.py`.)"""

from __future__ import annotations

import ipaddress
import json
import secrets
import time
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from passeport.core.actor import Actor
from passeport.core.crypto import seal, unseal
from passeport.core.errors import Forbidden, PasseportError
from passeport.core.http import InvalidIPAddress, outbound
from passeport.core.models import Organisation
from passeport.paths.enums import ActionStatus
from passeport.paths.models import Action
from passeport.people.models import Person
from passeport.people.selectors import active_consent

from . import signing
from .enums import EVENT_SCOPE, DeliveryStatus, WebhookEvent
from .models import WebhookAttempt, WebhookDelivery, WebhookSubscription

# Wait before the 2nd, 3rd … 6th attempt; after the 6th failure the delivery has failed.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30),
           timedelta(hours=2), timedelta(hours=12))
MAX_ATTEMPTS = len(BACKOFF) + 1
LOOPBACK_HOSTS = {"localhost"}


def _require_admin(actor: Actor, organisation: Organisation) -> None:
    if (actor.membership is None or not actor.membership.is_admin
            or actor.organisation_id != organisation.pk):
        raise Forbidden(_("Réservé aux administrateurs de la structure."), code="admin_required")


def _require_importer(actor: Actor, organisation: Organisation) -> None:
    """Importing a passport adds a person to the whole caseload: managers and administrators."""
    if (actor.membership is None or not actor.membership.sees_whole_caseload
            or actor.organisation_id != organisation.pk):
        raise Forbidden(_("Réservé aux responsables et aux administrateurs de la structure."),
                        code="admin_required")


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str) -> str:
    """https only; http is accepted for a loopback address outside production (tests,
    a receiver on the same machine)."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        host, parts = "", None
    if parts is None or not host or parts.scheme not in ("https", "http") or len(url) > 500:
        raise PasseportError(_("Adresse invalide : écrivez une adresse complète qui commence "
                               "par https://"), code="invalid_url", field="url")
    if parts.username or parts.password:
        raise PasseportError(_("L'adresse ne doit pas contenir d'identifiant ni de mot de passe."),
                             code="invalid_url", field="url")
    if parts.scheme == "http" and (settings.PRODUCTION or not _is_loopback(host)):
        raise PasseportError(_("L'adresse doit commencer par https:// (chiffrée)."),
                             code="https_required", field="url")
    if settings.PRODUCTION and not settings.PASSEPORT_WEBHOOK_ALLOW_PRIVATE and _is_internal(host):
        raise PasseportError(_("Cette adresse est interne : donnez l'adresse publique du "
                               "logiciel qui reçoit les événements."),
                             code="internal_address", field="url")
    return url


def _is_internal(host: str) -> bool:
    """An IP written in the URL that is not public: refused at once in production. A host
    name is checked when a delivery connects (`_post`, `passeport.core.http`): the address
    it resolves to then is the one checked and connected to."""
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return not ipaddress.ip_address(host).is_global
    except ValueError:
        return False


def check_events(events: list[str]) -> list[str]:
    chosen = [e for e in WebhookEvent.values if e in set(events or [])]
    unknown = sorted(set(events or []) - set(WebhookEvent.values))
    if unknown:
        raise PasseportError(_("Événement inconnu : %s.") % ", ".join(unknown),
                             code="invalid_event", field="events")
    if not chosen:
        raise PasseportError(_("Choisissez au moins un événement."), code="events_required",
                             field="events")
    return chosen


def _secret_context(subscription: WebhookSubscription) -> str:
    return f"webhook-secret:{subscription.uid}"


def subscription_secret(subscription: WebhookSubscription) -> str:
    return unseal(subscription.secret_sealed, context=_secret_context(subscription))


@transaction.atomic
def subscription_create(*, actor: Actor, organisation: Organisation, name: str, url: str,
                        events: list[str]) -> tuple[WebhookSubscription, str]:
    """Returns the subscription and its signing secret, shown once (stored sealed)."""
    _require_admin(actor, organisation)
    name = (name or "").strip()
    if not name:
        raise PasseportError(_("Donnez un nom à cet abonnement."), code="name_required",
                             field="name")
    subscription = WebhookSubscription(organisation=organisation, name=name[:120],
                                       url=check_url(url), events=check_events(events),
                                       created_by=actor.user)
    secret = "whsec_" + secrets.token_urlsafe(32)
    subscription.secret_sealed = seal(secret, context=_secret_context(subscription))
    subscription.secret_prefix = secret[:12]
    subscription.save()
    return subscription, secret


@transaction.atomic
def subscription_disable(*, actor: Actor, subscription: WebhookSubscription
                         ) -> WebhookSubscription:
    """Stops the subscription; its pending deliveries are cancelled."""
    _require_admin(actor, subscription.organisation)
    if subscription.disabled_at is None:
        subscription.disabled_at = timezone.now()
        subscription.save(update_fields=["disabled_at"])
        subscription.deliveries.filter(status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.CANCELLED, finished_at=timezone.now(), next_attempt_at=None)
    return subscription


# --- Events -> deliveries -------------------------------------------------------------

def subscribed(event: str) -> list[WebhookSubscription]:
    """The active subscriptions to `event` (one query; usually none or a few)."""
    return [s for s in WebhookSubscription.objects.active().select_related("organisation")
            if event in s.events]


def event_record(*, event: str, person: Person, key: str, data: dict[str, int | str],
                 at: datetime | None = None,
                 subscriptions: list[WebhookSubscription] | None = None
                 ) -> list[WebhookDelivery]:
    """An event about `person`: one delivery per active subscription to it whose
    organisation's consent covers the event's scope. The payload holds the person's
    public identifier and ids only (never names nor free text). Deliveries are sent
    after the commit, off the request thread in production (task worker)."""
    from .tasks import webhook_deliver_task

    scope = EVENT_SCOPE[WebhookEvent(event)]
    at = at or timezone.now()
    created = []
    for subscription in subscribed(event) if subscriptions is None else subscriptions:
        if active_consent(person, subscription.organisation_id, scope) is None:
            continue  # the person did not open this part of their passport to them
        dedup = f"{event}:{key}"
        if WebhookDelivery.objects.filter(subscription=subscription, dedup_key=dedup).exists():
            continue
        delivery = WebhookDelivery(subscription=subscription, event=event, dedup_key=dedup,
                                   person_uid=person.public_id, next_attempt_at=at,
                                   created_at=at)
        delivery.payload = {
            "id": str(delivery.uid), "type": event, "created_at": at.isoformat(),
            "organisation_id": subscription.organisation_id,
            "data": {"person_public_id": person.public_id, **data},
        }
        delivery.save()
        created.append(delivery)
        transaction.on_commit(lambda pk=delivery.pk: webhook_deliver_task.enqueue(pk))
    return created


def actions_due_emit(*, today: date | None = None) -> int:
    """`action.due` for the open actions due today (run daily; once per action and day)."""
    today = today or timezone.localdate()
    count = 0
    actions = (Action.objects.filter(due_on=today, status__in=ActionStatus.open())
               .select_related("path__person"))
    for action in actions:
        with transaction.atomic():
            count += len(event_record(
                event=WebhookEvent.ACTION_DUE, person=action.path.person,
                key=f"{action.pk}:{today.isoformat()}",
                data={"path_id": action.path_id, "action_id": action.pk,
                      "due_on": today.isoformat()}))
    return count


# --- Sending -----------------------------------------------------------------------------

def _post(url: str, body: bytes, headers: dict) -> tuple[int | None, str]:
    """POST through the outbound filter: a receiver whose name resolves to a private or
    reserved address is refused at connection time (logged, retried like any error)."""
    http = outbound(timeout=settings.PASSEPORT_WEBHOOK_TIMEOUT,
                    allow_private=settings.PASSEPORT_WEBHOOK_ALLOW_PRIVATE)
    try:
        response = http.send_request("POST", url, data=body, headers=headers, allow_redirects=False)
    except InvalidIPAddress as exc:
        return None, f"internal_address: {exc}"[:300]
    except requests.RequestException as exc:
        return None, f"{type(exc).__name__}: {exc}"[:300]
    return response.status_code, "" if response.ok else f"HTTP {response.status_code}"


def delivery_attempt(delivery: WebhookDelivery, *, now: datetime | None = None) -> WebhookDelivery:
    """One attempt: re-check consent (withdrawn: cancelled, payload erased), POST the
    signed body, log the attempt, then succeed, schedule the next try, or fail."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (WebhookDelivery.objects.select_for_update()
                    .select_related("subscription").get(pk=delivery.pk))
        if delivery.status != DeliveryStatus.PENDING:
            return delivery
        subscription = delivery.subscription
        scope = EVENT_SCOPE.get(delivery.event)
        person = Person.objects.filter(public_id=delivery.person_uid).first()
        if (subscription.disabled_at is not None or person is None or scope is None
                or active_consent(person, subscription.organisation_id, scope) is None):
            delivery.status = DeliveryStatus.CANCELLED
            delivery.payload = {}
            delivery.finished_at, delivery.next_attempt_at = now, None
            delivery.save(update_fields=["status", "payload", "finished_at", "next_attempt_at"])
            return delivery
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Passeport-Webhooks/1",
        "Passeport-Event": delivery.event,
        "Passeport-Delivery": str(delivery.uid),
        signing.SIGNATURE_HEADER: signing.signature_header(subscription_secret(subscription),
                                                           timestamp, body),
    }
    started = time.monotonic()
    status_code, error = _post(subscription.url, body, headers)
    duration = int((time.monotonic() - started) * 1000)
    ok = status_code is not None and 200 <= status_code < 300
    with transaction.atomic():
        delivery.attempts += 1
        WebhookAttempt.objects.create(delivery=delivery, number=delivery.attempts, at=now,
                                      status_code=status_code, duration_ms=duration,
                                      error=error, succeeded=ok)
        if ok:
            delivery.status, delivery.finished_at, delivery.next_attempt_at = (
                DeliveryStatus.SUCCEEDED, now, None)
        elif delivery.attempts >= MAX_ATTEMPTS:
            delivery.status, delivery.finished_at, delivery.next_attempt_at = (
                DeliveryStatus.FAILED, now, None)
        else:
            delivery.next_attempt_at = now + BACKOFF[delivery.attempts - 1]
        delivery.save(update_fields=["attempts", "status", "finished_at", "next_attempt_at"])
    return delivery


def deliveries_send(*, now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Attempt the pending deliveries that are due (`manage.py webhooks_deliver`)."""
    now = now or timezone.now()
    due = list(WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING,
                                              next_attempt_at__lte=now)
               .order_by("next_attempt_at", "pk")[:limit])
    counts = {"attempted": 0, "succeeded": 0, "failed": 0, "cancelled": 0, "retrying": 0}
    for delivery in due:
        delivery = delivery_attempt(delivery, now=now)
        counts["attempted"] += 1
        key = {DeliveryStatus.SUCCEEDED: "succeeded", DeliveryStatus.FAILED: "failed",
               DeliveryStatus.CANCELLED: "cancelled"}.get(delivery.status, "retrying")
        counts[key] += 1
    return counts


# --- Passport bundle import ---------------------------------------------------------------

def _parse_dt(value):
    return datetime.fromisoformat(value) if value else None


def _parse_d(value):
    return date.fromisoformat(value) if value else None


def _organisation_for(data: dict | None) -> Organisation | None:
    """The organisation named in a bundle: found by SIRET (or name and kind), else
    recorded here so that the history keeps who did what."""
    from passeport.core.enums import OrganisationKind

    if not data:
        return None
    if data.get("siret"):
        org = Organisation.objects.filter(siret=data["siret"]).first()
        if org:
            return org
    kind = data.get("kind") if data.get("kind") in OrganisationKind.values else \
        OrganisationKind.values[-1]
    org = Organisation.objects.filter(name=data["name"], kind=kind).first()
    if org is None:
        org = Organisation.objects.create(name=data["name"][:200], kind=kind,
                                          siret=data.get("siret") or None,
                                          commune_insee=data.get("commune_insee") or "")
    return org


class _Importer:
    def __init__(self, source: str, person: Person):
        from .models import ImportedRecord

        self.source, self.person = source, person
        self.done = set(ImportedRecord.objects.filter(source=source)
                        .values_list("ref", flat=True))
        self.records: list = []
        self.counts: dict[str, int] = {}

    def fresh(self, ref: str) -> bool:
        return ref not in self.done

    def mark(self, ref: str, obj, kind: str) -> None:
        from .models import ImportedRecord

        self.done.add(ref)
        self.records.append(ImportedRecord(source=self.source, ref=ref, person=self.person,
                                           object_type=kind, object_id=obj.pk))
        self.counts[kind] = self.counts.get(kind, 0) + 1


# Links that a bundle does not carry (the people of the other instance are not here).
_NOT_IN_BUNDLE = ["path", "objective", "organisation", "created_by", "assessed_by", "author",
                  "assignee", "referent"]


def _import_path(imp: _Importer, p: dict) -> None:
    from passeport.paths.enums import PathStatus
    from passeport.paths.models import (
        DiagnosticEntry,
        Objective,
        Path,
        TimelineEvent,
        WorkHoursStep,
    )

    if imp.fresh(p["ref"]):
        if p["status"] != PathStatus.CLOSED and Path.objects.open().filter(
                person=imp.person).exists():
            raise PasseportError(
                _("Cette personne a déjà un parcours en cours ici : terminez-le avant "
                  "d'importer un parcours en cours."), code="path_already_open", field="bundle")
        situation = p.get("situation") or {}
        path = Path(person=imp.person, organisation=_organisation_for(p.get("organisation")),
                    status=p["status"], opened_on=_parse_d(p["opened_on"]),
                    closed_on=_parse_d(p.get("closed_on")), exit_reason=p.get("exit_reason") or "",
                    employment_status=situation.get("employment_status") or "",
                    education_level=situation.get("education_level") or "",
                    housing_status=situation.get("housing_status") or "",
                    unemployed_since=_parse_d(situation.get("unemployed_since")),
                    benefits=situation.get("benefits") or [])
        path.full_clean(exclude=_NOT_IN_BUNDLE[2:])
        path.save()
        imp.mark(p["ref"], path, "path")
    else:
        from .models import ImportedRecord

        rec = ImportedRecord.objects.get(source=imp.source, ref=p["ref"])
        path = Path.objects.get(pk=rec.object_id)
    objectives = {}
    for o in p["objectives"]:
        if imp.fresh(o["ref"]):
            obj = Objective(path=path, title=o["title"], description=o["description"],
                            status=o["status"], proposed_by_person=o["proposed_by_person"],
                            created_at=_parse_dt(o["created_at"]) or timezone.now())
            obj.full_clean(exclude=_NOT_IN_BUNDLE)
            obj.save()
            imp.mark(o["ref"], obj, "objective")
            objectives[o["ref"]] = obj
    rows = [
        ("diagnostic", DiagnosticEntry, lambda d: DiagnosticEntry(
            path=path, theme=d["theme"], severity=d["severity"],
            assessed_on=_parse_d(d["assessed_on"]), comment=d["comment"],
            is_current=d["is_current"])),
        ("actions", None, None),
        ("timeline", TimelineEvent, lambda e: TimelineEvent(
            path=path, kind=e["kind"], occurred_at=_parse_dt(e["occurred_at"]), title=e["title"],
            body=e["body"], by_person=e["by_person"],
            appointment_outcome=e.get("appointment_outcome") or "",
            organisation=_organisation_for(e.get("organisation")))),
        ("work_hours", WorkHoursStep, lambda w: WorkHoursStep(
            path=path, hours_per_week=w["hours_per_week"], starts_on=_parse_d(w["starts_on"]),
            ends_on=_parse_d(w.get("ends_on")), contract=w.get("contract") or "",
            employer_name=w["employer_name"], note=w["note"])),
    ]
    for key, _model, build in rows:
        for item in p[key]:
            if not imp.fresh(item["ref"]):
                continue
            obj = _build_action(imp, path, item, objectives) if key == "actions" else build(item)
            obj.full_clean(exclude=_NOT_IN_BUNDLE)
            obj.save()
            imp.mark(item["ref"], obj, key)


def _build_action(imp: _Importer, path, a: dict, objectives: dict):
    from passeport.paths.models import Action, Objective

    from .models import ImportedRecord

    objective = None
    if a.get("objective_ref"):
        objective = objectives.get(a["objective_ref"])
        if objective is None:
            rec = ImportedRecord.objects.filter(source=imp.source, ref=a["objective_ref"]).first()
            objective = Objective.objects.filter(pk=rec.object_id).first() if rec else None
    return Action(path=path, objective=objective, title=a["title"], description=a["description"],
                  theme=a.get("theme") or "", organisation=_organisation_for(a.get("organisation")),
                  for_person=a["for_person"], due_on=_parse_d(a.get("due_on")), status=a["status"],
                  outcome=a["outcome"], proposed_by_person=a["proposed_by_person"],
                  created_at=_parse_dt(a["created_at"]) or timezone.now(),
                  done_at=_parse_dt(a.get("done_at")))


def _path_at(person: Person, day: date | None):
    """The person's path here at `day` (open then), else their latest one; None if none."""
    from passeport.paths.models import Path

    paths = list(Path.objects.filter(person=person).order_by("-opened_on", "-pk"))
    for path in paths:
        if day and path.opened_on <= day and (path.closed_on is None or day <= path.closed_on):
            return path
    return paths[0] if paths else None


def _import_immersion(imp: _Importer, i: dict, source: str):
    """An immersion of the other instance, written as a « job » event on the person's
    path here: the immersion model needs the host employer and the prescriber as
    organisations of this instance (with their members and consents), which a bundle
    cannot bring; the event keeps the employer's name, the job, dates, status and the
    summary of the employer's assessment. None when the person has no path here."""
    from passeport.jobs.enums import ImmersionStatus
    from passeport.paths.enums import EventKind
    from passeport.paths.models import TimelineEvent

    starts_on, ends_on = _parse_d(i["starts_on"]), _parse_d(i["ends_on"])
    assessment = i.get("assessment")
    day = _parse_d(assessment["assessed_on"]) if assessment else starts_on
    path = _path_at(imp.person, day)
    if path is None:
        return None
    employer = (i.get("employer") or {}).get("name") or _("un employeur")
    title = _("Immersion chez %(employer)s : %(job)s (%(rome)s), du %(start)s au %(end)s") % {
        "employer": employer, "job": i["appellation"]["label"], "rome": i["rome"]["code"],
        "start": starts_on.strftime("%d/%m/%Y"), "end": ends_on.strftime("%d/%m/%Y")}
    status = dict(ImmersionStatus.choices).get(i["status"], i["status"])
    lines = [_("Statut : %s.") % status]
    if assessment:
        observed = [s["label"] for s in assessment["skills_observed"]]
        lines.append(_("Bilan de l'employeur : savoir-être %(b)s ; %(job)s.") % {
            "b": (assessment.get("behaviour_label") or "—").lower(),
            "job": _("débouche sur une embauche") if assessment.get("led_to_job")
            else _("pas d'embauche à ce stade")})
        if observed:
            lines.append(_("Compétences observées : %s.") % " ; ".join(observed))
        if assessment.get("comment"):
            lines.append(_("Appréciation : %s") % assessment["comment"])
    lines.append(_("Importé du passeport de %s.") % source)
    event = TimelineEvent(path=path, kind=EventKind.JOB, title=title[:200], body="\n".join(lines),
                          occurred_at=timezone.make_aware(datetime.combine(day, datetime.min.time()))
                          .replace(hour=12))
    event.full_clean(exclude=_NOT_IN_BUNDLE)
    event.save()
    return event


def _badges_checked(data: dict, source: str, email: str) -> dict:
    """The badges of a bundle not imported yet from `source`, each verified ({ref:
    ImportResult or PasseportError}). Run before the import's transaction: verifying
    may fetch an issuer's key or status list over HTTP."""
    from passeport.skills.services import badge_credential_check

    from .models import ImportedRecord

    badges = data.get("badges") or []
    done = set(ImportedRecord.objects.filter(source=source, ref__in=[b["ref"] for b in badges])
               .values_list("ref", flat=True))
    checked: dict = {}
    for b in badges:
        if b["ref"] in done:
            continue
        try:
            checked[b["ref"]] = badge_credential_check(b["credential"], email=email)
        except PasseportError as exc:
            checked[b["ref"]] = exc
    return checked


def _import_v2(imp: _Importer, *, actor: Actor, data: dict, source: str, checked: dict
               ) -> list[dict]:
    """The sections of version 2 (evaluations, badges, immersions, job profile). What
    cannot be kept here is left out and listed ({section, ref, what, reason})."""
    from passeport.jobs.services import profile_import
    from passeport.skills.selectors import grid_items_known
    from passeport.skills.services import badge_keep_verified, evaluation_import

    skipped: list[dict] = []

    def skip(section, ref, what, reason):
        skipped.append({"section": section, "ref": ref, "what": str(what)[:200],
                        "reason": str(reason)})

    for e in data.get("skills_evaluations") or []:
        if not imp.fresh(e["ref"]):
            continue
        what = f"{e['grid']['name']} ({e['evaluated_on']})"
        if grid_items_known(e["grid"]["code"]) is None:  # before recording its organisation
            skip("skills_evaluations", e["ref"], what,
                 _("grille « %(code)s » inconnue ici") % {"code": e["grid"]["code"]})
            continue
        evaluation, problems = evaluation_import(
            actor=actor, person=imp.person, grid_code=e["grid"]["code"], source=e["source"],
            evaluator_label=e["evaluator"], organisation=_organisation_for(e.get("organisation")),
            evaluated_on=_parse_d(e["evaluated_on"]), comment=e["comment"], scores=e["scores"],
            imported_from=source)
        for problem in problems:
            skip("skills_evaluations", e["ref"], what, problem)
        if evaluation is not None:
            imp.mark(e["ref"], evaluation, "skills_evaluations")
    for b in data.get("badges") or []:
        if not imp.fresh(b["ref"]) or b["ref"] not in checked:
            continue
        outcome = checked[b["ref"]]
        credential = b["credential"] if isinstance(b["credential"], dict) else {}
        what = credential.get("name") or b["ref"]
        if isinstance(outcome, PasseportError):
            skip("badges", b["ref"], what, outcome.message)
            continue
        badge = badge_keep_verified(actor=actor, person=imp.person, result=outcome,
                                    imported_from=source)
        if badge is None:
            skip("badges", b["ref"], what, _("déjà dans le portefeuille de la personne"))
            continue
        imp.mark(b["ref"], badge, "badges")
    for i in data.get("immersions") or []:
        if not imp.fresh(i["ref"]):
            continue
        event = _import_immersion(imp, i, source)
        if event is None:
            skip("immersions", i["ref"], i["appellation"]["label"],
                 _("aucun parcours ici pour l'inscrire"))
            continue
        imp.mark(i["ref"], event, "immersions")
    if data.get("job_profile"):
        profile, problems = profile_import(actor=actor, person=imp.person,
                                           data=data["job_profile"], imported_from=source)
        for problem in problems:
            skip("job_profile", "job_profile", _("Profil emploi"), problem)
        if profile is not None:
            imp.counts["job_profile"] = 1
    return skipped


def bundle_import(*, actor: Actor, organisation: Organisation, data, consent_method: str,
                  purpose: str, attested: bool) -> dict:
    """Import a passport bundle of another instance (format version 1 or 2) into
    `organisation`, keeping the person's public identifier. The organisation attests the
    person's consent (recorded as a `path` consent, method and purpose required). Items
    already imported from the same source are skipped (importing twice creates nothing).
    A bad bundle is refused with the first errors and nothing is written. The badges of
    a version 2 bundle are verified first (outside the transaction: it may fetch their
    issuers' keys); what cannot be kept here (an unknown grid or item, a badge that does
    not verify, an immersion with no path to hold it) is left out and listed in
    `skipped`, the rest is imported."""
    from passeport.people.enums import ConsentMethod

    from .bundle import bundle_check, bundle_existing_person

    if actor.organisation_id != organisation.pk and actor.channel != "system":
        raise Forbidden(_("Vous importez pour votre structure seulement."),
                        code="own_organisation_only")
    if actor.channel != "system":
        _require_importer(actor, organisation)
    if not attested:
        raise PasseportError(
            _("Confirmez que la personne est d'accord pour que son passeport soit importé "
              "dans votre structure."), code="consent_required", field="consent")
    if consent_method not in (ConsentMethod.WRITTEN, ConsentMethod.ORAL, ConsentMethod.LEGAL):
        raise PasseportError(_("Dites comment l'accord a été recueilli (écrit, oral ou légal)."),
                             code="consent_required", field="consent_method")
    if not (purpose or "").strip():
        raise PasseportError(_("Dites pour quoi faire la personne donne son accord."),
                             code="consent_required", field="purpose")
    bundle_check(data)
    source = data["source"]["instance"]
    existing = bundle_existing_person(data, organisation.pk, system=actor.channel == "system")
    email = existing.email if existing is not None else (data["person"].get("email") or "")
    checked = _badges_checked(data, source, email)
    return _bundle_import_write(actor=actor, organisation=organisation, data=data,
                                consent_method=consent_method, purpose=purpose, checked=checked)


@transaction.atomic
def _bundle_import_write(*, actor: Actor, organisation: Organisation, data: dict,
                         consent_method: str, purpose: str, checked: dict) -> dict:
    from django.core.exceptions import ValidationError

    from passeport.core.enums import AuditAction
    from passeport.core.models import AuditEvent
    from passeport.core.services import audit_record
    from passeport.people.enums import ConsentScope
    from passeport.people.services import consent_grant

    from .bundle import IDENTITY_FIELDS, bundle_existing_person
    from .models import BundleImport, ImportedRecord

    source = data["source"]["instance"]
    p = data["person"]
    person = bundle_existing_person(data, organisation.pk, system=actor.channel == "system")
    created = person is None
    try:
        if created:
            person = Person(public_id=p["public_id"], birth_date=_parse_d(p["birth_date"]),
                            created_by_organisation=organisation,
                            **{f: p.get(f) or "" for f in IDENTITY_FIELDS})
            person.full_clean(exclude=["search_name", "public_id", "user",
                                       "created_by_organisation"])
            person.save()
            audit_record(actor, action=AuditAction.CREATE, object_type="person",
                         object_id=person.public_id, person_uid=person.public_id,
                         detail={"imported_from": source})
        consent = consent_grant(actor=actor, person=person, organisation=organisation,
                                scopes=[ConsentScope.PATH], method=consent_method,
                                purpose=purpose.strip())[0]
        imp = _Importer(source, person)
        for path in data["paths"]:
            _import_path(imp, path)
        for e in data["access_log"]:
            if imp.fresh(e["ref"]):
                event = AuditEvent.objects.create(
                    at=_parse_dt(e["at"]), actor_label=e["who"][:200], channel="system",
                    person_uid=person.public_id, action=e["action"][:20],
                    object_type=e["object_type"][:40],
                    detail={"imported_from": source, "organisation": e.get("organisation")})
                imp.mark(e["ref"], event, "access_log")
        skipped = _import_v2(imp, actor=actor, data=data, source=source, checked=checked)
    except ValidationError as exc:
        what = ("; ".join(f"{k} : {' '.join(v)}" for k, v in exc.message_dict.items())
                if hasattr(exc, "error_dict") else "; ".join(exc.messages))
        raise PasseportError(_("Ce fichier contient une donnée refusée : %s") % what[:300],
                             code="invalid_bundle", field="bundle") from exc
    except (ValueError, TypeError, KeyError) as exc:
        raise PasseportError(_("Ce fichier contient une donnée illisible : %s") % str(exc)[:200],
                             code="invalid_bundle", field="bundle") from exc
    ImportedRecord.objects.bulk_create(imp.records)
    BundleImport.objects.create(person=person, organisation=organisation, imported_by=actor.user,
                                consent=consent, source=source, export_id=data["export_id"],
                                exported_at=_parse_dt(data["exported_at"]), counts=imp.counts)
    audit_record(actor, action=AuditAction.CREATE, object_type="bundle_import",
                 object_id=data["export_id"][:40], person_uid=person.public_id,
                 consent_id=consent.pk, detail={"source": source, "counts": imp.counts,
                                                "format_version": data["format_version"],
                                                "skipped": len(skipped)})
    return {"public_id": person.public_id, "person_created": created, "counts": imp.counts,
            "skipped": skipped}
