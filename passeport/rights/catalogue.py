"""What each right is, in plain words, why it may be due, and how to claim it (the
official procedure). Shown on the pages and copied into the path's action."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

MES_DROITS_SOCIAUX = "https://www.mesdroitssociaux.gouv.fr/"
CAF_DEMANDE = "https://www.caf.fr/allocataires/mes-services-en-ligne/faire-une-demande-de-prestation"


@dataclass(frozen=True)
class Right:
    code: str
    name: str  # as the pages say it
    plain: str  # what it is, in plain words
    why: str  # why it looks due, in plain words
    why_you: str  # the same, said to the person
    how: str  # how to claim it
    claim_url: str
    claim_label: str
    info_url: str
    theme: str  # the frein of the path's action (data·inclusion category)


RIGHTS: dict[str, Right] = {r.code: r for r in (
    Right("rsa", _("RSA"), _("Un revenu minimum chaque mois."),
          _("Les ressources du foyer des 3 derniers mois sont plus basses que le montant du "
            "RSA pour ce foyer."),
          _("Vos ressources des 3 derniers mois sont plus basses que le RSA pour votre foyer."),
          _("La demande se fait en ligne sur caf.fr (ou à la MSA), ou avec l'aide du "
            "référent ou d'un travailleur social."),
          CAF_DEMANDE, _("Faire la demande sur caf.fr"),
          "https://www.service-public.fr/particuliers/vosdroits/F19778",
          "difficultes-financieres"),
    Right("ppa", _("Prime d'activité"), _("Un complément de revenu quand on travaille."),
          _("La personne (ou son conjoint) a des revenus d'activité et les ressources du "
            "foyer des 3 derniers mois restent modestes."),
          _("Vous travaillez (ou votre conjoint travaille), et vos ressources des 3 derniers mois restent modestes."),
          _("La demande se fait en ligne sur caf.fr (ou à la MSA), puis une déclaration "
            "des ressources tous les 3 mois."),
          CAF_DEMANDE, _("Faire la demande sur caf.fr"),
          "https://www.service-public.fr/particuliers/vosdroits/F2882",
          "difficultes-financieres"),
    Right("al", _("Aide au logement"), _("Une aide pour payer le loyer."),
          _("Le foyer paie un loyer (ou une redevance de foyer) et ses ressources des 12 "
            "derniers mois sont modestes."),
          _("Vous payez un loyer et vos ressources des 12 derniers mois sont modestes."),
          _("La demande se fait en ligne sur caf.fr, avec l'attestation de loyer remplie "
            "par le propriétaire ou le bailleur."),
          CAF_DEMANDE, _("Faire la demande sur caf.fr"),
          "https://www.service-public.fr/particuliers/vosdroits/F12006",
          "logement-hebergement"),
    Right("aah", _("Allocation aux adultes handicapés (AAH)"),
          _("Un revenu pour les personnes handicapées."),
          _("Un taux d'incapacité d'au moins 80 %, ou de 50 à 79 % avec une restriction "
            "d'accès à l'emploi, est indiqué, et les ressources sont modestes."),
          _("Votre handicap est reconnu et vos ressources sont modestes."),
          _("La demande se fait auprès de la MDPH du département, avec le formulaire de "
            "demande et un certificat médical (de nombreuses MDPH acceptent la demande en "
            "ligne)."),
          "https://mdphenligne.cnsa.fr/",
          _("Faire la demande à la MDPH (MDPH en ligne)"),
          "https://www.service-public.fr/particuliers/vosdroits/F12242",
          "sante"),
    Right("af", _("Allocations familiales"), _("Une aide à partir de 2 enfants."),
          _("Le foyer a au moins 2 enfants de moins de 20 ans à charge."),
          _("Vous avez au moins 2 enfants de moins de 20 ans."),
          _("Il suffit de déclarer les enfants à la CAF (sur caf.fr) : les allocations "
            "familiales sont alors versées sans autre demande."),
          CAF_DEMANDE, _("Déclarer les enfants sur caf.fr"),
          "https://www.service-public.fr/particuliers/vosdroits/F13213",
          "famille"),
    Right("cf", _("Complément familial"), _("Une aide pour les familles de 3 enfants ou plus."),
          _("Le foyer a au moins 3 enfants de 3 à 21 ans et des ressources sous le plafond."),
          _("Vous avez au moins 3 enfants de 3 à 21 ans et des ressources modestes."),
          _("La demande se fait sur caf.fr, en déclarant la situation familiale et les "
            "ressources."),
          CAF_DEMANDE, _("Faire la demande sur caf.fr"),
          "https://www.service-public.fr/particuliers/vosdroits/F13214",
          "famille"),
    Right("asf", _("Allocation de soutien familial (ASF)"),
          _("Une aide quand on élève seul un enfant sans pension alimentaire (ou avec une "
            "petite pension)."),
          _("La personne vit seule avec au moins un enfant et ne reçoit pas de pension "
            "alimentaire, ou une pension plus petite que l'ASF."),
          _("Vous élevez seul votre enfant et vous ne recevez pas de pension alimentaire (ou une petite pension)."),
          _("La demande se fait sur caf.fr ; la CAF peut aussi aider à obtenir la pension "
            "alimentaire."),
          CAF_DEMANDE, _("Faire la demande sur caf.fr"),
          "https://www.service-public.fr/particuliers/vosdroits/F815",
          "famille"),
    Right("css", _("Complémentaire santé solidaire"),
          _("Une mutuelle gratuite, ou à moins de 1 € par jour."),
          _("Les ressources du foyer des 12 derniers mois sont sous le plafond (la "
            "complémentaire est gratuite pour les foyers au RSA)."),
          _("Vos ressources des 12 derniers mois sont modestes."),
          _("La demande se fait en ligne sur le compte ameli (Assurance Maladie), ou avec "
            "le formulaire papier à envoyer à la caisse d'assurance maladie."),
          "https://www.ameli.fr/assure/droits-demarches/difficultes-acces-droits-soins/"
          "complementaire-sante",
          _("Faire la demande sur ameli.fr"),
          "https://www.service-public.fr/particuliers/vosdroits/F10027",
          "sante"),
)}

ORDER = ("rsa", "ppa", "al", "aah", "af", "cf", "asf", "css")

# Notes about an estimate, in plain words.
NOTES = {
    "aah_reduces_rsa": _("Si l'AAH est accordée, elle compte dans les ressources : le RSA "
                         "baissera ou s'arrêtera."),
    "aah_full_rate": _("L'AAH est déclarée sans montant : nous avons compté le montant "
                       "maximal."),
    "ass_full_rate": _("L'ASS est déclarée sans montant : nous avons compté le montant "
                       "maximal."),
    "received_not_found": _("Une aide déclarée comme reçue n'apparaît pas dans "
                            "l'estimation : vérifiez la situation (revenus, foyer, "
                            "logement)."),
}

# What is missing to be more precise, in plain words.
MISSING = {
    "housing_status": _("Le logement : locataire, hébergé, en foyer…"),
    "rent": _("Le montant du loyer"),
    "commune": _("La commune du logement"),
    "couple": _("Qui vit dans le foyer : en couple ou non, les enfants"),
    "incomes": _("Les revenus des 12 derniers mois (salaires, chômage, pensions…)"),
    "salary": _("Le salaire des derniers mois"),
    "unemployment": _("Le montant de l'allocation chômage (ARE)"),
    "disability": _("Le handicap reconnu et son taux (ou aucun)"),
    "student": _("Les études (étudiant ou non)"),
    "received": _("Les aides déjà reçues"),
}

# The same, short, to complete a sentence: « compléter les ressources ».
MISSING_SHORT = {
    "housing_status": _("le logement"),
    "rent": _("le loyer"),
    "commune": _("la commune"),
    "couple": _("le foyer"),
    "incomes": _("les ressources"),
    "salary": _("le salaire"),
    "unemployment": _("l'allocation chômage"),
    "disability": _("le handicap"),
    "student": _("les études"),
    "received": _("les aides reçues"),
}

# « le droit à … » for each right, in the action « Vérifier le droit à la CSS : … ».
TO_RIGHT = {
    "rsa": _("au RSA"),
    "ppa": _("à la prime d'activité"),
    "al": _("à l'aide au logement"),
    "aah": _("à l'AAH"),
    "af": _("aux allocations familiales"),
    "cf": _("au complément familial"),
    "asf": _("à l'ASF"),
    "css": _("à la CSS"),
}


def plain_list(items) -> str:
    """« a, b et c »."""
    items = [str(i) for i in items]
    if len(items) < 2:
        return "".join(items)
    return _("%(first)s et %(last)s") % {"first": ", ".join(items[:-1]), "last": items[-1]}


# What each right's result depends on, among the items `missing` can name. A right whose
# inputs are missing is not "likely": it is "to verify", with what is missing named
# (with unknown resources the engine counts 0 €, and every means-tested aid looks due).
# The items left out change an amount a little, not whether the right is open (e.g. the
# housing for the RSA: the forfait logement), or are asked about elsewhere (benefits
# already received).
DEPENDS: dict[str, tuple[str, ...]] = {
    "rsa": ("couple", "incomes", "salary", "unemployment"),
    "ppa": ("couple", "incomes", "salary", "unemployment"),
    "al": ("housing_status", "rent", "commune", "couple", "incomes", "salary", "unemployment"),
    "aah": ("disability", "couple", "incomes", "salary", "unemployment"),
    "af": ("couple",),
    "cf": ("couple", "incomes", "salary", "unemployment"),
    "asf": ("couple", "incomes"),
    "css": ("couple", "incomes", "salary", "unemployment"),
}


_DEPENDS_SETS = {code: frozenset(items) for code, items in DEPENDS.items()}


def missing_for(code: str, missing) -> list[str]:
    """The missing items the right `code` depends on (in the order of `missing`)."""
    needed = _DEPENDS_SETS.get(code, frozenset())
    return [m for m in missing if m in needed]
