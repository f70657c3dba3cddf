"""Grids shipped with Passeport (pure data, loaded by migration 0002):

- DigComp 2.2, the EU's Digital Competence Framework for Citizens (Vuorikari, Kluzer,
  Punie, JRC, 2022, doi:10.2760/115376, © European Union, reuse under CC BY 4.0): its 5
  areas and 21 competences (French labels written for Passeport), and the short
  self-assessment in plain French: 10 questions, two per area, each probing one
  competence;
- a grid of transversal skills written for Passeport (observable descriptors per level).

ROME 4.0 grids (savoir-faire and savoir-être per fiche métier) are built from the jobs
app's referential on first need (`rome.py`).
"""

from __future__ import annotations

DIGCOMP_CODE = "digcomp-2-2"
TRANSVERSAL_CODE = "transversal"

DIGCOMP_AREAS = {
    "1": "Information et données",
    "2": "Communication et collaboration",
    "3": "Création de contenus numériques",
    "4": "Sécurité",
    "5": "Résolution de problèmes",
}

DIGCOMP_COMPETENCES = [
    ("1.1", "Naviguer, rechercher et filtrer des données, des informations et des contenus numériques"),
    ("1.2", "Évaluer des données, des informations et des contenus numériques"),
    ("1.3", "Gérer des données, des informations et des contenus numériques"),
    ("2.1", "Interagir au moyen des technologies numériques"),
    ("2.2", "Partager au moyen des technologies numériques"),
    ("2.3", "Exercer sa citoyenneté au moyen des technologies numériques"),
    ("2.4", "Collaborer au moyen des technologies numériques"),
    ("2.5", "Respecter les règles de conduite en ligne (nétiquette)"),
    ("2.6", "Gérer son identité numérique"),
    ("3.1", "Créer des contenus numériques"),
    ("3.2", "Intégrer et retravailler des contenus numériques"),
    ("3.3", "Respecter les droits d'auteur et les licences"),
    ("3.4", "Programmer"),
    ("4.1", "Protéger les appareils"),
    ("4.2", "Protéger les données personnelles et la vie privée"),
    ("4.3", "Protéger la santé et le bien-être"),
    ("4.4", "Protéger l'environnement"),
    ("5.1", "Résoudre des problèmes techniques"),
    ("5.2", "Identifier des besoins et des réponses technologiques"),
    ("5.3", "Utiliser le numérique de façon créative"),
    ("5.4", "Repérer ce qu'il reste à apprendre en numérique"),
]

# Self-assessment levels per area, mapped to DigComp 2.2 proficiency levels.
DIGCOMP_LEVELS = {
    0: ("Pas encore", "—", "Vous ne le faites pas encore. Cela s'apprend : on peut vous aider."),
    1: ("Débutant", "DigComp niveaux 1-2 (fondamental)",
        "Vous faites les choses simples, avec de l'aide."),
    2: ("À l'aise", "DigComp niveaux 3-4 (intermédiaire)",
        "Vous faites seul ou seule les choses de tous les jours."),
    3: ("Très à l'aise", "DigComp niveaux 5-6 (avancé)",
        "Vous savez bien faire et vous pouvez aider d'autres personnes."),
}

DIGCOMP_ANSWERS = [
    (0, "Non, pas encore"),
    (1, "Oui, avec de l'aide"),
    (2, "Oui, tout seul ou toute seule"),
    (3, "Oui, et je peux montrer à quelqu'un"),
]

# (competence code, question). Two questions per area.
DIGCOMP_QUESTIONS = [
    ("1.1", "Savez-vous chercher une information sur Internet ? Par exemple, les horaires de la mairie."),
    ("1.2", "Savez-vous voir si une information sur Internet est vraie ou fausse ?"),
    ("2.1", "Savez-vous envoyer un message ou un e-mail ?"),
    ("2.3", "Savez-vous faire une démarche sur Internet ? Par exemple, sur le site de la CAF."),
    ("3.1", "Savez-vous écrire un texte sur un téléphone ou un ordinateur ? Par exemple, un CV."),
    ("3.2", "Savez-vous prendre un papier en photo et l'envoyer ?"),
    ("4.1", "Savez-vous protéger votre téléphone avec un code ?"),
    ("4.2", "Savez-vous reconnaître un faux message qui demande vos codes ?"),
    ("5.1", "Savez-vous régler un petit problème ? Par exemple, quand le Wi-Fi ne marche pas."),
    ("5.2", "Savez-vous installer une application sur votre téléphone ?"),
]

# Answers of the person's self-assessment on a grid of levels 1-4 (first person, plain words).
SELF_ANSWERS = [
    (1, "Je découvre"),
    (2, "Je le fais avec de l'aide"),
    (3, "Je le fais seul ou seule"),
    (4, "Je le fais bien et je peux montrer aux autres"),
]

TRANSVERSAL_ITEMS = [
    ("T1", "Être à l'heure et prévenir en cas d'absence", [
        "Arrive souvent en retard, ne prévient pas toujours.",
        "Arrive à l'heure quand on le lui rappelle ; prévient parfois.",
        "Arrive à l'heure et prévient de lui-même en cas d'absence.",
        "Toujours ponctuel, s'organise pour ne jamais faire attendre l'équipe."]),
    ("T2", "Comprendre et suivre une consigne", [
        "A besoin qu'on lui montre chaque étape.",
        "Suit une consigne simple avec un rappel.",
        "Suit seul une consigne de plusieurs étapes.",
        "Reformule la consigne et l'explique à un collègue."]),
    ("T3", "Travailler en équipe", [
        "Travaille surtout seul, échange peu.",
        "Aide un collègue quand on le lui demande.",
        "Partage le travail et demande de l'aide quand il faut.",
        "Propose son aide, facilite le travail de l'équipe."]),
    ("T4", "S'organiser dans son travail", [
        "Commence sans préparer, oublie des tâches.",
        "Prépare son poste avec une liste donnée.",
        "Prépare son travail et finit dans les temps.",
        "Organise aussi le travail d'autres personnes."]),
    ("T5", "Communiquer avec les collègues et le public", [
        "Parle peu, a du mal à demander.",
        "Pose une question quand il ne comprend pas.",
        "Explique clairement, reste poli même sous tension.",
        "Adapte sa façon de parler à chaque personne."]),
    ("T6", "Respecter les règles de sécurité", [
        "Oublie les équipements de protection.",
        "Porte les protections quand on le lui rappelle.",
        "Applique seul les règles de sécurité du poste.",
        "Signale les risques et rappelle les règles aux autres."]),
]


def load_shipped_grids(Grid, GridItem) -> None:  # noqa: N803 - model classes (migration or app)
    """Create or update the shipped grids (idempotent). Used by migration 0002, and by
    tests whose database was flushed."""
    digcomp, _ = Grid.objects.update_or_create(code=DIGCOMP_CODE, defaults={
        "kind": "digital", "name": "Compétences numériques (DigComp 2.2)",
        "description": "Cadre européen des compétences numériques des citoyens, 5 domaines et 21 compétences.",
        "self_assessable": True})
    for position, (code, label) in enumerate(DIGCOMP_COMPETENCES):
        GridItem.objects.update_or_create(grid=digcomp, code=code, defaults={
            "group": code.split(".")[0], "label": label, "position": position,
            "descriptors": {str(k): v[2] for k, v in DIGCOMP_LEVELS.items()}})
    transversal, _ = Grid.objects.update_or_create(code=TRANSVERSAL_CODE, defaults={
        "kind": "transversal", "name": "Compétences transversales",
        "description": "Savoir-être observés en situation de travail, utiles dans tous les métiers.",
        "self_assessable": True})
    for position, (code, label, descriptors) in enumerate(TRANSVERSAL_ITEMS):
        GridItem.objects.update_or_create(grid=transversal, code=code, defaults={
            "label": label, "position": position,
            "descriptors": {str(i + 1): d for i, d in enumerate(descriptors)}})
