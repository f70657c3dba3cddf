"""Writes of the skills app: badge classes, awards (signed credentials), revocation,
evaluations (référent, employer, self-assessment) and imported badges."""

from __future__ import annotations

import datetime as dt
import uuid

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from passeport.core.actor import Actor
from passeport.core.enums import AuditAction
from passeport.core.errors import Conflict, Forbidden, NotFound, PasseportError
from passeport.core.models import Organisation
from passeport.core.services import audit_record
from passeport.people.enums import ConsentScope
from passeport.people.selectors import person_get_for

from . import credentials as cr
from .enums import AchievementType
from .models import STATUS_LIST_BITS, Award, BadgeClass, Issuer, StatusList
from .openbadges import statuslist
from .openbadges.schema import schema_errors


def _organisation(actor: Actor) -> Organisation:
    org = actor.organisation
    if org is None:
        raise Forbidden(_("Seule une structure peut faire cela."))
    return org


@transaction.atomic
def issuer_ensure(organisation: Organisation) -> Issuer:
    """The organisation's issuer profile, created with a fresh Ed25519 key pair (the
    private key sealed at rest) the first time it is needed."""
    issuer = Issuer.objects.filter(organisation=organisation).first()
    if issuer is not None:
        return issuer
    uid = uuid.uuid4()
    public, sealed = cr.new_key_pair(uid)
    issuer = Issuer.objects.create(organisation=organisation, uid=uid, name=organisation.name,
                                   public_key_multibase=public, private_key_sealed=sealed)
    status = StatusList(issuer=issuer, bits=bytes(STATUS_LIST_BITS // 8))
    status.credential = cr.build_status_list(issuer, bytes(status.bits))
    status.save()
    return issuer


@transaction.atomic
def issuer_update(*, actor: Actor, name: str, url: str = "", email: str = "") -> Issuer:
    issuer = issuer_ensure(_organisation(actor))
    if not name.strip():
        raise PasseportError(_("Indiquez le nom de l'émetteur."), field="name")
    issuer.name, issuer.url, issuer.email = name.strip(), url.strip(), email.strip()
    issuer.save(update_fields=["name", "url", "email"])
    audit_record(actor, action=AuditAction.UPDATE, object_type="badge_issuer", object_id=str(issuer.uid))
    return issuer


def _clean_alignments(alignments: list[dict]) -> list[dict]:
    out = []
    for a in alignments or []:
        framework = (a.get("framework") or "").strip()
        code = (a.get("code") or "").strip()
        name = (a.get("name") or "").strip()
        if not (code or name):
            continue
        if not framework:
            raise PasseportError(_("Précisez le référentiel de l'alignement (ROME 4.0 ou DigComp 2.2)."),
                                 code="invalid_alignment", field="alignments")
        out.append({"framework": framework, "code": code, "name": name or code,
                    **({"url": a["url"]} if a.get("url") else {})})
    return out


@transaction.atomic
def badge_class_create(*, actor: Actor, name: str, description: str, criteria: str,
                       achievement_type: str = AchievementType.BADGE,
                       alignments: list[dict] | None = None, colour: str = "#000091",
                       valid_months: int | None = None) -> BadgeClass:
    org = _organisation(actor)
    for field, value, message in (
        ("name", name, _("Indiquez le nom du badge.")),
        ("description", description, _("Décrivez le badge.")),
        ("criteria", criteria, _("Indiquez ce qu'il faut montrer pour obtenir le badge.")),
    ):
        if not (value or "").strip():
            raise PasseportError(message, code="required", field=field)
    if achievement_type not in AchievementType.values:
        raise PasseportError(_("Type de badge inconnu."), field="achievement_type")
    issuer_ensure(org)
    badge = BadgeClass.objects.create(
        organisation=org, name=name.strip(), description=description.strip(),
        criteria=criteria.strip(), achievement_type=achievement_type,
        alignments=_clean_alignments(alignments or []), colour=colour or "#000091",
        valid_months=valid_months, created_by=actor.user)
    audit_record(actor, action=AuditAction.CREATE, object_type="badge_class", object_id=str(badge.uid))
    return badge


def _badge_class_for(actor: Actor, uid) -> BadgeClass:
    badge = BadgeClass.objects.filter(uid=uid, organisation_id=actor.organisation_id,
                                      archived=False).first()
    if badge is None:
        raise NotFound(_("Badge introuvable."))
    return badge


@transaction.atomic
def badge_award(*, actor: Actor, badge_class_uid, person_public_id: str, evidence: str = "",
                valid_from: dt.datetime | None = None) -> Award:
    """Award a badge: an OpenBadgeCredential signed by the organisation (eddsa-rdfc-2022),
    with a revocation entry in its status list. Needs the person's "skills" consent."""
    org = _organisation(actor)
    person = person_get_for(actor, person_public_id, scope=ConsentScope.SKILLS, what="skills")
    badge = _badge_class_for(actor, badge_class_uid)
    issuer = issuer_ensure(org)
    status = StatusList.objects.select_for_update().get(issuer=issuer)
    if status.next_index >= STATUS_LIST_BITS:
        raise Conflict(_("La liste de statut de l'émetteur est pleine."), code="status_list_full")
    index = status.next_index
    status.next_index += 1
    status.save(update_fields=["next_index"])
    now = timezone.now().replace(microsecond=0)
    start = (valid_from or now).replace(microsecond=0)
    until = start + relativedelta(months=badge.valid_months) if badge.valid_months else None
    uid = uuid.uuid4()
    credential = cr.build_credential(
        uid=uid, issuer=issuer, badge_class=badge, email=person.email,
        full_name=f"{person.first_name} {person.last_name}", valid_from=start,
        valid_until=until, status_index=index, evidence=evidence.strip())
    signed = cr.sign_credential(credential, issuer, created=now)
    errors = schema_errors(signed)
    if errors:  # never expected: refuse to hand out a credential that does not conform
        raise PasseportError(_("Le badge n'a pas pu être émis (format non conforme)."),
                             code="credential_invalid", details={"errors": errors})
    award = Award.objects.create(
        uid=uid, badge_class=badge, person=person, organisation=org, awarded_by=actor.user,
        awarded_by_label=actor.label[:200], evidence=evidence.strip(), valid_from=start,
        valid_until=until, status_index=index, credential=signed)
    audit_record(actor, action=AuditAction.CREATE, object_type="badge_award",
                 object_id=str(award.uid), person_uid=person.public_id,
                 consent_id=getattr(person.current_consent, "pk", None),
                 detail={"badge": badge.name})
    return award


@transaction.atomic
def award_revoke(*, actor: Actor, award_uid, reason: str) -> Award:
    """Revoke an award: its bit is set in the issuer's status list, re-signed at once."""
    award = (Award.objects.select_related("person", "badge_class")
             .filter(uid=award_uid, organisation_id=actor.organisation_id).first())
    if award is None:
        raise NotFound(_("Badge introuvable."))
    if award.revoked_at is not None:
        raise Conflict(_("Ce badge a déjà été retiré."), code="already_revoked")
    if not reason.strip():
        raise PasseportError(_("Indiquez pourquoi le badge est retiré."), code="required",
                             field="reason")
    issuer = Issuer.objects.get(organisation_id=award.organisation_id)
    status = StatusList.objects.select_for_update().get(issuer=issuer)
    bits = statuslist.set_bit(bytes(status.bits), award.status_index)
    status.bits = bits
    status.credential = cr.build_status_list(issuer, bits)
    status.updated_at = timezone.now()
    status.save(update_fields=["bits", "credential", "updated_at"])
    award.revoked_at = timezone.now()
    award.revocation_reason = reason.strip()[:200]
    award.save(update_fields=["revoked_at", "revocation_reason"])
    audit_record(actor, action=AuditAction.UPDATE, object_type="badge_award",
                 object_id=str(award.uid), person_uid=award.person.public_id,
                 detail={"revoked": True})
    return award
