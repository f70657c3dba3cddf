"""Plain words (FALC) for the person's own pages: the codes of the passport (freins,
consent scopes and methods, timeline events, audit events) said as a person says them.

Presentation only: no query, no rule. Unknown codes (added later by other apps) fall
back to a general sentence, never to a raw code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from passeport.core.enums import AuditAction
from passeport.core.models import AuditEvent
from passeport.paths.enums import (
    ActionStatus,
    AppointmentOutcome,
    EventKind,
    FreinTheme,
    ObjectiveStatus,
)
from passeport.paths.models import TimelineEvent
from passeport.people.enums import ConsentMethod, ConsentScope

# --- Freins: what holds the person back, in their words (no severity shown). ---------
FREINS = {
    FreinTheme.MOBILITE: gettext_lazy("Se déplacer (transport, permis de conduire, véhicule)"),
    FreinTheme.LOGEMENT_HEBERGEMENT: gettext_lazy("Se loger"),
    FreinTheme.SANTE: gettext_lazy("La santé"),
    FreinTheme.FAMILLE: gettext_lazy("La famille, la garde des enfants"),
    FreinTheme.NUMERIQUE: gettext_lazy("Utiliser un ordinateur, un téléphone, internet"),
    FreinTheme.LECTURE_ECRITURE_CALCUL: gettext_lazy("Lire, écrire, compter"),
    FreinTheme.DIFFICULTES_FINANCIERES: gettext_lazy("L'argent"),
    FreinTheme.DIFFICULTES_ADMINISTRATIVES_OU_JURIDIQUES: gettext_lazy(
        "Les papiers et les démarches"),
    FreinTheme.EQUIPEMENT_ET_ALIMENTATION: gettext_lazy("S'équiper, se nourrir"),
    FreinTheme.REMOBILISATION: gettext_lazy("Reprendre confiance, reprendre un rythme"),
    FreinTheme.SE_FORMER: gettext_lazy("Se former, apprendre un métier"),
    FreinTheme.CHOISIR_UN_METIER: gettext_lazy("Choisir un métier"),
    FreinTheme.PREPARER_SA_CANDIDATURE: gettext_lazy(
        "Préparer sa candidature (CV, lettre, entretien)"),
    FreinTheme.TROUVER_UN_EMPLOI: gettext_lazy("Trouver un emploi"),
    FreinTheme.CREER_UNE_ENTREPRISE: gettext_lazy("Créer son entreprise"),
    FreinTheme.SOUVRIR_A_LINTERNATIONAL: gettext_lazy("Travailler ou se former à l'étranger"),
}


def frein(theme: str) -> str:
    return str(FREINS.get(theme) or FreinTheme(theme).label)


# --- Consents. ---------------------------------------------------------------------
SCOPES = {
    ConsentScope.PATH: gettext_lazy(
        "Votre parcours : votre situation, ce qui vous freine, vos objectifs, vos actions "
        "et votre historique"),
    ConsentScope.DOCUMENTS: gettext_lazy("Vos documents (vos papiers)"),
    ConsentScope.RIGHTS: gettext_lazy("Vos droits : les aides que vous pouvez demander"),
    ConsentScope.SKILLS: gettext_lazy("Ce que vous savez faire : vos compétences et vos badges"),
    ConsentScope.JOBS: gettext_lazy(
        "Votre profil pour l'emploi : la structure peut le montrer à des employeurs"),
}
# Short names, for sentences and buttons.
SCOPES_SHORT = {
    ConsentScope.PATH: gettext_lazy("votre parcours"),
    ConsentScope.DOCUMENTS: gettext_lazy("vos documents"),
    ConsentScope.RIGHTS: gettext_lazy("vos droits"),
    ConsentScope.SKILLS: gettext_lazy("vos compétences"),
    ConsentScope.JOBS: gettext_lazy("votre profil pour l'emploi"),
}
METHODS = {
    ConsentMethod.IN_APP: gettext_lazy("Vous avez dit oui dans votre espace."),
    ConsentMethod.WRITTEN: gettext_lazy("Vous avez signé un papier."),
    ConsentMethod.ORAL: gettext_lazy("Vous avez dit oui à l'oral, pendant un rendez-vous."),
    ConsentMethod.LEGAL: gettext_lazy(
        "La loi le prévoit. Par exemple pour le RSA (revenu de solidarité active)."),
}


def scope(code: str) -> str:
    return str(SCOPES.get(code) or code)


def scope_short(code: str) -> str:
    return str(SCOPES_SHORT.get(code) or SCOPES.get(code) or code)


def method(code: str) -> str:
    return str(METHODS.get(code) or "")


# --- Objectives and actions. --------------------------------------------------------
OBJECTIVE_STATUS = {
    ObjectiveStatus.PROPOSED: gettext_lazy("Votre proposition"),
    ObjectiveStatus.ACTIVE: gettext_lazy("En cours"),
    ObjectiveStatus.ACHIEVED: gettext_lazy("Atteint"),
    ObjectiveStatus.ABANDONED: gettext_lazy("Arrêté"),
}
ACTION_STATUS = {
    ActionStatus.PROPOSED: gettext_lazy("Votre proposition"),
    ActionStatus.TODO: gettext_lazy("À faire"),
    ActionStatus.IN_PROGRESS: gettext_lazy("En cours"),
    ActionStatus.DONE: gettext_lazy("Faite"),
    ActionStatus.CANCELLED: gettext_lazy("Annulée"),
}


def objective_status(code: str) -> str:
    return str(OBJECTIVE_STATUS.get(code) or code)


def action_status(code: str) -> str:
    return str(ACTION_STATUS.get(code) or code)


# --- Timeline events. ---------------------------------------------------------------
EVENT_KINDS = {
    EventKind.NOTE: gettext_lazy("Note"),
    EventKind.CONTACT: gettext_lazy("Échange"),
    EventKind.APPOINTMENT: gettext_lazy("Rendez-vous"),
    EventKind.STATUS_CHANGE: gettext_lazy("Votre parcours"),
    EventKind.REASSESSMENT: gettext_lazy("Point sur ce qui vous freine"),
    EventKind.ACTION: gettext_lazy("Objectifs et actions"),
    EventKind.WORK_HOURS: gettext_lazy("Heures de travail"),
    EventKind.MESSAGE: gettext_lazy("Message"),
    EventKind.REFERENT: gettext_lazy("Votre référent"),
    EventKind.SITUATION: gettext_lazy("Votre situation"),
}
APPOINTMENT_OUTCOMES = {
    AppointmentOutcome.PLANNED: gettext_lazy("Rendez-vous prévu"),
    AppointmentOutcome.HELD: gettext_lazy("Rendez-vous fait"),
    AppointmentOutcome.MISSED: gettext_lazy("Rendez-vous manqué"),
    AppointmentOutcome.EXCUSED: gettext_lazy("Absence prévenue"),
    AppointmentOutcome.CANCELLED: gettext_lazy("Rendez-vous annulé"),
}


@dataclass
class PlainEvent:
    """One event of the timeline as the person reads it."""

    pk: int
    at: datetime
    kind: str
    kind_label: str
    title: str
    body: str
    by_person: bool
    who: str
    organisation: str
    outcome: str
    seen_by_referent_at: datetime | None


def event(e: TimelineEvent) -> PlainEvent:
    """The event in plain words. The diagnostic's detail (levels of difficulty) is not
    repeated: the person sees their freins in their own section, without levels."""
    title, body = e.title, e.body
    if e.kind == EventKind.REASSESSMENT:
        title = _("Votre référent a fait le point avec vous sur ce qui vous freine.")
        body = ""
    elif e.kind == EventKind.MESSAGE and e.by_person:
        title = _("Vous avez écrit à votre référent.")
    if e.by_person:
        who = _("Vous")
    elif e.author is not None:
        who = e.author.get_full_name() or _("Un professionnel")
    else:
        who = _("Passeport")
    return PlainEvent(
        pk=e.pk, at=e.occurred_at, kind=e.kind,
        kind_label=str(EVENT_KINDS.get(e.kind) or _("Événement")),
        title=title, body=body, by_person=e.by_person, who=who,
        organisation=e.organisation.name if e.organisation_id and e.organisation else "",
        outcome=str(APPOINTMENT_OUTCOMES.get(e.appointment_outcome) or ""),
        seen_by_referent_at=e.seen_by_referent_at,
    )


# --- Access log: who looked at the passport, and what they did. ---------------------
_WHAT = {
    (AuditAction.VIEW, "path"): gettext_lazy("a regardé votre parcours"),
    (AuditAction.VIEW, "person"): gettext_lazy(
        "a regardé votre fiche (nom, date de naissance, coordonnées)"),
    (AuditAction.VIEW, "access_log"): gettext_lazy(
        "a regardé la liste des personnes qui ont vu votre passeport"),
    (AuditAction.VIEW, "action"): gettext_lazy("a regardé une action de votre parcours"),
    (AuditAction.VIEW, "objective"): gettext_lazy("a regardé un objectif de votre parcours"),
    (AuditAction.VIEW, "event"): gettext_lazy("a regardé votre historique"),
    (AuditAction.LIST, "caseload"): gettext_lazy(
        "a vu votre nom dans sa liste de personnes suivies"),
    (AuditAction.LIST, "next_actions"): gettext_lazy(
        "a vu votre prochaine action dans sa liste de travail"),
    (AuditAction.LIST, "person_list"): gettext_lazy(
        "a vu votre nom dans sa liste de personnes suivies"),
    (AuditAction.LIST, "duplicate_candidate"): gettext_lazy(
        "a vu votre nom et votre date de naissance en vérifiant qu'une personne n'avait pas "
        "déjà un passeport"),
    (AuditAction.CREATE, "person"): gettext_lazy("a créé votre passeport"),
    (AuditAction.UPDATE, "person"): gettext_lazy("a modifié votre fiche"),
    (AuditAction.CREATE, "path"): gettext_lazy("a commencé votre parcours"),
    (AuditAction.UPDATE, "path"): gettext_lazy("a modifié votre parcours"),
    (AuditAction.UPDATE, "diagnostic"): gettext_lazy("a noté ce qui vous freine"),
    (AuditAction.CREATE, "objective"): gettext_lazy("a ajouté un objectif"),
    (AuditAction.UPDATE, "objective"): gettext_lazy("a changé un objectif"),
    (AuditAction.CREATE, "action"): gettext_lazy("a ajouté une action"),
    (AuditAction.UPDATE, "action"): gettext_lazy("a changé une action"),
    (AuditAction.CREATE, "event"): gettext_lazy(
        "a écrit dans votre historique (note, échange ou rendez-vous)"),
    (AuditAction.UPDATE, "event"): gettext_lazy("a noté comment s'est passé un rendez-vous"),
    (AuditAction.CREATE, "work_hours"): gettext_lazy("a ajouté une étape de vos heures de travail"),
    (AuditAction.INVITE, "person"): gettext_lazy(
        "vous a envoyé un lien pour ouvrir votre espace"),
    (AuditAction.CREATE, "access_request"): gettext_lazy(
        "vous a demandé de voir votre passeport"),
    (AuditAction.LIST, "access_request"): gettext_lazy(
        "a vu votre nom dans la liste de ses demandes d'accès (vous avez accepté)"),
}
_WHAT_BY_ACTION = {
    AuditAction.VIEW: gettext_lazy("a regardé des informations de votre passeport"),
    AuditAction.LIST: gettext_lazy("a vu votre nom dans une liste"),
    AuditAction.CREATE: gettext_lazy("a ajouté une information à votre passeport"),
    AuditAction.UPDATE: gettext_lazy("a modifié une information de votre passeport"),
    AuditAction.DELETE: gettext_lazy("a supprimé une information de votre passeport"),
    AuditAction.EXPORT: gettext_lazy("a téléchargé des informations de votre passeport (par exemple pour un dossier)"),
    AuditAction.DENIED: gettext_lazy(
        "a essayé de voir votre passeport sans votre accord. Passeport a refusé"),
}


def access_what(e: AuditEvent) -> str:
    """What was done, as a sentence that follows the name of who did it."""
    if e.object_type == "access_request" and e.action == AuditAction.UPDATE:
        status = (e.detail or {}).get("status")
        if status == "cancelled":
            return _("a annulé sa demande de voir votre passeport")
        if status == "expired":
            return _("a noté qu'une demande de voir votre passeport est terminée, sans réponse")
    if e.action == AuditAction.CONSENT_GRANT:
        return _("a noté votre accord pour : %s") % scope_short((e.detail or {}).get("scope", ""))
    if e.action == AuditAction.CONSENT_WITHDRAW:
        return _("a noté que vous retirez votre accord pour : %s") % scope_short(
            (e.detail or {}).get("scope", ""))
    what = _WHAT.get((e.action, e.object_type)) or _WHAT_BY_ACTION.get(e.action)
    return str(what or _("a utilisé votre passeport"))


def access_who(e: AuditEvent) -> str:
    if e.api_token_id is not None:
        return _("Un logiciel relié à Passeport")
    if e.actor_id is not None and e.actor is not None:
        return e.actor.get_full_name() or e.actor.email
    if e.channel == "system" or not e.actor_label:
        return _("Passeport, automatiquement")
    return e.actor_label


@dataclass
class AccessRow:
    """One line of "Qui a regardé mon passeport": consecutive identical accesses on the
    same day (a référent opening their list several times) are shown once, with a count."""

    at: datetime
    who: str
    organisation: str
    what: str
    times: int = 1


def access_rows(events) -> list[AccessRow]:
    rows: list[AccessRow] = []
    for e in events:
        row = AccessRow(at=e.at, who=access_who(e),
                        organisation=e.organisation.name if e.organisation else "",
                        what=access_what(e))
        last = rows[-1] if rows else None
        if (last is not None and (last.who, last.organisation, last.what)
                == (row.who, row.organisation, row.what)
                and _local_day(last.at) == _local_day(row.at)):
            last.times += 1
            continue
        rows.append(row)
    return rows


def _local_day(at: datetime):
    return timezone.localtime(at).date()
