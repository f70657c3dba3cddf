"""Writes of the jobs app: employers, offers, the candidate profile, proposals to an
employer and their answers, immersions (PMSMP) and their assessment. Each service is
atomic; events about a person go to their path's timeline through
`passeport.paths.signals.job_event`, and to the audit log."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from passeport.core.actor import Actor
from passeport.core.enums import AuditAction, OrganisationKind
from passeport.core.errors import Conflict, Forbidden, NotFound, PasseportError
from passeport.core.models import Organisation
from passeport.core.services import audit_record
from passeport.directory.models import Commune
from passeport.paths.signals import job_event
from passeport.people.enums import ConsentMethod, ConsentScope
from passeport.people.models import Person
from passeport.people.selectors import active_consent
from passeport.people.services import consent_grant

from .enums import (
    ApplicationStatus,
    Behaviour,
    Constraint,
    ContractType,
    ImmersionStatus,
    InclusiveKind,
    OfferKind,
    OfferStatus,
    RefusalReason,
    SkillKind,
    SkillSource,
    TransportMode,
)
from .models import (
    Application,
    CandidateProfile,
    CandidateSkill,
    EmployerContact,
    EmployerProfile,
    Immersion,
    JobOffer,
    RomeAppellation,
    RomeFicheSkill,
)
from .selectors import fiche_default_skills, skills_valid
from .signals import immersion_assessed

PROPOSAL_CONSENT_METHODS = (ConsentMethod.ORAL, ConsentMethod.WRITTEN)
EMPLOYER_KINDS = {OrganisationKind.EMPLOYER, *OrganisationKind.siae()}


def _org(actor: Actor) -> Organisation:
    org = actor.organisation
    if org is None:
        raise Forbidden(_("Réservé aux professionnels d'une structure."), code="no_organisation")
    return org


def _employer_org(actor: Actor) -> Organisation:
    org = _org(actor)
    if org.kind not in EMPLOYER_KINDS:
        raise Forbidden(_("Seuls les employeurs (et les SIAE) publient des offres et répondent "
                          "aux candidatures."), code="not_an_employer")
    return org


def _timeline(actor: Actor, person: Person, title: str, body: str = "") -> None:
    job_event.send(sender=Application, person=person, title=title, body=body,
                   occurred_at=timezone.now(), author=actor.user, organisation=actor.organisation)


# --- Employers --------------------------------------------------------------------


@transaction.atomic
def employer_profile_save(*, actor: Actor, inclusive_kind: str = "", commune: Commune | None = None,
                          description: str = "") -> EmployerProfile:
    org = _employer_org(actor)
    if inclusive_kind not in InclusiveKind.values:
        raise PasseportError(_("Type d'employeur inclusif inconnu."), code="invalid_choice",
                             field="inclusive_kind")
    if org.kind in OrganisationKind.siae():
        inclusive_kind = InclusiveKind.SIAE
    profile, _created = EmployerProfile.objects.update_or_create(
        organisation=org, defaults={"inclusive_kind": inclusive_kind, "commune": commune,
                                    "description": description})
    audit_record(actor, action=AuditAction.UPDATE, object_type="employer_profile", object_id=org.pk)
    return profile


@transaction.atomic
def employer_contact_add(*, actor: Actor, name: str, role: str = "", email: str = "",
                         phone: str = "") -> EmployerContact:
    if not name.strip():
        raise PasseportError(_("Indiquez le nom du contact."), code="required", field="name")
    profile = EmployerProfile.objects.filter(organisation=_employer_org(actor)).first()
    if profile is None:
        profile = employer_profile_save(actor=actor)
    return EmployerContact.objects.create(employer=profile, name=name.strip()[:150], role=role[:150],
                                          email=email, phone=phone[:20])


# --- Offers -----------------------------------------------------------------------

OFFER_FIELDS = {"kind", "appellation", "title", "description", "contract_type", "hours_per_week",
                "commune", "starts_on", "ends_on", "positions", "skills_required", "skills_wished",
                "constraints"}


def _clean_offer(data: dict[str, Any]) -> dict[str, Any]:
    """Check the fields of an offer; raise the first error, naming its field."""
    appellation = data.get("appellation")
    if not isinstance(appellation, RomeAppellation):
        raise PasseportError(_("Choisissez un métier dans la liste (appellation du ROME)."),
                             code="invalid_appellation", field="appellation")
    if not isinstance(data.get("commune"), Commune):
        raise PasseportError(_("Choisissez la commune du lieu de travail."), code="invalid_commune",
                             field="commune")
    kind = data.get("kind") or OfferKind.JOB
    if kind not in OfferKind.values:
        raise PasseportError(_("Type d'offre inconnu."), code="invalid_choice", field="kind")
    contract = data.get("contract_type") or (ContractType.PMSMP if kind == OfferKind.IMMERSION else "")
    if contract not in ContractType.values:
        raise PasseportError(_("Choisissez le type de contrat."), code="invalid_choice",
                             field="contract_type")
    if (kind == OfferKind.IMMERSION) != (contract == ContractType.PMSMP):
        raise PasseportError(_("Une immersion (PMSMP) n'a pas de contrat de travail : choisissez "
                               "« Immersion » pour les deux, ou un contrat pour un emploi."),
                             code="immersion_contract", field="contract_type")
    hours = data.get("hours_per_week")
    if not isinstance(hours, int) or not 1 <= hours <= 48:
        raise PasseportError(_("Le nombre d'heures par semaine va de 1 à 48."),
                             code="invalid_hours", field="hours_per_week")
    positions = data.get("positions") or 1
    if not isinstance(positions, int) or positions < 1:
        raise PasseportError(_("Au moins un poste."), code="invalid_positions", field="positions")
    starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
    if starts_on and ends_on and ends_on < starts_on:
        raise PasseportError(_("La date de fin est avant la date de début."), code="invalid_dates",
                             field="ends_on")
    constraints = list(dict.fromkeys(data.get("constraints") or []))
    unknown = [c for c in constraints if c not in Constraint.values]
    if unknown:
        raise PasseportError(_("Contrainte inconnue : %s.") % ", ".join(unknown),
                             code="invalid_constraint", field="constraints")
    default_required, default_wished = fiche_default_skills(appellation.fiche_id)
    required = data.get("skills_required")
    wished = data.get("skills_wished")
    required = default_required if required is None else list(dict.fromkeys(int(s) for s in required))
    wished = default_wished if wished is None else list(dict.fromkeys(int(s) for s in wished))
    unknown_skills = set(required + wished) - skills_valid(required + wished)
    if unknown_skills:
        raise PasseportError(_("Compétence inconnue du ROME : %s.")
                             % ", ".join(str(s) for s in sorted(unknown_skills)),
                             code="invalid_skill", field="skills_required")
    title = (data.get("title") or "").strip() or appellation.label
    return {"kind": kind, "appellation": appellation, "fiche_id": appellation.fiche_id,
            "title": title[:250], "description": data.get("description") or "",
            "contract_type": contract, "hours_per_week": hours, "commune": data["commune"],
            "latitude": data["commune"].latitude, "longitude": data["commune"].longitude,
            "starts_on": starts_on, "ends_on": ends_on, "positions": positions,
            "skills_required": required, "skills_wished": [s for s in wished if s not in required],
            "constraints": constraints}


@transaction.atomic
def offer_create(*, actor: Actor, data: dict[str, Any]) -> JobOffer:
    """Publish a job or an immersion offer of the actor's organisation. Skills not given
    are prefilled from the fiche métier of the appellation."""
    org = _employer_org(actor)
    values = _clean_offer(data)
    offer = JobOffer.objects.create(employer=org, created_by=actor.user, **values)
    audit_record(actor, action=AuditAction.CREATE, object_type="job_offer", object_id=offer.pk)
    return offer


@transaction.atomic
def offer_update(*, actor: Actor, offer: JobOffer, data: dict[str, Any]) -> JobOffer:
    if offer.employer_id != _employer_org(actor).pk:
        raise NotFound(_("Offre introuvable."))
    current = {f: getattr(offer, f) for f in OFFER_FIELDS}
    current.update({k: v for k, v in data.items() if k in OFFER_FIELDS})
    for k, v in _clean_offer(current).items():
        setattr(offer, k, v)
    offer.save()
    audit_record(actor, action=AuditAction.UPDATE, object_type="job_offer", object_id=offer.pk)
    return offer


@transaction.atomic
def offer_set_status(*, actor: Actor, offer: JobOffer, status: str) -> JobOffer:
    if offer.employer_id != _employer_org(actor).pk:
        raise NotFound(_("Offre introuvable."))
    if status not in OfferStatus.values:
        raise PasseportError(_("Statut inconnu."), code="invalid_choice", field="status")
    offer.status = status
    offer.save(update_fields=["status", "updated_at"])
    audit_record(actor, action=AuditAction.UPDATE, object_type="job_offer", object_id=offer.pk,
                 detail={"status": status})
    return offer


# --- Candidate profile ------------------------------------------------------------

PROFILE_FIELDS = ["career_change", "commune", "max_distance_km", "max_travel_minutes", "transport_mode",
                  "has_driving_licence", "has_vehicle", "max_hours_per_week",
                  "childcare_constraint", "night_work_ok", "weekend_work_ok"]


@transaction.atomic
def profile_save(*, actor: Actor, person: Person, data: dict[str, Any]) -> CandidateProfile:
    """Save the person's job profile. The actor's organisation must hold the person's
    consent for « jobs » (or the actor is the person). `target_appellations`,
    `experience_appellations` (appellations) and `skills` (ROME codes, declared or
    evaluated: `skills_source`) replace the current ones when given."""
    is_person = actor.user is not None and actor.membership is None and person.user_id == actor.user.pk
    consent = None if is_person else active_consent(person, actor.organisation_id, ConsentScope.JOBS)
    if not is_person and consent is None:
        raise NotFound(_("Passeport introuvable."))
    md = data.get("max_distance_km", 20)
    if md is not None and not (isinstance(md, int) and 1 <= md <= 200):
        raise PasseportError(_("La distance maximale va de 1 à 200 km."), code="invalid_distance",
                             field="max_distance_km")
    mt = data.get("max_travel_minutes")
    if mt is not None and not (isinstance(mt, int) and 5 <= mt <= 180):
        raise PasseportError(_("Le temps de trajet va de 5 à 180 minutes."), code="invalid_travel_time",
                             field="max_travel_minutes")
    mh = data.get("max_hours_per_week", 35)
    if mh is not None and not (isinstance(mh, int) and 1 <= mh <= 48):
        raise PasseportError(_("Le nombre d'heures par semaine va de 1 à 48."), code="invalid_hours",
                             field="max_hours_per_week")
    if data.get("transport_mode", TransportMode.PUBLIC) not in TransportMode.values:
        raise PasseportError(_("Moyen de transport inconnu."), code="invalid_choice",
                             field="transport_mode")
    commune = data.get("commune")
    if commune is not None and not isinstance(commune, Commune):
        raise PasseportError(_("Commune inconnue."), code="invalid_commune", field="commune")
    skills = data.get("skills")
    if skills is not None:
        skills = list(dict.fromkeys(int(s) for s in skills))
        unknown = set(skills) - skills_valid(skills)
        if unknown:
            raise PasseportError(_("Compétence inconnue du ROME : %s.")
                                 % ", ".join(str(s) for s in sorted(unknown)),
                                 code="invalid_skill", field="skills")
    source = data.get("skills_source", SkillSource.DECLARED)
    if source not in (SkillSource.DECLARED, SkillSource.EVALUATED):
        raise PasseportError(_("Les compétences observées viennent des immersions."),
                             code="invalid_choice", field="skills_source")
    profile, _created = CandidateProfile.objects.get_or_create(person=person)
    for f in PROFILE_FIELDS:
        if f in data:
            setattr(profile, f, data[f])
    profile.save()
    if data.get("target_appellations") is not None:
        profile.target_appellations.set(data["target_appellations"])
    if data.get("experience_appellations") is not None:
        profile.experience_appellations.set(data["experience_appellations"])
    if skills is not None:
        CandidateSkill.objects.filter(profile=profile, source=source).exclude(skill_id__in=skills).delete()
        have = set(CandidateSkill.objects.filter(profile=profile, source=source)
                   .values_list("skill_id", flat=True))
        CandidateSkill.objects.bulk_create([CandidateSkill(profile=profile, skill_id=s, source=source)
                                            for s in skills if s not in have])
    audit_record(actor, action=AuditAction.UPDATE, object_type="job_profile",
                 object_id=person.public_id, person_uid=person.public_id,
                 consent_id=consent.pk if consent else None)
    return profile


@transaction.atomic
def profile_import(*, actor: Actor, person: Person, data: dict[str, Any], imported_from: str
                   ) -> tuple[CandidateProfile | None, list[str]]:
    """The job profile brought by a portable passport from another Passeport instance
    (target and past jobs as ROME appellation codes, mobility, hours, constraints,
    skills with their source), for a person who has none here: a profile already here is
    kept as it is. Jobs, skills or a commune unknown here are left out. Returns the
    profile (None when not created) and what was left out, in plain French."""
    from .models import RomeAppellation

    if CandidateProfile.objects.filter(person=person).exists():
        return None, [_("un profil emploi existe déjà ici : il est gardé tel quel")]
    problems: list[str] = []
    jobs: dict[str, list] = {}
    for key in ("target_jobs", "experience_jobs"):
        wanted = {int(j["code"]): j.get("label", "") for j in data.get(key) or []}
        found = list(RomeAppellation.objects.filter(code_ogr__in=wanted))
        problems += [_("métier « %(label)s » inconnu ici") % {"label": label or code}
                     for code, label in wanted.items() if code not in {a.code_ogr for a in found}]
        jobs[key] = found
    commune = None
    if data.get("commune_insee"):
        commune = Commune.objects.filter(code_insee=data["commune_insee"]).first()
        if commune is None:
            problems.append(_("commune %(code)s inconnue ici") % {"code": data["commune_insee"]})
    profile = CandidateProfile(person=person, commune=commune)
    for f in PROFILE_FIELDS:
        if f != "commune" and data.get(f) is not None:
            setattr(profile, f, data[f])
    profile.full_clean(exclude=["person", "commune"])
    profile.save()
    profile.target_appellations.set(jobs["target_jobs"])
    profile.experience_appellations.set(jobs["experience_jobs"])
    skills = {(int(s["code"]), s["source"]) for s in data.get("skills") or []
              if s.get("source") in SkillSource.values}
    known = skills_valid({code for code, _source in skills})
    problems += [_("compétence %(code)s inconnue ici") % {"code": code}
                 for code in sorted({c for c, _s in skills} - known)]
    CandidateSkill.objects.bulk_create([CandidateSkill(profile=profile, skill_id=code, source=source)
                                        for code, source in sorted(skills) if code in known])
    audit_record(actor, action=AuditAction.CREATE, object_type="job_profile",
                 object_id=person.public_id, person_uid=person.public_id,
                 detail={"imported_from": imported_from})
    return profile, problems


# --- Proposals ----------------------------------------------------------------------

ANSWERS = {
    ApplicationStatus.PROPOSED: {ApplicationStatus.INTERVIEW, ApplicationStatus.HIRED,
                                 ApplicationStatus.REFUSED},
    ApplicationStatus.INTERVIEW: {ApplicationStatus.HIRED, ApplicationStatus.REFUSED},
}


@transaction.atomic
def application_propose(*, actor: Actor, offer: JobOffer, person: Person, message: str = "",
                        consent_method: str = "", person_agreed: bool = False,
                        score: float | None = None, explanation: dict | None = None) -> Application:
    """Propose the person to the offer's employer. The référent's organisation must
    follow the person for « jobs »; the person's agreement to share their job profile
    with the employer is recorded as a « jobs » consent for the employer."""
    org = _org(actor)
    if active_consent(person, org.pk, ConsentScope.JOBS) is None:
        raise NotFound(_("Passeport introuvable."))
    if offer.status != OfferStatus.OPEN:
        raise Conflict(_("Cette offre n'est plus ouverte."), code="offer_closed")
    if not person_agreed:
        raise PasseportError(_("Cochez cette case seulement si la personne est d'accord : sans son "
                               "accord, pas de candidature."), code="person_agreement_required",
                             field="person_agreed")
    if consent_method not in PROPOSAL_CONSENT_METHODS:
        raise PasseportError(_("Indiquez comment la personne a donné son accord."),
                             code="invalid_method", field="consent_method")
    if Application.objects.select_for_update().filter(offer=offer, person=person).exclude(
            status__in=[ApplicationStatus.REFUSED, ApplicationStatus.WITHDRAWN]).exists():
        raise Conflict(_("Cette personne est déjà proposée pour cette offre."),
                       code="already_proposed")
    if active_consent(person, offer.employer_id, ConsentScope.JOBS) is None:
        consent_grant(actor=actor, person=person, organisation=offer.employer,
                      scopes=[ConsentScope.JOBS], method=consent_method,
                      purpose=_("Candidature : %s") % offer.title[:150])
    app = Application.objects.create(offer=offer, person=person, proposed_by=org,
                                     proposed_by_user=actor.user, message=message.strip(),
                                     score=score, explanation=explanation or {})
    audit_record(actor, action=AuditAction.CREATE, object_type="job_application", object_id=app.pk,
                 person_uid=person.public_id, detail={"offer": offer.pk})
    _timeline(actor, person, _("Candidature proposée à %(employer)s : « %(offer)s »")
              % {"employer": offer.employer.name, "offer": offer.title})
    return app


@transaction.atomic
def application_answer(*, actor: Actor, application: Application, status: str,
                       refusal_reason: str = "", comment: str = "",
                       interview_on: date | None = None) -> Application:
    """The employer's answer: interview, hired, or refused with a coded reason."""
    app = Application.objects.select_for_update().select_related("offer__employer", "person").get(
        pk=application.pk)
    if app.offer.employer_id != actor.organisation_id:
        raise Forbidden(_("Seul l'employeur répond à une candidature."), code="not_your_side")
    if status not in ANSWERS.get(app.status, set()):
        raise Conflict(_("Cette candidature ne peut plus recevoir cette réponse."),
                       code="invalid_transition")
    if status == ApplicationStatus.REFUSED and refusal_reason not in RefusalReason.values:
        raise PasseportError(_("Choisissez le motif du refus."), code="refusal_reason_required",
                             field="refusal_reason")
    app.status = status
    app.refusal_reason = refusal_reason if status == ApplicationStatus.REFUSED else ""
    app.answer_comment = comment.strip()
    app.interview_on = interview_on if status == ApplicationStatus.INTERVIEW else app.interview_on
    app.answered_at = timezone.now()
    app.save()
    names = {"employer": app.offer.employer.name, "offer": app.offer.title}
    if status == ApplicationStatus.INTERVIEW:
        title = _("Entretien avec %(employer)s pour « %(offer)s »") % names
    elif status == ApplicationStatus.HIRED:
        title = _("Embauche chez %(employer)s : « %(offer)s »") % names
        filled = app.offer.applications.filter(status=ApplicationStatus.HIRED).count()
        if filled >= app.offer.positions:
            JobOffer.objects.filter(pk=app.offer.pk).update(status=OfferStatus.FILLED,
                                                            updated_at=timezone.now())
    else:
        title = _("%(employer)s n'a pas retenu la candidature pour « %(offer)s »") % names
    body = app.get_refusal_reason_display() if status == ApplicationStatus.REFUSED else ""
    if comment.strip():
        body = f"{body} — {comment.strip()}" if body else comment.strip()
    audit_record(actor, action=AuditAction.UPDATE, object_type="job_application", object_id=app.pk,
                 person_uid=app.person.public_id, detail={"status": status})
    _timeline(actor, app.person, title, body)
    return app


# --- Immersions (PMSMP) -----------------------------------------------------------


@transaction.atomic
def immersion_create(*, actor: Actor, person: Person, employer: Organisation,
                     appellation: RomeAppellation | None, tutor_name: str, starts_on: date | None,
                     ends_on: date | None, objectives: str, offer: JobOffer | None = None
                     ) -> Immersion:
    """A référent (the prescriber) plans an immersion for a person they follow for
    « jobs »; it starts « to validate »."""
    org = _org(actor)
    if active_consent(person, org.pk, ConsentScope.JOBS) is None:
        raise NotFound(_("Passeport introuvable."))
    if employer.kind not in EMPLOYER_KINDS:
        raise PasseportError(_("Choisissez un employeur."), code="not_an_employer", field="employer")
    if appellation is None:
        raise PasseportError(_("Choisissez un métier dans la liste (appellation du ROME)."),
                             code="invalid_appellation", field="appellation")
    if not tutor_name.strip():
        raise PasseportError(_("Indiquez le tuteur ou la tutrice chez l'employeur."),
                             code="required", field="tutor_name")
    if not objectives.strip():
        raise PasseportError(_("Indiquez les objectifs de l'immersion."), code="required",
                             field="objectives")
    if starts_on is None or ends_on is None:
        raise PasseportError(_("Indiquez les dates de début et de fin."), code="invalid_dates",
                             field="starts_on")
    if ends_on < starts_on:
        raise PasseportError(_("La date de fin est avant la date de début."), code="invalid_dates",
                             field="ends_on")
    if (ends_on - starts_on).days > 30:
        raise PasseportError(_("Une PMSMP dure au plus un mois."), code="immersion_too_long",
                             field="ends_on")
    imm = Immersion.objects.create(person=person, employer=employer, offer=offer, prescriber=org,
                                   appellation=appellation, tutor_name=tutor_name.strip()[:150],
                                   starts_on=starts_on, ends_on=ends_on,
                                   objectives=objectives.strip(), created_by=actor.user)
    if active_consent(person, employer.pk, ConsentScope.JOBS) is None:
        consent_grant(actor=actor, person=person, organisation=employer, scopes=[ConsentScope.JOBS],
                      method=ConsentMethod.WRITTEN,
                      purpose=_("Immersion (PMSMP) : %s") % appellation.label[:150])
    audit_record(actor, action=AuditAction.CREATE, object_type="immersion", object_id=imm.pk,
                 person_uid=person.public_id)
    _timeline(actor, person, _("Immersion prévue chez %(employer)s (%(job)s), du %(start)s au %(end)s")
              % {"employer": employer.name, "job": appellation.label,
                 "start": starts_on.strftime("%d/%m/%Y"), "end": ends_on.strftime("%d/%m/%Y")})
    return imm


@transaction.atomic
def immersion_validate(*, actor: Actor, immersion: Immersion) -> Immersion:
    """The référent (prescriber's side) validates the immersion's agreement."""
    imm = Immersion.objects.select_for_update().get(pk=immersion.pk)
    if imm.prescriber_id != actor.organisation_id:
        raise Forbidden(_("Seul le prescripteur valide l'immersion."), code="not_your_side")
    if imm.status != ImmersionStatus.PLANNED:
        raise Conflict(_("Cette immersion n'est plus à valider."), code="invalid_transition")
    imm.status, imm.validated_by, imm.validated_at = ImmersionStatus.VALIDATED, actor.user, timezone.now()
    imm.save()
    audit_record(actor, action=AuditAction.UPDATE, object_type="immersion", object_id=imm.pk,
                 person_uid=imm.person.public_id, detail={"status": imm.status})
    _timeline(actor, imm.person, _("Immersion chez %s validée par le référent") % imm.employer.name)
    return imm


@transaction.atomic
def immersion_cancel(*, actor: Actor, immersion: Immersion) -> Immersion:
    imm = Immersion.objects.select_for_update().get(pk=immersion.pk)
    if actor.organisation_id not in (imm.prescriber_id, imm.employer_id):
        raise NotFound(_("Immersion introuvable."))
    if imm.status not in (ImmersionStatus.PLANNED, ImmersionStatus.VALIDATED):
        raise Conflict(_("Cette immersion ne peut plus être annulée."), code="invalid_transition")
    imm.status = ImmersionStatus.CANCELLED
    imm.save(update_fields=["status"])
    _timeline(actor, imm.person, _("Immersion chez %s annulée") % imm.employer.name)
    return imm


@transaction.atomic
def immersion_assess(*, actor: Actor, immersion: Immersion, skills_observed: list[int],
                     behaviour: int | None, comment: str, led_to_job: bool | None,
                     skill_levels: dict[int, int] | None = None) -> Immersion:
    """The employer's assessment at the end of a validated immersion: the skills
    observed join the person's profile (source « observed »); those rated with a level
    (1 découvre … 4 maîtrise, `skill_levels`) also become the employer's evaluation in the
    person's skills (`signals.immersion_assessed`, heard by the skills app)."""
    imm = Immersion.objects.select_for_update().select_related("person", "employer", "appellation").get(pk=immersion.pk)
    if imm.employer_id != actor.organisation_id:
        raise Forbidden(_("Seul l'employeur d'accueil évalue l'immersion."), code="not_your_side")
    if imm.status != ImmersionStatus.VALIDATED:
        raise Conflict(_("Seule une immersion validée par le référent peut être évaluée."),
                       code="invalid_transition")
    if imm.starts_on > timezone.localdate():
        raise Conflict(_("L'immersion n'a pas encore commencé : faites le bilan pendant ou à la fin "
                         "de l'immersion."), code="immersion_not_started")
    if behaviour not in Behaviour.values:
        raise PasseportError(_("Choisissez une appréciation du savoir-être."), code="required",
                             field="behaviour")
    if led_to_job is None:
        raise PasseportError(_("Indiquez si l'immersion débouche sur une embauche."), code="required",
                             field="led_to_job")
    levels: dict[int, int] = {}
    for code, level in (skill_levels or {}).items():
        try:
            code, level = int(code), int(level)
        except (TypeError, ValueError):
            level = 0
        if not 1 <= level <= 4:
            raise PasseportError(_("Le niveau d'une compétence va de 1 à 4."), code="invalid_level",
                                 field="skill_levels")
        levels[code] = level
    skills = list(dict.fromkeys([*(int(s) for s in skills_observed), *levels]))
    unknown = set(skills) - skills_valid(skills)
    if unknown:
        raise PasseportError(_("Compétence inconnue du ROME : %s.")
                             % ", ".join(str(s) for s in sorted(unknown)),
                             code="invalid_skill", field="skills_observed")
    if levels:
        of_the_job = set(RomeFicheSkill.objects.filter(fiche_id=imm.appellation.fiche_id, skill_id__in=levels)
                         .exclude(kind=SkillKind.SAVOIR).values_list("skill_id", flat=True))
        if set(levels) - of_the_job:
            raise PasseportError(_("Seules les compétences du métier de l'immersion ont un niveau : %s.")
                                 % ", ".join(str(s) for s in sorted(set(levels) - of_the_job)),
                                 code="invalid_skill", field="skill_levels")
    imm.skill_levels = {str(k): v for k, v in levels.items()}
    imm.skills_observed, imm.behaviour, imm.assessment_comment = skills, behaviour, comment.strip()
    imm.led_to_job, imm.assessed_at, imm.status = led_to_job, timezone.now(), ImmersionStatus.ASSESSED
    imm.save()
    profile, _created = CandidateProfile.objects.get_or_create(person=imm.person)
    have = set(CandidateSkill.objects.filter(profile=profile, source=SkillSource.OBSERVED)
               .values_list("skill_id", flat=True))
    CandidateSkill.objects.bulk_create([CandidateSkill(profile=profile, skill_id=s,
                                                       source=SkillSource.OBSERVED)
                                        for s in skills if s not in have])
    audit_record(actor, action=AuditAction.UPDATE, object_type="immersion", object_id=imm.pk,
                 person_uid=imm.person.public_id, detail={"status": imm.status})
    body = _("%(n)d compétence(s) observée(s) ; savoir-être : %(b)s ; %(job)s") % {
        "n": len(skills), "b": imm.get_behaviour_display(),
        "job": _("débouche sur une embauche") if led_to_job else _("pas d'embauche à ce stade")}
    _timeline(actor, imm.person, _("Bilan de l'immersion chez %s") % imm.employer.name, body)
    immersion_assessed.send(sender=Immersion, immersion=imm, actor=actor, skill_levels=levels)
    return imm
