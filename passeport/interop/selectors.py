"""Reads of interop: an organisation's webhook subscriptions and their delivery log."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from passeport.core.actor import Actor
from passeport.core.errors import NotFound
from passeport.core.models import Organisation

from .models import WebhookAttempt, WebhookDelivery, WebhookSubscription


def subscriptions_of(organisation: Organisation) -> QuerySet[WebhookSubscription]:
    return WebhookSubscription.objects.filter(organisation=organisation)


def subscription_get_for(actor: Actor, subscription_id: int) -> WebhookSubscription:
    """A subscription of the actor's organisation; NotFound otherwise."""
    sub = (WebhookSubscription.objects.select_related("organisation")
           .filter(pk=subscription_id, organisation_id=actor.organisation_id).first()
           if actor.organisation_id else None)
    if sub is None:
        raise NotFound(_("Abonnement introuvable."))
    return sub


def deliveries_of(subscription: WebhookSubscription) -> QuerySet[WebhookDelivery]:
    return (WebhookDelivery.objects.filter(subscription=subscription)
            .prefetch_related(Prefetch("attempt_log",
                                       queryset=WebhookAttempt.objects.order_by("number"))))


def bundle_scopes(actor: Actor, person) -> set[str]:
    """The parts of the passport (consent scopes) an export by `actor` may carry: all of
    them for the person themselves, else those the actor's organisation holds an active
    consent for (the rule every read follows)."""
    from passeport.people.enums import ConsentScope
    from passeport.people.selectors import active_consent

    if actor.membership is None and actor.user is not None and person.user_id == actor.user.pk:
        return set(ConsentScope.values)
    return {scope for scope in ConsentScope.values
            if active_consent(person, actor.organisation_id, scope) is not None}


def bundle_for(actor: Actor, public_id: str) -> dict:
    """The whole passport of the person, for the person themselves only (NotFound for
    anyone else). The export is recorded in the audit log, with the parts it carries."""
    from passeport.core.enums import AuditAction
    from passeport.core.services import audit_record
    from passeport.people.enums import ConsentScope
    from passeport.people.selectors import person_get_for

    from .bundle import bundle_build

    person = person_get_for(actor, public_id, scope=ConsentScope.PATH, what="bundle")
    if person.current_consent is not None:  # a professional: not theirs to take away
        raise NotFound(_("Passeport introuvable."))
    scopes = bundle_scopes(actor, person)
    bundle = bundle_build(person, scopes=scopes)
    audit_record(actor, action=AuditAction.EXPORT, object_type="bundle",
                 object_id=bundle["export_id"][:40], person_uid=person.public_id,
                 detail={"scopes": sorted(scopes)})
    return bundle


def bundle_preview(actor: Actor, data) -> dict:
    """What importing `data` into the actor's organisation would do, without writing
    anything: the bundle is checked (PasseportError `invalid_bundle` as the import would
    raise), counted, and compared with what was already imported from its source."""

    from .bundle import bundle_check, bundle_existing_person, bundle_refs, bundle_summary
    from .models import ImportedRecord

    bundle_check(data)
    # The import's own rules about a number already here, so that the preview promises
    # nothing the import would refuse.
    existing = bundle_existing_person(data, actor.organisation_id, system=actor.channel == "system")
    summary = bundle_summary(data)
    refs = bundle_refs(data)
    done = set(ImportedRecord.objects.filter(source=summary["source"], ref__in=refs)
               .values_list("ref", flat=True))
    summary["person_present"] = existing is not None
    summary["new_items"] = len(set(refs) - done)
    summary["already_imported"] = len(done)
    summary["skills_unknown"] = _evaluations_unknown(data, done)
    return summary


def _evaluations_unknown(data: dict, done: set[str]) -> list[dict]:
    """The evaluations (or some of their items) the import would leave out because their
    grid or item is unknown here, told before importing (nothing is written: a ROME
    grid not built yet is read from the referential)."""
    from passeport.skills.selectors import grid_items_known

    known: dict[str, set[str] | None] = {}
    out = []
    for e in data.get("skills_evaluations") or []:
        if e["ref"] in done:
            continue
        code = e["grid"]["code"]
        if code not in known:
            known[code] = grid_items_known(code)
        what = f"{e['grid']['name']} ({e['evaluated_on']})"
        if known[code] is None:
            out.append({"what": what, "reason": _("grille inconnue ici : non importée")})
            continue
        missing = [s["label"] for s in e["scores"] if s["code"] not in known[code]]
        if len(missing) == len(e["scores"]):
            out.append({"what": what, "reason": _("aucune compétence connue ici : non importée")})
        elif missing:
            out.append({"what": what, "reason": _("compétences inconnues ici, laissées de côté : %s")
                        % " ; ".join(missing)})
    return out
