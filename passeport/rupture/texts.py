"""The words of the signals: for the professional (a plain-French explanation and a
suggested next step) and for the person (FALC: short sentences, no jargon, never a
reproach). Presentation only: no query."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from passeport.core.text import date_fr

from .enums import SignalKind


def _d(value: str | date) -> str:
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return date_fr(day, "j F Y")


def explain(kind: str, days: int, ev: dict) -> str:
    """What the référent reads: the fact, with its date or its count."""
    if kind == SignalKind.NO_CONTACT:
        return ngettext("Pas de contact depuis %(n)d jour", "Pas de contact depuis %(n)d jours",
                        days) % {"n": days}
    if kind == SignalKind.MISSED_APPOINTMENTS:
        return _("%(n)d rendez-vous manqués de suite, le dernier le %(d)s") % {
            "n": ev["count"], "d": _d(ev["last"])}
    if kind == SignalKind.ORIENTATION_UNANSWERED:
        return ngettext("Orientation vers %(s)s (%(p)s) sans réponse depuis %(n)d jour",
                        "Orientation vers %(s)s (%(p)s) sans réponse depuis %(n)d jours", days) % {
            "s": ev["service"], "p": ev["partner"], "n": days}
    if kind == SignalKind.ORIENTATION_REFUSED:
        return ngettext("Orientation vers %(s)s refusée il y a %(n)d jour, sans autre solution depuis",
                        "Orientation vers %(s)s refusée il y a %(n)d jours, sans autre solution depuis",
                        days) % {"s": ev["service"], "n": days}
    if kind == SignalKind.ACTION_OVERDUE:
        if ev.get("count", 1) > 1:
            return _("%(n)d actions en retard, dont « %(t)s » depuis %(d)d jours") % {
                "n": ev["count"], "t": ev["title"], "d": days}
        return ngettext("Action « %(t)s » en retard de %(d)d jour",
                        "Action « %(t)s » en retard de %(d)d jours", days) % {"t": ev["title"], "d": days}
    if kind == SignalKind.CONTRACT_ENDING:
        return _("%(c)s se termine le %(d)s et rien n'est prévu après") % {
            "c": ev["contract"], "d": _d(ev["ends_on"])}
    if kind == SignalKind.DOCUMENT_EXPIRING:
        if days < 0:
            return _("Le document « %(t)s » a expiré le %(d)s") % {"t": ev["title"],
                                                                  "d": _d(ev["expires_on"])}
        return _("Le document « %(t)s » expire le %(d)s") % {"t": ev["title"],
                                                            "d": _d(ev["expires_on"])}
    if kind == SignalKind.RIGHT_ENDING:
        if days < 0:
            return _("Le droit prouvé par « %(t)s » a pris fin le %(d)s") % {
                "t": ev["title"], "d": _d(ev["expires_on"])}
        return _("Le droit prouvé par « %(t)s » prend fin le %(d)s") % {
            "t": ev["title"], "d": _d(ev["expires_on"])}
    if kind == SignalKind.WORK_HOURS_DOWN:
        return _("Heures de travail en baisse : de %(a)d h à %(b)d h par semaine") % {
            "a": ev["from"], "b": ev["to"]}
    if kind == SignalKind.NO_REFERENT:
        if ev.get("referent_left"):
            return _("Le référent de parcours a quitté la structure")
        return _("Le parcours n'a pas de référent")
    if kind == SignalKind.BOOKING_UNANSWERED:
        return _("Invitation à choisir un rendez-vous sans réponse (date limite : %(d)s)") % {
            "d": _d(ev["answer_by"])}
    if kind == SignalKind.SEVERE_FREIN:
        return ngettext("Frein bloquant « %(t)s » sans action depuis %(n)d jour",
                        "Frein bloquant « %(t)s » sans action depuis %(n)d jours", days) % {
            "t": ev["theme_label"], "n": days}
    return _("Signal à regarder")


def next_step(kind: str) -> str:
    """A suggested next step, never a sanction."""
    return {
        SignalKind.NO_CONTACT: _("Proposer un rendez-vous ou un appel, par le moyen que la "
                                 "personne préfère."),
        SignalKind.MISSED_APPOINTMENTS: _("Appeler la personne pour comprendre ce qui l'empêche "
                                          "de venir, et adapter le lieu ou l'heure."),
        SignalKind.ORIENTATION_UNANSWERED: _("Relancer la structure partenaire, ou proposer un "
                                             "autre service."),
        SignalKind.ORIENTATION_REFUSED: _("Voir avec la personne une autre orientation ou une "
                                          "autre action."),
        SignalKind.ACTION_OVERDUE: _("Faire le point sur l'action avec la personne : la "
                                     "reporter, l'adapter ou l'annuler."),
        SignalKind.CONTRACT_ENDING: _("Préparer la suite avec la personne avant la fin : "
                                      "autre contrat, formation ou recherche d'emploi."),
        SignalKind.DOCUMENT_EXPIRING: _("Aider la personne à demander le renouvellement."),
        SignalKind.RIGHT_ENDING: _("Vérifier avec la personne le renouvellement du droit "
                                   "(dossier, déclaration trimestrielle, attestation)."),
        SignalKind.WORK_HOURS_DOWN: _("Faire le point avec la personne et l'employeur sur la "
                                      "baisse des heures."),
        SignalKind.NO_REFERENT: _("Désigner un référent de parcours."),
        SignalKind.SEVERE_FREIN: _("Proposer une action ou une orientation sur ce frein."),
        SignalKind.BOOKING_UNANSWERED: _("Appeler la personne : les créneaux ne lui "
                                         "convenaient peut-être pas, ou le message ne lui est "
                                         "pas parvenu."),
    }.get(kind, _("Faire le point avec la personne."))


def for_person(kind: str, days: int, ev: dict) -> str:
    """What the person reads about themselves (FALC)."""
    if kind == SignalKind.NO_CONTACT:
        return ngettext("Nous n'avons pas eu de nouvelles depuis %(n)d jour.",
                        "Nous n'avons pas eu de nouvelles depuis %(n)d jours.", days) % {"n": days}
    if kind == SignalKind.MISSED_APPOINTMENTS:
        return _("Vous avez manqué %(n)d rendez-vous de suite.") % {"n": ev["count"]}
    if kind == SignalKind.ORIENTATION_UNANSWERED:
        return _("Vous attendez une réponse de %(p)s.") % {"p": ev["partner"]}
    if kind == SignalKind.ORIENTATION_REFUSED:
        return _("%(p)s a dit non. Il faut chercher une autre solution.") % {"p": ev["partner"]}
    if kind == SignalKind.ACTION_OVERDUE:
        return _("Une chose prévue n'est pas encore faite : « %(t)s ».") % {"t": ev["title"]}
    if kind == SignalKind.CONTRACT_ENDING:
        return _("Votre contrat finit le %(d)s. La suite n'est pas encore prévue.") % {
            "d": _d(ev["ends_on"])}
    if kind == SignalKind.DOCUMENT_EXPIRING:
        if days < 0:
            return _("Votre papier « %(t)s » n'est plus valable depuis le %(d)s.") % {
                "t": ev["title"], "d": _d(ev["expires_on"])}
        return _("Votre papier « %(t)s » n'est plus valable après le %(d)s.") % {
            "t": ev["title"], "d": _d(ev["expires_on"])}
    if kind == SignalKind.RIGHT_ENDING:
        if days < 0:
            return _("Votre aide liée au papier « %(t)s » s'est arrêtée le %(d)s.") % {
                "t": ev["title"], "d": _d(ev["expires_on"])}
        return _("Votre aide liée au papier « %(t)s » s'arrête le %(d)s.") % {
            "t": ev["title"], "d": _d(ev["expires_on"])}
    if kind == SignalKind.WORK_HOURS_DOWN:
        return _("Vous travaillez moins d'heures : %(b)d heures par semaine au lieu de %(a)d.") % {
            "a": ev["from"], "b": ev["to"]}
    if kind == SignalKind.NO_REFERENT:
        return _("Personne n'est votre référent en ce moment.")
    if kind == SignalKind.BOOKING_UNANSWERED:
        return _("%(o)s vous a proposé des dates de rendez-vous. Vous n'avez pas encore "
                 "choisi.") % {"o": ev["organisation"]}
    if kind == SignalKind.SEVERE_FREIN:
        return _("Une difficulté importante n'a pas encore de solution : %(t)s.") % {
            "t": ev["theme_label"]}
    return _("Il faut faire le point.")


def for_person_next(kind: str) -> str:
    return {
        SignalKind.NO_CONTACT: _("Vous pouvez écrire un message à votre référent."),
        SignalKind.MISSED_APPOINTMENTS: _("Dites à votre référent quel jour et quelle heure "
                                          "vous vont mieux."),
        SignalKind.ORIENTATION_UNANSWERED: _("Votre référent peut les relancer. Vous pouvez "
                                             "lui en parler."),
        SignalKind.ORIENTATION_REFUSED: _("Parlez-en avec votre référent."),
        SignalKind.ACTION_OVERDUE: _("Parlez-en avec votre référent : on peut la changer de date "
                                     "ou trouver une autre solution."),
        SignalKind.CONTRACT_ENDING: _("Parlez de la suite avec votre référent."),
        SignalKind.DOCUMENT_EXPIRING: _("Demandez un nouveau papier. Votre référent peut vous "
                                        "aider."),
        SignalKind.RIGHT_ENDING: _("Il faut peut-être refaire une demande. Votre référent "
                                   "peut vous aider."),
        SignalKind.WORK_HOURS_DOWN: _("Parlez-en avec votre référent."),
        SignalKind.NO_REFERENT: _("La structure va vous donner un nouveau référent."),
        SignalKind.SEVERE_FREIN: _("Parlez-en avec votre référent."),
        SignalKind.BOOKING_UNANSWERED: _("Appelez votre référent pour choisir un autre jour."),
    }.get(kind, _("Parlez-en avec votre référent."))
