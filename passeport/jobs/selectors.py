"""Reads of the jobs app: the ROME referential, employers and offers, the candidate
profile, and matching both ways. Every read of a person's data goes through
`person_get_for(..., scope="jobs")` (consent check and audit event)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from passeport.core.actor import Actor
from passeport.core.enums import AuditAction
from passeport.core.errors import NotFound
from passeport.core.services import audit_record_many
from passeport.core.text import normalize
from passeport.directory.models import Commune
from passeport.directory.selectors import commune_of_person
from passeport.paths.models import DiagnosticEntry
from passeport.people.enums import ConsentScope
from passeport.people.models import Consent, Person
from passeport.people.selectors import person_get_for, persons_visible_to

from .enums import ApplicationStatus, Constraint, ImmersionStatus, OfferStatus, SkillKind
from .matching import (
    CandidateRow,
    Match,
    OfferMatrix,
    OfferRow,
    Referential,
    rank_candidates,
    rank_offers,
)
from .models import (
    Application,
    CandidateProfile,
    EmployerProfile,
    Immersion,
    JobOffer,
    RomeAppellation,
    RomeFiche,
    RomeFicheSkill,
    RomeMobility,
    RomeSkill,
)

# --- Referential ------------------------------------------------------------------


def appellations_search(text: str, limit: int = 10) -> list[RomeAppellation]:
    """Appellations whose label contains every word typed (accents and case ignored),
    those starting with the first word first, then the shortest."""
    words = normalize(text).split()
    if not words or len(" ".join(words)) < 2:
        return []
    qs = RomeAppellation.objects.all()
    for w in words:
        qs = qs.filter(label_normalized__contains=w)
    rows = list(qs.select_related("fiche").only("code_ogr", "label", "label_normalized",
                                                "fiche__code", "fiche__label")[:300])
    first = words[0]
    rows.sort(key=lambda a: (not a.label_normalized.startswith(first),
                             not any(t.startswith(first) for t in a.label_normalized.split()),
                             len(a.label), a.label))
    return rows[:limit]


def appellation_get(code_ogr: int | str | None) -> RomeAppellation | None:
    try:
        code = int(code_ogr)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return RomeAppellation.objects.select_related("fiche").filter(pk=code).first()


def fiche_default_skills(fiche: RomeFiche | str) -> tuple[list[int], list[int]]:
    """The skills an offer starts with: the fiche's « cœur de métier » savoir-faire as
    required (its first eight when none is marked), its savoir-être as wished."""
    links = list(RomeFicheSkill.objects.filter(fiche=fiche).exclude(kind=SkillKind.SAVOIR)
                 .order_by("pk").values_list("skill_id", "kind", "core"))
    savoir_faire = [(s, core) for s, kind, core in links if kind == SkillKind.SAVOIR_FAIRE]
    required = [s for s, core in savoir_faire if core] or [s for s, _c in savoir_faire[:8]]
    wished = [s for s, kind, _c in links if kind == SkillKind.SAVOIR_ETRE]
    return required, wished


def fiche_skills(fiche: RomeFiche | str) -> list[RomeSkill]:
    ids = RomeFicheSkill.objects.filter(fiche=fiche).values("skill_id")
    return list(RomeSkill.objects.filter(pk__in=ids).order_by("kind", "label"))


def fiche_core_skills(fiche: RomeFiche | str) -> set[int]:
    """The fiche's savoir-faire marked « cœur de métier »."""
    return set(RomeFicheSkill.objects.filter(fiche=fiche, core=True).values_list("skill_id", flat=True))


def skill_labels(codes) -> dict[int, str]:
    return dict(RomeSkill.objects.filter(pk__in=list(codes)).values_list("code_ogr", "label"))


def skills_valid(codes) -> set[int]:
    return set(RomeSkill.objects.filter(pk__in=list(codes)).values_list("pk", flat=True))


@lru_cache(maxsize=1)
def referential() -> Referential:
    """The ROME structure the engine needs, read once per process (the referential
    changes only with a data release: `load_rome` clears this cache; restart the other
    processes after it)."""
    macro_of = dict(RomeSkill.objects.filter(macro_code__isnull=False)
                    .values_list("code_ogr", "macro_code"))
    mobility: dict[str, set[str]] = {}
    for source, target in RomeMobility.objects.values_list("source_id", "target_id"):
        mobility.setdefault(source, set()).add(target)
    return Referential(macro_of, {k: frozenset(v) for k, v in mobility.items()})


# --- Employers and offers ---------------------------------------------------------


def employer_profile_of(organisation_id: int | None) -> EmployerProfile | None:
    if organisation_id is None:
        return None
    return (EmployerProfile.objects.select_related("organisation", "commune")
            .prefetch_related("contacts").filter(organisation_id=organisation_id).first())


def offers_search(*, q: str = "", kind: str = "", employer_id: int | None = None,
                  status: str | None = OfferStatus.OPEN) -> QuerySet[JobOffer]:
    """Offers are public to professionals (open ones), filtered by words of the title or
    appellation, kind and employer."""
    qs = JobOffer.objects.select_related("employer", "commune", "appellation", "fiche")
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if employer_id:
        qs = qs.filter(employer_id=employer_id)
    for w in normalize(q).split():
        qs = qs.filter(Q(appellation__label_normalized__contains=w) | Q(title__icontains=w))
    return qs.annotate(pending=Count("applications", filter=Q(
        applications__status__in=[ApplicationStatus.PROPOSED, ApplicationStatus.INTERVIEW])))


def offer_get(pk: int) -> JobOffer:
    """An offer any professional may read (open, or of any status for its employer)."""
    offer = (JobOffer.objects.select_related("employer", "commune", "appellation", "fiche")
             .filter(pk=pk).first())
    if offer is None:
        raise NotFound(_("Offre introuvable."))
    return offer


def offer_get_for(actor: Actor, pk: int) -> JobOffer:
    """An offer the actor may read: open ones, and every offer of their organisation."""
    offer = offer_get(pk)
    if offer.status != OfferStatus.OPEN and offer.employer_id != actor.organisation_id:
        raise NotFound(_("Offre introuvable."))
    return offer


def offer_get_own(actor: Actor, pk: int) -> JobOffer:
    """An offer of the actor's organisation (the employer's side), else NotFound."""
    offer = offer_get(pk)
    if actor.organisation_id is None or offer.employer_id != actor.organisation_id:
        raise NotFound(_("Offre introuvable."))
    return offer


def _pending_counts(offer_ids) -> dict[int, int]:
    return dict(Application.objects.filter(
        offer_id__in=offer_ids,
        status__in=[ApplicationStatus.PROPOSED, ApplicationStatus.INTERVIEW])
        .values("offer_id").annotate(n=Count("id")).values_list("offer_id", "n"))


OFFER_ROW_FIELDS = ["id", "kind", "fiche_id", "latitude", "longitude", "hours_per_week",
                    "skills_required", "skills_wished", "constraints", "created_at", "positions"]


def _offer_row(v: dict) -> OfferRow:
    return OfferRow(
        id=v["id"], fiche=v["fiche_id"], latitude=v["latitude"], longitude=v["longitude"],
        hours_per_week=v["hours_per_week"], required=frozenset(v["skills_required"]),
        wished=frozenset(v["skills_wished"]), constraints=frozenset(v["constraints"]),
        created=v["created_at"].timestamp() if v["created_at"] else 0.0,
        positions=v["positions"], kind=v["kind"])


_OPEN_OFFERS: dict = {"key": None, "matrix": None}


def open_offers_matrix() -> OfferMatrix:
    """The open offers as an `OfferMatrix`, kept in the process and rebuilt when an
    offer was published, changed or closed (one cheap, indexed query checks it: the
    last offer id and the last change). Reading and decoding thousands of rows on every
    query would cost more than ranking them."""
    # Two single-column lookups: each walks its index (one query with both aggregates
    # would scan the table on SQLite).
    key = (JobOffer.objects.order_by("-id").values_list("id", flat=True).first(),
           JobOffer.objects.order_by("-updated_at").values_list("updated_at", flat=True).first())
    if _OPEN_OFFERS["key"] != key:
        rows = [_offer_row(v) for v in JobOffer.objects.open().values(*OFFER_ROW_FIELDS).iterator(2000)]
        _OPEN_OFFERS.update(key=key, matrix=OfferMatrix(rows, referential()))
    return _OPEN_OFFERS["matrix"]


# --- Candidate profile ------------------------------------------------------------


def current_freins(person: Person) -> dict[str, int]:
    """The current diagnostic of the person's paths: frein -> severity (the highest)."""
    out: dict[str, int] = {}
    for theme, severity in DiagnosticEntry.objects.filter(
            path__person=person, is_current=True).values_list("theme", "severity"):
        out[theme] = max(severity, out.get(theme, 0))
    return out


def _freins_of(person_ids) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {}
    for pid, theme, severity in DiagnosticEntry.objects.filter(
            path__person_id__in=person_ids, is_current=True).values_list(
            "path__person_id", "theme", "severity"):
        d = out.setdefault(pid, {})
        d[theme] = max(severity, d.get(theme, 0))
    return out


def profile_of(person: Person, *, skill_labels: bool = True) -> CandidateProfile:
    """The person's profile (unsaved, with the passport's commune, when none yet)."""
    profile = (CandidateProfile.objects.select_related("commune")
               .prefetch_related("target_appellations", "experience_appellations",
                                 "skills__skill" if skill_labels else "skills")
               .filter(person=person).first())
    if profile is None:
        profile = CandidateProfile(person=person, commune=commune_of_person(person))
    return profile


def candidate_row(profile: CandidateProfile, freins: dict[str, int]) -> CandidateRow:
    commune: Commune | None = profile.commune
    saved = profile.pk is not None
    return CandidateRow(
        id=profile.person_id,
        skills=frozenset(s.skill_id for s in profile.skills.all()) if saved else frozenset(),
        latitude=commune.latitude if commune else None,
        longitude=commune.longitude if commune else None,
        max_distance_km=profile.max_distance_km, max_travel_minutes=profile.max_travel_minutes,
        transport_mode=profile.transport_mode, has_driving_licence=profile.has_driving_licence,
        has_vehicle=profile.has_vehicle, max_hours_per_week=profile.max_hours_per_week,
        childcare_constraint=profile.childcare_constraint, night_work_ok=profile.night_work_ok,
        weekend_work_ok=profile.weekend_work_ok, career_change=profile.career_change,
        target_fiches=frozenset(a.fiche_id for a in profile.target_appellations.all()) if saved else frozenset(),
        experience_fiches=frozenset(a.fiche_id for a in profile.experience_appellations.all()) if saved else frozenset(),
        freins=freins)


@dataclass
class ProfileView:
    person: Person
    profile: CandidateProfile
    freins: dict[str, int]
    skills_by_source: dict[str, list[RomeSkill]] = field(default_factory=dict)


def profile_get_for(actor: Actor, public_id: str) -> ProfileView:
    person = person_get_for(actor, public_id, scope=ConsentScope.JOBS, what="job_profile")
    profile = profile_of(person)
    view = ProfileView(person, profile, current_freins(person))
    if profile.pk:
        for cs in profile.skills.all():
            view.skills_by_source.setdefault(cs.source, []).append(cs.skill)
    return view


# --- Explanations -----------------------------------------------------------------

CONSTRAINT_WARNINGS = {
    Constraint.WEEKEND_WORK: gettext_lazy("travail le week-end alors que la garde des enfants est difficile"),
    Constraint.EARLY_LATE_HOURS: gettext_lazy("horaires décalés, difficiles avec la garde d'enfants ou les transports"),
    Constraint.HEAVY_LOADS: gettext_lazy("port de charges lourdes, à voir avec la santé de la personne"),
    Constraint.STANDING: gettext_lazy("station debout prolongée, à voir avec la santé de la personne"),
}
INFEASIBLE_REASONS = {
    "too_far": gettext_lazy("trop loin"),
    "hours": gettext_lazy("trop d'heures par semaine"),
    Constraint.DRIVING_LICENCE: gettext_lazy("permis B exigé"),
    Constraint.VEHICLE: gettext_lazy("véhicule nécessaire"),
    Constraint.NIGHT_WORK: gettext_lazy("travail de nuit"),
    Constraint.WEEKEND_WORK: gettext_lazy("travail le week-end"),
    Constraint.EARLY_LATE_HOURS: gettext_lazy("horaires décalés"),
    Constraint.HEAVY_LOADS: gettext_lazy("port de charges lourdes"),
    Constraint.STANDING: gettext_lazy("station debout prolongée"),
}


@dataclass
class Explained:
    match: Match
    offer: JobOffer | None = None
    person: Person | None = None
    matched: list[str] = field(default_factory=list)
    partial: list[str] = field(default_factory=list)
    missing: list[tuple[int, str]] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)
    already_proposed: bool = False

    @property
    def percent(self) -> int:
        return round(self.match.score * 100)

    def as_dict(self) -> dict:
        m = self.match
        return {"score": m.score, "skills_score": m.skills, "rome_link": m.rome_link,
                "distance_km": m.distance_km, "travel_minutes": m.travel_minutes,
                "skills_matched": self.matched, "skills_partial": self.partial,
                "skills_missing": [{"code_ogr": c, "label": label} for c, label in self.missing],
                "warnings": m.warnings, "congested": m.congested, "sentences": self.sentences}


def explain(match: Match, labels: dict[int, str], fiche_labels: dict[str, str],
            offer_fiche: str) -> Explained:
    """The plain-French explanation of one result."""
    e = Explained(match)
    e.matched = [labels.get(s, str(s)) for s in match.matched]
    e.partial = [labels.get(s, str(s)) for s in match.partial]
    e.missing = [(s, labels.get(s, str(s))) for s in match.missing]
    total = len(match.matched) + len(match.partial) + len(match.missing)
    if total:
        e.sentences.append(ngettext(
            "%(n)d compétence requise sur %(total)d est acquise",
            "%(n)d compétences requises sur %(total)d sont acquises", len(match.matched))
            % {"n": len(match.matched), "total": total}
            + (ngettext(", %(p)d est proche d'une compétence acquise",
                        ", %(p)d sont proches de compétences acquises", len(match.partial))
               % {"p": len(match.partial)} if match.partial else "") + ".")
    link = {"target": _("C'est un métier que la personne recherche."),
            "experience": _("La personne a déjà exercé ce métier."),
            "mobility": _("Passerelle de reconversion : le ROME relie ce métier (%(fiche)s) "
                          "à un métier de la personne.") % {"fiche": fiche_labels.get(offer_fiche, offer_fiche)},
            }.get(match.rome_link)
    if link:
        e.sentences.append(link)
    if match.distance_km is not None:
        km = f"{match.distance_km:.1f}".replace(".", ",")
        if (match.travel_minutes or 0) < 5:
            e.sentences.append(_("À %(km)s km, moins de 5 minutes de trajet.") % {"km": km})
        else:
            e.sentences.append(_("À %(km)s km, environ %(min)d minutes de trajet.")
                               % {"km": km, "min": match.travel_minutes})
    else:
        e.sentences.append(_("Distance inconnue : la commune de la personne n'est pas renseignée."))
    for w in match.warnings:
        e.sentences.append(_("À vérifier : %s.") % CONSTRAINT_WARNINGS.get(w, w))
    if match.congested:
        e.sentences.append(_("Offre très sollicitée : beaucoup de candidatures attendent déjà "
                             "une réponse, elle est classée plus bas."))
    return e


def _explain_all(matches: list[Match], fiche_of: dict[int, str]) -> list[Explained]:
    codes = {s for m in matches for s in (*m.matched, *m.partial, *m.missing)}
    labels = skill_labels(codes) if codes else {}
    fiche_labels = dict(RomeFiche.objects.filter(code__in=set(fiche_of.values()))
                        .values_list("code", "label"))
    return [explain(m, labels, fiche_labels, fiche_of.get(m.offer_id, "")) for m in matches]


# --- Matching both ways -----------------------------------------------------------


@dataclass
class OffersForPerson:
    person: Person
    profile: CandidateProfile
    freins: dict[str, int]
    results: list[Explained]
    infeasible: dict[str, int]  # reason label -> count of offers left out
    commune: Commune | None


def offers_for_person(actor: Actor, public_id: str, *, kind: str = "",
                      limit: int | None = None) -> OffersForPerson:
    """The best open offers for a person the actor's organisation follows for « jobs »,
    each explained; the infeasible ones are left out and counted by reason."""
    limit = limit or settings.PASSEPORT_JOBS_MATCH_LIMIT
    person = person_get_for(actor, public_id, scope=ConsentScope.JOBS, what="job_matches")
    profile = profile_of(person, skill_labels=False)
    freins = current_freins(person)
    cand = candidate_row(profile, freins)
    # Every open offer is ranked at once; anti-congestion needs the proposals waiting
    # per offer: they are read for the best three times `limit` only (the penalty only
    # lowers a score), which are then ranked again with the same rules.
    ref = referential()
    first, reasons = open_offers_matrix().rank(ref, cand, limit=3 * limit, kind=kind)
    pending = _pending_counts([o.id for o, _d in first])
    shortlist = [replace(o, pending=pending.get(o.id, 0)) for o, _d in first]
    matches, _again = rank_offers(ref, cand, shortlist, limit=limit,
                                  congestion_per_position=settings.PASSEPORT_JOBS_CONGESTION_PER_POSITION)
    fiche_of = {o.id: o.fiche for o in shortlist}
    explained = _explain_all(matches, fiche_of)
    by_id = (JobOffer.objects.select_related("employer", "commune", "appellation", "fiche")
             .in_bulk([m.offer_id for m in matches]))
    proposed = set(Application.objects.filter(person=person, offer_id__in=by_id).exclude(
        status__in=[ApplicationStatus.REFUSED, ApplicationStatus.WITHDRAWN]).values_list("offer_id", flat=True))
    for e in explained:
        e.offer = by_id.get(e.match.offer_id)
        e.already_proposed = e.match.offer_id in proposed
    explained = [e for e in explained if e.offer is not None]  # deleted since the index was built
    return OffersForPerson(person, profile, freins, explained,
                           {str(INFEASIBLE_REASONS.get(k, k)): n for k, n in reasons.items()},
                           profile.commune)


@dataclass
class PersonsForOffer:
    offer: JobOffer
    results: list[Explained]
    infeasible: int


def persons_for_offer(actor: Actor, offer_id: int, *, limit: int | None = None) -> PersonsForOffer:
    """The persons who gave the actor's organisation their consent for « jobs » (and
    only them), ranked for one offer. Each person listed leaves an audit event."""
    limit = limit or settings.PASSEPORT_JOBS_MATCH_LIMIT
    offer = offer_get_for(actor, offer_id)
    persons = list(persons_visible_to(actor, ConsentScope.JOBS).select_related(None))
    ids = [p.pk for p in persons]
    profiles = {p.person_id: p for p in CandidateProfile.objects.filter(person_id__in=ids)
                .select_related("commune").prefetch_related(
                    "target_appellations", "experience_appellations", "skills")}
    freins = _freins_of(ids)
    cands = []
    for person in persons:
        profile = profiles.get(person.pk)
        if profile is None:
            continue  # no profile yet: nothing to match on
        cands.append(candidate_row(profile, freins.get(person.pk, {})))
    row = OfferRow(id=offer.pk, fiche=offer.fiche_id, latitude=offer.latitude,
                   longitude=offer.longitude, hours_per_week=offer.hours_per_week,
                   required=frozenset(offer.skills_required), wished=frozenset(offer.skills_wished),
                   constraints=frozenset(offer.constraints), positions=offer.positions)
    matches, infeasible = rank_candidates(referential(), row, cands, limit=limit)
    explained = _explain_all(matches, {offer.pk: offer.fiche_id})
    by_pk = {p.pk: p for p in persons}
    proposed = set(Application.objects.filter(offer=offer, person_id__in=[m.candidate_id for m in matches])
                   .exclude(status__in=[ApplicationStatus.REFUSED, ApplicationStatus.WITHDRAWN])
                   .values_list("person_id", flat=True))
    for e in explained:
        e.person = by_pk[e.match.candidate_id]
        e.offer = offer
        e.already_proposed = e.person.pk in proposed
    consents = dict(Consent.objects.active().filter(
        person_id__in=[e.person.pk for e in explained], organisation_id=actor.organisation_id,
        scope=ConsentScope.JOBS).values_list("person_id", "id"))
    audit_record_many(actor, action=AuditAction.LIST, object_type="job_candidate",
                      entries=[(e.person.public_id, consents.get(e.person.pk))
                               for e in explained],
                      detail={"offer": offer.pk, "scope": ConsentScope.JOBS})
    return PersonsForOffer(offer, explained, len(infeasible))


# --- Proposals and immersions -----------------------------------------------------


def applications_received(actor: Actor, *, status: str = "") -> QuerySet[Application]:
    """Proposals received by the actor's organisation (employer side)."""
    qs = Application.objects.filter(offer__employer_id=actor.organisation_id).select_related(
        "offer", "person", "proposed_by")
    return qs.filter(status=status) if status else qs


def applications_sent(actor: Actor) -> QuerySet[Application]:
    return Application.objects.filter(proposed_by_id=actor.organisation_id).select_related(
        "offer__employer", "person")


def application_get_for(actor: Actor, pk: int) -> Application:
    """A proposal the actor's organisation sent or received, else NotFound."""
    app = (Application.objects.select_related("offer__employer", "offer__commune", "person",
                                              "proposed_by").filter(pk=pk).first())
    org = actor.organisation_id
    if app is None or org is None or org not in (app.offer.employer_id, app.proposed_by_id):
        raise NotFound(_("Candidature introuvable."))
    return app


def applications_of_person_for(actor: Actor, public_id: str) -> tuple[Person, QuerySet[Application]]:
    person = person_get_for(actor, public_id, scope=ConsentScope.JOBS, what="job_applications")
    return person, Application.objects.filter(person=person).select_related("offer__employer")


def immersions_of_person_for(actor: Actor, public_id: str) -> tuple[Person, QuerySet[Immersion]]:
    person = person_get_for(actor, public_id, scope=ConsentScope.JOBS, what="immersions")
    return person, Immersion.objects.filter(person=person).select_related("employer", "appellation")


def immersions_hosted(actor: Actor) -> QuerySet[Immersion]:
    return Immersion.objects.filter(employer_id=actor.organisation_id).exclude(
        status=ImmersionStatus.CANCELLED).select_related("person", "appellation", "prescriber")


def immersion_get_for(actor: Actor, pk: int) -> Immersion:
    """An immersion the actor's organisation prescribed or hosts, else NotFound."""
    imm = (Immersion.objects.select_related("person", "employer", "prescriber", "appellation__fiche")
           .filter(pk=pk).first())
    org = actor.organisation_id
    if imm is None or org is None or org not in (imm.employer_id, imm.prescriber_id):
        raise NotFound(_("Immersion introuvable."))
    return imm




def own_jobs(person: Person) -> tuple[QuerySet[Application], QuerySet[Immersion]]:
    """The person's own proposals and immersions (their personal space: no consent
    check, no audit, as for their own path)."""
    return (Application.objects.filter(person=person).select_related("offer__employer", "offer__commune"),
            Immersion.objects.filter(person=person).exclude(status=ImmersionStatus.CANCELLED)
            .select_related("employer", "appellation"))
