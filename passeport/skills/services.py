"""Writes of the skills app: issuers and their keys (rotation, compromise), badge classes,
awards (signed credentials), revocation, evaluations (référent, employer,
self-assessment) and imported badges."""

from __future__ import annotations

import datetime as dt
import re
import uuid

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from passeport.core.actor import Actor
from passeport.core.enums import AuditAction
from passeport.core.errors import Conflict, Forbidden, NotFound, PasseportError
from passeport.core.models import Organisation
from passeport.core.services import audit_record
from passeport.jobs.services import EMPLOYER_KINDS
from passeport.people.enums import ConsentScope
from passeport.people.selectors import person_get_for

from . import credentials as cr
from . import vcjwt
from .enums import AchievementType, EvaluationSource, GridKind
from .importing import ImportProblem, ImportResult, import_ob3, read_badge
from .models import (
    STATUS_LIST_BITS,
    Award,
    BadgeClass,
    Evaluation,
    Grid,
    GridItem,
    ImportedBadge,
    Issuer,
    IssuerKey,
    Score,
    StatusList,
)
from .openbadges import statuslist
from .openbadges.schema import schema_errors
from .referentials import DIGCOMP_CODE, DIGCOMP_QUESTIONS
from .rome import rome_grids_ensure


def _organisation(actor: Actor) -> Organisation:
    org = actor.organisation
    if org is None:
        raise Forbidden(_("Seule une structure peut faire cela."))
    return org


def _new_key(issuer: Issuer, number: int) -> IssuerKey:
    public, sealed = cr.new_key_pair(issuer.uid, number)
    jwk, jwt_sealed = vcjwt.new_rsa_key(issuer.uid, number)
    key = IssuerKey.objects.create(issuer=issuer, number=number, public_key_multibase=public,
                                   private_key_sealed=sealed, jwt_public_jwk=jwk,
                                   jwt_private_key_sealed=jwt_sealed)
    return key


def _current_key(issuer: Issuer) -> IssuerKey:
    return IssuerKey.objects.select_related("issuer").get(issuer=issuer, retired_at__isnull=True)


@transaction.atomic
def issuer_ensure(organisation: Organisation) -> Issuer:
    """The organisation's issuer profile, created with its first keys (Ed25519 and RSA,
    the private keys sealed at rest) the first time it is needed."""
    issuer = Issuer.objects.filter(organisation=organisation).first()
    if issuer is not None:
        return issuer
    issuer = Issuer.objects.create(organisation=organisation, uid=uuid.uuid4(), name=organisation.name)
    key = _new_key(issuer, 1)
    status = StatusList(issuer=issuer, bits=bytes(STATUS_LIST_BITS // 8))
    status.credential = cr.build_status_list(key, bytes(status.bits))
    status.save()
    return issuer


@transaction.atomic
def issuer_jwt_key_ensure(issuer: Issuer) -> IssuerKey:
    """The issuer's current key, with its RSA key for VC-JWT (keys made before the VC-JWT
    form existed get one now)."""
    key = _current_key(issuer)
    if key.jwt_private_key_sealed:
        return key
    key = IssuerKey.objects.select_for_update().select_related("issuer").get(pk=key.pk)
    if not key.jwt_private_key_sealed:
        key.jwt_public_jwk, key.jwt_private_key_sealed = vcjwt.new_rsa_key(issuer.uid, key.number)
        key.save(update_fields=["jwt_public_jwk", "jwt_private_key_sealed"])
    return key


def _require_key_admin(actor: Actor, organisation: Organisation) -> None:
    """Keys are the organisation's signature: its administrators, by session, or an
    operator through the management command (the system actor); not API tokens."""
    if actor.channel == "system" and actor.user is None and actor.api_token is None:
        return
    if (actor.membership is None or not actor.membership.is_admin
            or actor.organisation_id != organisation.pk):
        raise Forbidden(_("Réservé aux administrateurs de la structure."), code="admin_required")


def _rotate(issuer: Issuer, status: StatusList, now: dt.datetime) -> tuple[IssuerKey, IssuerKey]:
    """Retire the current key, make the next one, re-sign the status list with it."""
    old = IssuerKey.objects.select_for_update().select_related("issuer").get(
        issuer=issuer, retired_at__isnull=True)
    old.retired_at = now
    old.save(update_fields=["retired_at"])
    number = (IssuerKey.objects.filter(issuer=issuer).aggregate(n=Max("number"))["n"] or 0) + 1
    new = _new_key(issuer, number)
    status.credential = cr.build_status_list(new, bytes(status.bits))
    status.updated_at = now
    status.save(update_fields=["credential", "updated_at"])
    return old, new


@transaction.atomic
def issuer_key_rotate(*, actor: Actor, organisation: Organisation, reason: str = "") -> IssuerKey:
    """Change the issuer's signing keys (Ed25519 and RSA together): the current ones are
    retired but stay published, so credentials they signed still verify; new credentials,
    new VC-JWTs and the status list (re-signed now) use the new ones."""
    _require_key_admin(actor, organisation)
    issuer = issuer_ensure(organisation)
    status = StatusList.objects.select_for_update().get(issuer=issuer)  # awards wait for us
    old, new = _rotate(issuer, status, timezone.now())
    audit_record(actor, action=AuditAction.UPDATE, object_type="badge_issuer_key",
                 object_id=f"{issuer.uid}#{new.number}",
                 detail={"rotated": True, "organisation": organisation.pk, "retired": old.number,
                         "current": new.number, "reason": reason.strip()[:200]})
    return new


@transaction.atomic
def issuer_key_compromise(*, actor: Actor, organisation: Organisation, number: int,
                          reason: str) -> IssuerKey:
    """Declare one of the issuer's keys compromised: every credential it signed verifies
    as invalid from now on, whatever its dates (a stolen key can backdate), and its
    Multikey document says `revoked`; its RSA key leaves the JWKS. When it is the
    current key, the keys are rotated first. The status list is re-signed with the
    current key. Returns the compromised key."""
    _require_key_admin(actor, organisation)
    issuer = Issuer.objects.filter(organisation=organisation).first()
    key = (IssuerKey.objects.select_for_update().select_related("issuer")
           .filter(issuer=issuer, number=number).first() if issuer else None)
    if key is None:
        raise NotFound(_("Clé introuvable."))
    if key.compromised_at is not None:
        raise Conflict(_("Cette clé a déjà été déclarée compromise."), code="already_compromised")
    if not reason.strip():
        raise PasseportError(_("Indiquez ce qui s'est passé."), code="required", field="reason")
    now = timezone.now()
    status = StatusList.objects.select_for_update().get(issuer=issuer)
    rotated = None
    if key.retired_at is None:
        key, rotated = _rotate(issuer, status, now)
    key.compromised_at = now
    key.compromise_reason = reason.strip()[:200]
    key.save(update_fields=["compromised_at", "compromise_reason"])
    audit_record(actor, action=AuditAction.UPDATE, object_type="badge_issuer_key",
                 object_id=f"{issuer.uid}#{key.number}",
                 detail={"compromised": True, "organisation": organisation.pk,
                         "reason": key.compromise_reason,
                         **({"current": rotated.number} if rotated else {})})
    return key


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
    key = _current_key(issuer)  # read under the status list's lock: a rotation waits
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
    signed = cr.sign_credential(credential, key, created=now)
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
    status.credential = cr.build_status_list(_current_key(issuer), bits)
    status.updated_at = timezone.now()
    status.save(update_fields=["bits", "credential", "updated_at"])
    award.revoked_at = timezone.now()
    award.revocation_reason = reason.strip()[:200]
    award.save(update_fields=["revoked_at", "revocation_reason"])
    audit_record(actor, action=AuditAction.UPDATE, object_type="badge_award",
                 object_id=str(award.uid), person_uid=award.person.public_id,
                 detail={"revoked": True})
    return award


# -- evaluations ---------------------------------------------------------------------------

def _evidence(actor: Actor, person, document_uid) -> object | None:
    if not document_uid:
        return None
    from passeport.vault.selectors import document_by_uid_for

    try:
        safe, document = document_by_uid_for(actor, document_uid)
    except NotFound:
        raise PasseportError(_("Ce document n'est pas accessible."), code="invalid_evidence",
                             field="evidence_document") from None
    if safe.person.pk != person.pk:
        raise PasseportError(_("Ce document n'est pas dans le coffre-fort de cette personne."),
                             code="invalid_evidence", field="evidence_document")
    return document


def _grid_for(actor: Actor, grid_code: str) -> Grid:
    grid = Grid.objects.filter(code=grid_code).first()
    if grid is None or (grid.organisation_id and grid.organisation_id != actor.organisation_id):
        raise PasseportError(_("Grille d'évaluation inconnue."), code="unknown_grid", field="grid")
    return grid


def _record(*, actor: Actor, person, grid: Grid, source: str, scores: dict[str, int],
            evaluated_on: dt.date, comment: str, evidence, max_level: int, min_level: int,
            evaluator_label: str = "") -> Evaluation:
    items = {i.code: i for i in grid.items.all()}
    clean: list[Score] = []
    for code, level in scores.items():
        if level in (None, ""):
            continue
        if code not in items:
            raise PasseportError(_("Compétence inconnue dans cette grille : %(code)s.") % {"code": code},
                                 code="unknown_item", field="scores")
        try:
            level = int(level)
        except (TypeError, ValueError):
            level = -1
        if not min_level <= level <= max_level:
            raise PasseportError(_("Le niveau doit aller de %(a)d à %(b)d.") % {"a": min_level, "b": max_level},
                                 code="invalid_level", field="scores")
        clean.append(Score(item=items[code], level=level))
    if not clean:
        raise PasseportError(_("Évaluez au moins une compétence."), code="no_score", field="scores")
    if evaluated_on > timezone.localdate():
        raise PasseportError(_("La date ne peut pas être dans le futur."), code="future_date",
                             field="evaluated_on")
    evaluation = Evaluation.objects.create(
        person=person, grid=grid, organisation=actor.organisation, source=source,
        evaluator=actor.user, evaluator_label=(evaluator_label or actor.label)[:200], evaluated_on=evaluated_on,
        comment=comment.strip(), evidence_document=evidence)
    for s in clean:
        s.evaluation = evaluation
    Score.objects.bulk_create(clean)
    audit_record(actor, action=AuditAction.CREATE, object_type="skill_evaluation",
                 object_id=str(evaluation.uid), person_uid=person.public_id,
                 consent_id=getattr(getattr(person, "current_consent", None), "pk", None),
                 detail={"grid": grid.code, "source": source})
    return evaluation


@transaction.atomic
def evaluation_record(*, actor: Actor, person_public_id: str, grid_code: str,
                      scores: dict[str, int], evaluated_on: dt.date | None = None,
                      comment: str = "", source: str = EvaluationSource.REFERENT,
                      evidence_document_uid=None, employer_name: str = "") -> Evaluation:
    """An evaluation by a professional (référent, or an employer after an immersion), with
    the person's "skills" consent; levels 1-4 (0-3 on DigComp). An employer's assessment
    entered by someone else (e.g. the référent copying a paper « bilan ») names the
    employer (`employer_name`), so that it never reads as the référent's organisation's."""
    org = _organisation(actor)
    if source not in (EvaluationSource.REFERENT, EvaluationSource.EMPLOYER):
        raise PasseportError(_("Origine d'évaluation inconnue."), code="invalid_source", field="source")
    employer_name = (employer_name or "").strip()[:150]
    label = ""
    if source == EvaluationSource.EMPLOYER:
        if not employer_name and org.kind not in EMPLOYER_KINDS:
            raise PasseportError(_("Indiquez l'employeur qui a fait ce bilan."), code="employer_required",
                                 field="employer_name")
        if employer_name:
            label = _("%(employer)s (saisi par %(who)s)") % {"employer": employer_name, "who": actor.label}
    person = person_get_for(actor, person_public_id, scope=ConsentScope.SKILLS, what="skills")
    grid = _grid_for(actor, grid_code)
    digital = grid.code == DIGCOMP_CODE
    return _record(actor=actor, person=person, grid=grid, source=source, scores=scores,
                   evaluated_on=evaluated_on or timezone.localdate(), comment=comment,
                   evidence=_evidence(actor, person, evidence_document_uid),
                   max_level=3 if digital else 4, min_level=0 if digital else 1, evaluator_label=label)


@transaction.atomic
def self_assessment_record(*, actor: Actor, person, answers: dict[str, int],
                           comment: str = "", grid_code: str = DIGCOMP_CODE) -> Evaluation:
    """The person's self-assessment: DigComp (answers 0-3 per competence asked) or another
    shipped grid open to self-assessment (levels 1-4)."""
    if actor.user is None or person.user_id != actor.user.pk or actor.membership is not None:
        raise Forbidden(_("Seule la personne peut faire son auto-évaluation."))
    grid = Grid.objects.filter(code=grid_code, self_assessable=True, organisation__isnull=True).first()
    if grid is None:
        raise PasseportError(_("Grille d'évaluation inconnue."), code="unknown_grid", field="grid")
    digital = grid.code == DIGCOMP_CODE
    if digital and set(answers) - {code for code, _q in DIGCOMP_QUESTIONS}:
        raise PasseportError(_("Réponse inattendue."), code="unknown_item", field="answers")
    return _record(actor=actor, person=person, grid=grid, source=EvaluationSource.SELF,
                   scores=answers, evaluated_on=timezone.localdate(), comment=comment,
                   evidence=None, max_level=3 if digital else 4, min_level=0 if digital else 1)


def immersion_evaluations_record(*, actor: Actor, immersion, skill_levels: dict[int, int]) -> list[Evaluation]:
    """The host employer's evaluation after an immersion (PMSMP), from its assessment in
    the jobs app: the rated skills on the fiche métier's ROME grids (savoir-faire and
    savoir-être), one evaluation per grid, source « employer », dated the last day of the
    immersion. Runs inside `immersion_assess`'s transaction (an error undoes both). The
    person agreed to the immersion and its assessment, so no "skills" read happens here;
    what is written is audited and read later under the "skills" consent."""
    if not skill_levels:
        return []
    grids = rome_grids_ensure(immersion.appellation.fiche_id)
    comment = _("Immersion du %(start)s au %(end)s chez %(employer)s.") % {
        "start": immersion.starts_on.strftime("%d/%m/%Y"), "end": immersion.ends_on.strftime("%d/%m/%Y"),
        "employer": immersion.employer.name}
    if immersion.assessment_comment:
        comment = f"{comment}\n{immersion.assessment_comment}"
    label = _("%(who)s ; tuteur ou tutrice : %(tutor)s") % {"who": actor.label, "tutor": immersion.tutor_name}
    evaluations = []
    for grid in grids.values():
        items = {i.code: i for i in grid.items.filter(code__in=[str(c) for c in skill_levels])}
        scores = {str(code): level for code, level in skill_levels.items() if str(code) in items}
        if not scores:
            continue
        evaluation = Evaluation.objects.create(
            person=immersion.person, grid=grid, organisation=immersion.employer,
            source=EvaluationSource.EMPLOYER, evaluator=actor.user, evaluator_label=label[:200],
            evaluated_on=min(immersion.ends_on, timezone.localdate()), comment=comment)
        Score.objects.bulk_create([Score(evaluation=evaluation, item=items[c], level=v)
                                   for c, v in scores.items()])
        audit_record(actor, action=AuditAction.CREATE, object_type="skill_evaluation",
                     object_id=str(evaluation.uid), person_uid=immersion.person.public_id,
                     detail={"grid": grid.code, "source": EvaluationSource.EMPLOYER,
                             "immersion": immersion.pk})
        evaluations.append(evaluation)
    return evaluations


# -- import of a badge held elsewhere ------------------------------------------------------

def _badge_keep(actor: Actor, person, result: ImportResult, *, detail: dict | None = None
                ) -> ImportedBadge | None:
    """Keep a verified badge in the person's wallet; None when it is there already."""
    key = result.payload.get("id") or result.payload.get("assertion", {}).get("id")
    if key and any((b.payload.get("id") or b.payload.get("assertion", {}).get("id")) == key
                   for b in ImportedBadge.objects.filter(person=person)):
        return None
    badge = ImportedBadge.objects.create(
        person=person, format=result.format, name=result.name[:200] or _("Badge"),
        description=result.description, issuer_name=result.issuer_name[:200],
        issued_on=result.issued_on, source_url=result.source_url[:500], payload=result.payload,
        verified=result.verified, check_message=result.message[:300])
    audit_record(actor, action=AuditAction.CREATE, object_type="imported_badge",
                 object_id=str(badge.uid), person_uid=person.public_id,
                 detail={"format": result.format, **(detail or {})})
    return badge


def badge_import(*, actor: Actor, person, text: str) -> ImportedBadge:
    """Verify a badge the person already holds (Open Badges 3.0, or 2.0 hosted/signed)
    and keep it in their wallet. The issuer's files are fetched before the transaction."""
    if actor.user is None or actor.membership is not None or person.user_id != actor.user.pk:
        raise Forbidden(_("Seule la personne peut ajouter un badge à son portefeuille."))
    try:
        result = read_badge(text, email=person.email)
    except ImportProblem as exc:
        raise PasseportError(exc.message, code=exc.code, field="file") from None
    with transaction.atomic():
        badge = _badge_keep(actor, person, result)
        if badge is None:
            raise Conflict(_("Ce badge est déjà dans votre portefeuille."), code="already_imported",
                           field="file")
    return badge


# -- evaluations and badges brought by a portable passport (the interop bundle) ------------

def badge_credential_check(credential, *, email: str) -> ImportResult:
    """Verify an Open Badges 3.0 credential brought by a portable passport, as the badge
    import does (signature, issuer's key, status list, dates, recipient's e-mail): the
    result to keep with `badge_keep_verified`, or PasseportError (stable `code`) when it
    cannot be kept. May fetch the issuer's key and status list over HTTP: call it
    outside a transaction."""
    if not isinstance(credential, dict):
        raise PasseportError(_("Ce fichier ne contient pas de badge."), code="not_a_badge")
    types = credential.get("type") or []
    types = [types] if isinstance(types, str) else types
    if "OpenBadgeCredential" not in types and "AchievementCredential" not in types:
        raise PasseportError(_("Ce fichier ne contient pas de badge Open Badges."), code="not_a_badge")
    try:
        return import_ob3(credential, email=email)
    except ImportProblem as exc:
        raise PasseportError(exc.message, code=exc.code) from None
    except (KeyError, TypeError, ValueError, AttributeError):
        raise PasseportError(_("Ce badge n'est pas authentique : la vérification a échoué."),
                             code="invalid_badge") from None


@transaction.atomic
def badge_keep_verified(*, actor: Actor, person, result: ImportResult, imported_from: str
                        ) -> ImportedBadge | None:
    """Keep a badge checked by `badge_credential_check` in the person's wallet, as an
    imported badge (None when the same credential is there already). Audited with its
    origin; the importing organisation attested the person's consent."""
    return _badge_keep(actor, person, result, detail={"imported_from": imported_from})


def _grid_for_import(code: str) -> Grid | None:
    """A shared grid of this instance by its code (shipped, or a ROME fiche's, built on
    first need); None when unknown here (e.g. another instance's organisation grid)."""
    grid = Grid.objects.filter(code=code, organisation__isnull=True).first()
    match = re.fullmatch(r"rome-([a-z]\d{4})-(sf|se)", code or "")
    if grid is None and match:
        try:
            grids = rome_grids_ensure(match.group(1).upper())
        except NotFound:
            return None
        grid = next((g for g in grids.values() if g.code == code), None)
    return grid


@transaction.atomic
def evaluation_import(*, actor: Actor, person, grid_code: str, source: str, evaluator_label: str,
                      organisation: Organisation | None, evaluated_on: dt.date, comment: str,
                      scores: list[dict], imported_from: str) -> tuple[Evaluation | None, list[str]]:
    """A past evaluation from another Passeport instance, kept as recorded there (date,
    origin, the evaluator's name as text, their organisation). The grid must be known
    here (`_grid_for_import`); unknown items and levels out of the grid's scale are left
    out; an evaluation with no item left is not recorded. Returns the evaluation (None
    when not recorded) and what was left out, in plain French."""
    grid = _grid_for_import(grid_code)
    if grid is None:
        return None, [_("grille « %(code)s » inconnue ici") % {"code": grid_code}]
    if source not in EvaluationSource.values:
        return None, [_("origine d'évaluation inconnue")]
    if evaluated_on > timezone.localdate():
        return None, [_("date dans le futur")]
    low, high = (0, 3) if grid.code == DIGCOMP_CODE else (1, 4)
    items = {i.code: i for i in grid.items.all()}
    problems: list[str] = []
    clean: dict[str, Score] = {}
    for score in scores:
        item, level = items.get(str(score.get("code"))), score.get("level")
        if item is None:
            problems.append(_("compétence « %(label)s » inconnue dans cette grille")
                            % {"label": score.get("label") or score.get("code")})
        elif not isinstance(level, int) or not low <= level <= high:
            problems.append(_("niveau %(level)s de « %(label)s » hors de l'échelle")
                            % {"level": level, "label": item.label})
        else:
            clean[item.code] = Score(item=item, level=level)
    if not clean:
        return None, problems or [_("aucune compétence évaluée")]
    evaluation = Evaluation.objects.create(
        person=person, grid=grid, organisation=organisation, source=source, evaluator=None,
        evaluator_label=(evaluator_label or "").strip()[:200] or _("Inconnu"),
        evaluated_on=evaluated_on, comment=(comment or "").strip())
    for s in clean.values():
        s.evaluation = evaluation
    Score.objects.bulk_create(clean.values())
    audit_record(actor, action=AuditAction.CREATE, object_type="skill_evaluation",
                 object_id=str(evaluation.uid), person_uid=person.public_id,
                 detail={"grid": grid.code, "source": source, "imported_from": imported_from})
    return evaluation, problems


@transaction.atomic
def grid_create(*, actor: Actor, name: str, kind: str, items: list[dict], rome_code: str = "",
                rome_label: str = "", description: str = "") -> Grid:
    """An organisation's own grid, e.g. the savoir-faire and savoir-être of a ROME 4.0
    fiche métier (codes kept as text until the ROME referential is linked). Each item:
    `code`, `label`, optional `rome_code` and `descriptors` {"1".."4": observable text}."""
    org = _organisation(actor)
    if not name.strip():
        raise PasseportError(_("Indiquez le nom de la grille."), code="required", field="name")
    if kind not in GridKind.values or kind == GridKind.DIGITAL:
        raise PasseportError(_("Type de grille inconnu."), code="invalid_kind", field="kind")
    if not items:
        raise PasseportError(_("Ajoutez au moins une compétence."), code="no_item", field="items")
    codes = [str(i.get("code", "")).strip() for i in items]
    if any(not c for c in codes) or len(set(codes)) != len(codes):
        raise PasseportError(_("Chaque compétence a un code, différent des autres."),
                             code="invalid_item", field="items")
    for i in items:
        if not str(i.get("label", "")).strip():
            raise PasseportError(_("Chaque compétence a un intitulé."), code="invalid_item", field="items")
        if set(i.get("descriptors") or {}) - {"1", "2", "3", "4"}:
            raise PasseportError(_("Les niveaux vont de 1 à 4."), code="invalid_level", field="items")
    grid = Grid.objects.create(code=f"org{org.pk}-{uuid.uuid4().hex[:10]}", organisation=org, kind=kind,
                               name=name.strip(), description=description.strip(),
                               rome_code=rome_code.strip().upper(), rome_label=rome_label.strip())
    GridItem.objects.bulk_create([
        GridItem(grid=grid, code=code, label=str(i["label"]).strip(), position=n,
                 rome_code=str(i.get("rome_code", "")).strip(),
                 descriptors={k: str(v) for k, v in (i.get("descriptors") or {}).items()})
        for n, (code, i) in enumerate(zip(codes, items, strict=True))])
    audit_record(actor, action=AuditAction.CREATE, object_type="skill_grid", object_id=grid.code)
    return grid
