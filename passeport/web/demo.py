"""A fictional but realistic demo territory: the Pays de Brest and Cornouaille.

Six organisations of the field, their professionals, and a few hundred persons with
varied paths. Everything is built through the domain services (so consents, timeline
and audit are consistent); only the volume of timeline history (notes, contacts,
appointments) is inserted in bulk. Random choices come from a seeded generator and
Faker (fr_FR) with the same seed: no real personal data, the same demo every time
(dates are relative to the day it is loaded).
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from faker import Faker
from stdnum import luhn

from passeport.core.actor import Actor
from passeport.core.enums import OrganisationKind, Role
from passeport.core.errors import PasseportError
from passeport.core.models import Membership, Organisation, User
from passeport.core.services import member_add, organisation_create
from passeport.core.text import normalize
from passeport.directory.models import Service
from passeport.directory.services import (
    orientation_accept,
    orientation_create,
    orientation_refuse,
    orientation_request_info,
    service_save,
    structure_save,
)
from passeport.paths.enums import (
    ActionStatus,
    AppointmentOutcome,
    Benefit,
    ContractKind,
    EducationLevel,
    EmploymentStatus,
    EventKind,
    ExitReason,
    HousingStatus,
    ObjectiveStatus,
    PathStatus,
)
from passeport.paths.models import Action, Objective, Path, TimelineEvent
from passeport.paths.services import (
    action_add,
    action_set_status,
    appointment_set_outcome,
    diagnostic_assess,
    event_add,
    objective_add,
    objective_set_status,
    path_open,
    path_set_referent,
    path_set_status,
    person_message,
    work_hours_add,
)
from passeport.people.enums import ConsentMethod, ConsentScope, Gender
from passeport.people.models import AccessRequest, Consent, Person
from passeport.people.services import (
    access_request_create,
    consent_grant,
    consent_withdraw,
    invitation_accept,
    invitation_create,
    person_create,
)
from passeport.reporting.services import operation_create, participation_enrol
from passeport.rupture.services import alerts_refresh
from passeport.vault.sealing import seal_stream
from passeport.vault.selectors import safe_of_person
from passeport.vault.services import document_deposit, share_create

DEMO_DOMAIN = "demo.passeport.example"  # a reserved domain: no mail can reach anyone
SEED = 29


def demo_siret(n: int) -> str:
    """A fictional SIRET with valid check digits (Luhn-checked SIREN and SIRET)."""
    siren = f"99929{n:03d}"
    siren += luhn.calc_check_digit(siren)
    base = siren + "0001"
    return base + luhn.calc_check_digit(base)


# (INSEE code, name, postal code, weight among the persons of the territory)
COMMUNES = [
    ("29019", "Brest", "29200", 30),
    ("29232", "Quimper", "29000", 16),
    ("29151", "Morlaix", "29600", 7),
    ("29103", "Landerneau", "29800", 6),
    ("29039", "Concarneau", "29900", 6),
    ("29046", "Douarnenez", "29100", 5),
    ("29233", "Quimperlé", "29300", 4),
    ("29026", "Châteaulin", "29150", 3),
    ("29024", "Carhaix-Plouguer", "29270", 3),
    ("29042", "Crozon", "29160", 3),
    ("29075", "Guipavas", "29490", 4),
    ("29189", "Plougastel-Daoulas", "29470", 3),
    ("29212", "Plouzané", "29280", 3),
    ("29235", "Le Relecq-Kerhuon", "29480", 3),
    ("29105", "Landivisiau", "29400", 2),
    ("29220", "Pont-l'Abbé", "29120", 2),
]
BRETON_LAST_NAMES = [
    "Le Gall", "Le Goff", "Le Bihan", "Kerouac", "Le Roux", "Guivarc'h", "Le Floch", "Quéré",
    "Tanguy", "Le Berre", "Cloarec", "Kerbrat", "Le Meur", "Jaouen", "Morvan", "Le Bris",
    "Abiven", "Guéguen", "Le Corre", "Le Lann", "Riou", "Salaün", "Le Page", "Caradec",
]


@dataclass(frozen=True)
class OrgSpec:
    key: str
    name: str
    kind: str
    commune: int  # index in COMMUNES
    email: str
    referents: int
    weight: int  # share of the persons whose path this organisation leads
    ages: tuple[int, int]


ORGS = [
    OrgSpec("ml", "Mission locale du Pays de Brest", OrganisationKind.MISSION_LOCALE, 0,
            "contact@ml-brest", 3, 24, (16, 25)),
    OrgSpec("ft", "France Travail Quimper Ergué", OrganisationKind.FRANCE_TRAVAIL, 1,
            "agence.quimper@ft", 2, 16, (22, 62)),
    OrgSpec("cd", "Conseil départemental du Finistère — Insertion", OrganisationKind.CONSEIL_DEPARTEMENTAL,
            1, "insertion@cd29", 3, 26, (25, 63)),
    OrgSpec("ccas", "CCAS de Morlaix", OrganisationKind.CCAS, 2, "accueil@ccas-morlaix", 1, 10,
            (20, 65)),
    OrgSpec("aci", "Atelier chantier d'insertion Mor Glaz", OrganisationKind.ACI, 4,
            "contact@morglaz", 1, 12, (20, 60)),
    OrgSpec("plie", "PLIE de Cornouaille", OrganisationKind.PLIE, 1, "plie@cornouaille", 2, 12,
            (26, 60)),
]
# Which organisation often follows a path alongside the one leading it.
PARTNERS = {"ml": ["ft", "aci"], "ft": ["plie", "aci"], "cd": ["aci", "ccas", "plie"],
            "ccas": ["cd"], "aci": ["cd", "plie"], "plie": ["aci", "ft"]}
# The services each organisation publishes in the directory (data·inclusion vocabulary).
OFFER = {
    "ml": [("Permanence logement des jeunes", "information",
            "Conseils pour trouver et louer un premier logement, aide aux dossiers.",
            ["logement-hebergement--louer-un-logement",
             "logement-hebergement--sinformer-sur-les-demarches-liees-a-lacces-au-logement"],
            ["jeunes"]),
           ("Aide au permis de conduire des jeunes", "aide-financiere",
            "Financement d'une partie du permis B et suivi avec une auto-école sociale.",
            ["mobilite--preparer-un-permis", "mobilite--financer-ma-mobilite"], ["jeunes"])],
    "ft": [("Atelier numérique : mon espace candidat", "atelier",
            "Créer son espace, déposer son CV, répondre aux offres en ligne.",
            ["numerique--maitriser-les-fondamentaux-du-numerique",
             "trouver-un-emploi--repondre-a-des-offres-demploi"], ["demandeurs-emploi"])],
    "cd": [("Fonds de solidarité logement", "aide-financiere",
            "Aide pour payer une caution, un premier loyer ou des impayés de loyer.",
            ["logement-hebergement--reduire-les-impayes-de-loyer",
             "logement-hebergement--se-maintenir-dans-le-logement"],
            ["beneficiaires-des-minimas-sociaux", "familles"])],
    "ccas": [("Point conseil budget", "accompagnement",
              "Faire le point sur son budget, prévenir et traiter le surendettement.",
              ["difficultes-financieres--ameliorer-sa-gestion-budgetaire",
               "difficultes-financieres--situation-dendettement-surendettement"],
              ["tous-publics"]),
             ("Accompagnement aux démarches en ligne", "accompagnement",
              "Une conseillère numérique vous aide pour la CAF, l'Assurance maladie, les impôts.",
              ["numerique--acceder-a-des-services-en-ligne"], ["tous-publics"])],
    "aci": [("Location de scooters à 1 € par jour", "aide-materielle",
             "Un scooter pour aller au travail ou en formation, le temps de trouver une solution.",
             ["mobilite--acceder-a-un-vehicule"], ["demandeurs-emploi", "jeunes"]),
            ("Garage solidaire : réparer son véhicule", "aide-materielle",
             "Réparations à prix coûtant pour les personnes accompagnées.",
             ["mobilite--entretenir-reparer-son-vehicule"], ["beneficiaires-des-minimas-sociaux"])],
    "plie": [("Garde d'enfants pour reprendre un emploi", "aide-materielle",
              "Places de crèche et assistantes maternelles pour les parents qui reprennent.",
              ["famille--garde-denfants"], ["familles"]),
             ("Ateliers de recherche d'emploi", "atelier",
              "Préparer ses candidatures et ses entretiens en petit groupe.",
              ["trouver-un-emploi--repondre-a-des-offres-demploi",
               "trouver-un-emploi--convaincre-un-recruteur-en-entretien"],
              ["demandeurs-emploi"])],
}
JOB_TITLES = {Role.REFERENT: "Conseiller·ère en insertion", Role.MANAGER: "Responsable de secteur",
              Role.ADMIN: "Administrateur·rice Passeport"}

OBJECTIVES = {
    "mobilite": ("Passer le permis B", "Se déplacer seul·e jusqu'au travail"),
    "logement-hebergement": ("Trouver un logement stable", "Accéder à un logement social"),
    "sante": ("Prendre soin de sa santé", "Faire un bilan de santé"),
    "famille": ("Trouver un mode de garde", "Concilier vie de famille et emploi"),
    "numerique": ("Être à l'aise avec l'ordinateur", "Faire ses démarches en ligne"),
    "lecture-ecriture-calcul": ("Lire et écrire plus facilement",),
    "difficultes-financieres": ("Retrouver un budget équilibré", "Ouvrir ses droits"),
    "difficultes-administratives-ou-juridiques": ("Mettre ses papiers à jour",),
    "remobilisation": ("Reprendre confiance en soi", "Reprendre un rythme"),
    "se-former": ("Entrer en formation qualifiante",),
    "choisir-un-metier": ("Construire son projet professionnel",),
    "preparer-sa-candidature": ("Préparer ses candidatures",),
    "trouver-un-emploi": ("Retrouver un emploi durable", "Accéder à un CDI"),
}
ACTIONS = {
    "mobilite": ("S'inscrire à l'auto-école sociale", "Demander l'aide au permis",
                 "Essayer le vélo électrique en location solidaire"),
    "logement-hebergement": ("Déposer une demande de logement social", "Rencontrer le SIAO",
                             "Demander l'aide au logement à la CAF"),
    "sante": ("Prendre rendez-vous chez le médecin traitant", "Demander la complémentaire santé solidaire",
              "Rencontrer l'infirmière du PASS"),
    "famille": ("Inscrire l'enfant à la crèche", "Contacter le relais petite enfance"),
    "numerique": ("Atelier numérique à la médiathèque", "Créer son adresse e-mail",
                  "Créer son compte France Travail"),
    "lecture-ecriture-calcul": ("Atelier savoirs de base", "Cours de français langue étrangère"),
    "difficultes-financieres": ("Rendez-vous avec la conseillère en économie sociale",
                                "Faire le point sur les dettes", "Simuler ses droits"),
    "difficultes-administratives-ou-juridiques": ("Renouveler la carte d'identité",
                                                  "Rendez-vous au point justice"),
    "remobilisation": ("Atelier confiance en soi", "Participer au chantier nature"),
    "se-former": ("S'inscrire à la formation CACES", "Rencontrer l'organisme de formation"),
    "choisir-un-metier": ("Faire une immersion (PMSMP)", "Visiter une entreprise"),
    "preparer-sa-candidature": ("Refaire son CV", "Préparer un entretien d'embauche"),
    "trouver-un-emploi": ("Postuler à trois offres", "Rencontrer un employeur au forum emploi"),
}
NOTES = [
    ("note", "Point d'étape", "Bonne dynamique, la personne est motivée."),
    ("note", "Échange avec le partenaire", "Le partenaire confirme l'inscription."),
    ("note", "Situation familiale", "Changement de situation à prendre en compte."),
    ("contact", "Appel téléphonique", "La personne a rappelé pour confirmer le rendez-vous."),
    ("contact", "SMS de rappel", "Rappel du rendez-vous envoyé."),
    ("contact", "Courriel au partenaire", "Transmission du CV avec l'accord de la personne."),
]
APPOINTMENTS = ["Entretien de suivi", "Rendez-vous diagnostic", "Entretien bilan",
                "Atelier collectif", "Rendez-vous avec le partenaire"]
LADDER = [4, 8, 12, 16, 20, 26]


@dataclass
class DemoLogin:
    role: str
    email: str
    name: str
    organisation: str = ""


@dataclass
class DemoResult:
    organisations: int = 0
    professionals: int = 0
    persons: int = 0
    logins: list[DemoLogin] = field(default_factory=list)


def demo_pdf(text: str) -> bytes:
    """A one-page PDF showing `text` (a fictional paper of the demo; Latin-1 text)."""
    safe = text.encode("latin-1", "replace").replace(b"\\", b"").replace(b"(", b"").replace(b")", b"")
    stream = b"BT /F1 18 Tf 60 760 Td (" + safe + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def demo_loaded() -> bool:
    """The demo's marker: the first demo organisation's SIRET."""
    return Organisation.objects.filter(siret=demo_siret(0)).exists()


def demo_logins() -> list[DemoLogin]:
    """The accounts to print: a référent, a manager, an administrator, a person."""
    logins = []
    org = Organisation.objects.filter(siret=demo_siret(0)).first()
    if org is None:
        return logins
    for role in (Role.REFERENT, Role.MANAGER, Role.ADMIN):
        m = (Membership.objects.filter(organisation=org, role=role).select_related("user")
             .order_by("pk").first())
        if m is not None:
            logins.append(DemoLogin(role.label, m.user.email, m.user.get_full_name(), org.name))
    person = (Person.objects.filter(user__isnull=False, created_by_organisation=org)
              .select_related("user").order_by("pk").first())
    if person is not None:
        logins.append(DemoLogin("Personne accompagnée", person.user.email, person.full_name))
    return logins


def _at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


class _Builder:
    def __init__(self, *, seed: int, password: str):
        self.rng = random.Random(seed)
        self.fake = Faker("fr_FR")
        self.fake.seed_instance(seed)
        self.password = password
        self.today = timezone.localdate()
        self.orgs: dict[str, Organisation] = {}
        self.members: dict[str, dict[str, list[Membership]]] = {}
        self.bulk_events: list[TimelineEvent] = []
        self.email_seq = 0
        self.clocks: dict[int, list[datetime | None]] = {}
        self.bulk_actions: list[Action] = []
        self.backdated_actions: list[Action] = []
        self.backdated_objectives: list[Objective] = []
        self.opened: dict[int, tuple[date, int, int]] = {}

    # -- organisations and professionals -------------------------------------------------
    def organisations(self) -> None:
        system = Actor.system()
        for i, spec in enumerate(ORGS):
            insee, name, _cp, _w = COMMUNES[spec.commune]
            org = organisation_create(
                actor=system, name=spec.name, kind=spec.kind, siret=demo_siret(i),
                commune_insee=insee, commune_name=name, email=f"{spec.email}.{DEMO_DOMAIN}",
            )
            self.orgs[spec.key] = org
            roles = [Role.REFERENT] * spec.referents + [Role.MANAGER, Role.ADMIN]
            self.members[spec.key] = {Role.REFERENT: [], Role.MANAGER: [], Role.ADMIN: []}
            for role in roles:  # passwords are set at the end, hashed once
                first, last = self.fake.first_name(), self.rng.choice(
                    BRETON_LAST_NAMES + [self.fake.last_name()])
                m = member_add(
                    actor=system, organisation=org, email=self._email(first, last, spec.key),
                    first_name=first, last_name=last, role=role, job_title=JOB_TITLES[role],
                )
                self.members[spec.key][role].append(m)

    def _email(self, first: str, last: str, key: str) -> str:
        self.email_seq += 1
        local = normalize(f"{first} {last}").replace(" ", ".")
        return f"{local}.{self.email_seq}@{key}.{DEMO_DOMAIN}"

    # -- persons ---------------------------------------------------------------------------
    def person_plan(self, n: int) -> list[dict]:
        """Who leads each path, and the special stories the demo must show whatever its size."""
        keys = [s.key for s in ORGS]
        weights = [s.weight for s in ORGS]
        plans = [{"lead": self.rng.choices(keys, weights)[0], "story": "plain"} for _ in range(n)]
        # Fixed stories first, so that a small demo shows them too.
        specials = [("ml", "personal_space"), ("ml", "invited"), ("aci", "ladder"),
                    ("aci", "ladder"), ("cd", "two_orgs_withdrawn"), ("cd", "two_orgs"),
                    ("ml", "closed"), ("ft", "overdue"), ("plie", "two_orgs"), ("ccas", "paused")]
        for i, (lead, story) in enumerate(specials[:n]):
            plans[i] = {"lead": lead, "story": story}
        for plan in plans[len(specials):]:
            r = self.rng.random()
            if plan["lead"] == "aci" and r < 0.35:
                plan["story"] = "ladder"
            elif r < 0.16:
                plan["story"] = "closed"
            elif r < 0.24:
                plan["story"] = "paused"
            elif r < 0.40:
                plan["story"] = "two_orgs"
            elif r < 0.43:
                plan["story"] = "two_orgs_withdrawn"
        return plans

    def person(self, i: int, plan: dict) -> Person:
        spec = next(s for s in ORGS if s.key == plan["lead"])
        referents = self.members[spec.key][Role.REFERENT]
        referent = referents[0] if plan["story"] in ("personal_space", "invited") else (
            self.rng.choice(referents))
        actor = Actor(user=referent.user, membership=referent)
        gender = self.rng.choice([Gender.WOMAN, Gender.MAN, Gender.WOMAN, Gender.MAN, Gender.UNKNOWN])
        first = (self.fake.first_name_female() if gender == Gender.WOMAN else
                 self.fake.first_name_male() if gender == Gender.MAN else self.fake.first_name())
        last = (self.rng.choice(BRETON_LAST_NAMES) if self.rng.random() < 0.35
                else self.fake.last_name())
        age = self.rng.randint(*spec.ages)
        birth = self.today - timedelta(days=age * 365 + self.rng.randint(0, 364))
        insee, commune, cp, _w = self.rng.choices(COMMUNES, [c[3] for c in COMMUNES])[0]
        data = {
            "first_name": first, "last_name": last, "birth_date": birth, "gender": gender,
            "birth_place": self.rng.choice([c[1] for c in COMMUNES] + [self.fake.city()]),
            "address": self.fake.street_address(), "postal_code": cp, "commune_insee": insee,
            "commune_name": commune,
            # ARCEP reserves 06 39 98 xx xx for fiction: these numbers reach nobody.
            "phone": f"06 39 98 {i // 100 % 100:02d} {i % 100:02d}" if self.rng.random() < 0.8 else "",
            "email": self._email(first, last, "personnes") if self.rng.random() < 0.6 else "",
        }
        if self.rng.random() < 0.15 and gender == Gender.WOMAN:
            data["birth_name"] = self.fake.last_name()
        method = ConsentMethod.LEGAL if spec.key == "cd" else self.rng.choice(
            [ConsentMethod.WRITTEN, ConsentMethod.ORAL])
        scopes = [ConsentScope.PATH, ConsentScope.RIGHTS]
        if self.rng.random() < 0.5:
            scopes.append(ConsentScope.DOCUMENTS)
        person = person_create(actor=actor, data=data, scopes=scopes, consent_method=method,
                               ignore_duplicates=True)
        self.path_story(person, spec, referent, plan["story"])
        return person

    def _situation(self, spec: OrgSpec, age: int) -> dict:
        rng = self.rng
        benefits = {
            "ml": [Benefit.CEJ] if rng.random() < 0.6 else [],
            "cd": [Benefit.RSA] + ([Benefit.AL] if rng.random() < 0.6 else []),
            "ft": [rng.choice([Benefit.ARE, Benefit.ASS])],
            "ccas": [rng.choice([Benefit.RSA, Benefit.AAH])] + ([Benefit.CSS] if rng.random() < .5 else []),
            "aci": [Benefit.RSA] if rng.random() < 0.7 else [],
            "plie": [rng.choice([Benefit.RSA, Benefit.ASS, Benefit.ARE])],
        }[spec.key]
        if rng.random() < 0.25:
            benefits.append(Benefit.PPA if rng.random() < 0.5 else Benefit.AF)
        return {
            "employment_status": rng.choices(
                [EmploymentStatus.UNEMPLOYED, EmploymentStatus.INACTIVE, EmploymentStatus.EMPLOYED,
                 EmploymentStatus.EDUCATION], [60, 25, 8, 7 if age < 26 else 1])[0],
            "unemployed_since": self.today - timedelta(days=rng.randint(60, 2000)),
            "education_level": rng.choices(
                [EducationLevel.ISCED_0_2, EducationLevel.ISCED_3_4, EducationLevel.ISCED_5_8, ""],
                [40, 40, 10, 10])[0],
            "housing_status": rng.choices(
                [HousingStatus.TENANT, HousingStatus.SOCIAL_TENANT, HousingStatus.HOSTED,
                 HousingStatus.SHELTER, HousingStatus.HOMELESS, HousingStatus.OWNER],
                [25, 30, 25, 10, 4, 6])[0],
            "benefits": benefits,
        }

    def path_story(self, person: Person, spec: OrgSpec, referent: Membership, story: str) -> None:
        rng = self.rng
        actor = Actor(user=referent.user, membership=referent)
        days_ago = {"ladder": rng.randint(120, 330), "closed": rng.randint(300, 700),
                    "personal_space": 150}.get(story, rng.randint(20, 540))
        opened = self.today - timedelta(days=days_ago)
        end = self.today
        if story == "closed":
            end = opened + timedelta(days=rng.randint(150, days_ago))
        span = (end - opened).days
        clock: list[datetime | None] = []  # intended date of each service-made event, in order
        dates: dict[Objective | Action, tuple[datetime, datetime | None]] = {}

        def tick(day: date) -> date:
            return min(max(day, opened), end)

        path = path_open(actor=actor, person=person, referent=referent, opened_on=opened,
                         situation=self._situation(spec, person.age))
        clock.append(_at(opened, 9, 30))

        # A partner organisation following the path, with the person's consent.
        partner_member, partner_consents = None, []
        if story in ("two_orgs", "two_orgs_withdrawn"):
            partner_key = rng.choice(PARTNERS[spec.key])
            partner = self.orgs[partner_key]
            partner_consents = consent_grant(
                actor=actor, person=person, organisation=partner,
                scopes=[ConsentScope.PATH, ConsentScope.JOBS], method=ConsentMethod.WRITTEN,
                purpose=f"Suivi conjoint avec {partner.name}",
                valid_from=tick(opened + timedelta(days=rng.randint(5, 30))),
            )
            partner_member = rng.choice(self.members[partner_key][Role.REFERENT])

        # Diagnostic: a first assessment, then re-assessments as time goes by.
        themes = rng.sample(list(OBJECTIVES), k=rng.randint(2, 5))
        if story == "ladder":
            themes = list(dict.fromkeys(["remobilisation", *themes]))
        severity = {t: rng.choice([1, 2, 2, 3, 3]) for t in themes}
        diagnostic_assess(actor=actor, path=path, assessments=dict(severity),
                          comments={themes[0]: "Frein exprimé par la personne en premier."},
                          assessed_on=opened)
        clock.append(None)  # diagnostic events carry their own date
        day = opened + timedelta(days=rng.randint(70, 110))
        while day < end - timedelta(days=10):
            moving = [t for t, s in severity.items() if s > 0]
            changed = {t: max(0, severity[t] - rng.choice([1, 1, 2]))
                       for t in rng.sample(moving, k=min(len(moving), rng.randint(1, 2)))}
            if changed:
                severity.update(changed)
                diagnostic_assess(actor=actor, path=path, assessments=changed, assessed_on=day)
                clock.append(None)
            day += timedelta(days=rng.randint(80, 140))

        # Objectives and actions, some done, some late.
        objectives: list[Objective] = []
        for theme in themes[: rng.randint(1, 2)]:
            objective = objective_add(actor=actor, path=path, title=rng.choice(OBJECTIVES[theme]))
            when = _at(tick(opened + timedelta(days=rng.randint(0, 10))), 10)
            clock.append(when)
            dates[objective] = (when, None)
            objectives.append(objective)
        planned = [(theme, title) for theme in themes
                   for title in rng.sample(ACTIONS[theme], k=min(len(ACTIONS[theme]),
                                                                 rng.randint(1, 2)))]
        rng.shuffle(planned)
        for k, (theme, title) in enumerate(planned[: rng.randint(2, 4)]):
            created = tick(opened + timedelta(days=rng.randint(0, max(1, span - 5))))
            due = created + timedelta(days=rng.randint(7, 60))
            late_on_purpose = story == "overdue" and k == 0
            if late_on_purpose:
                created, due = tick(self.today - timedelta(days=40)), self.today - timedelta(days=12)
            objective = next((o for o in objectives if rng.random() < 0.6), None)
            assignee = partner_member if partner_member and k == 1 else None
            for_person = rng.random() < 0.4
            finished = None  # an action already over is history: written in bulk below
            if due < end and not late_on_purpose and (story == "closed" or rng.random() < 0.85):
                status = ActionStatus.DONE if rng.random() < 0.85 else ActionStatus.CANCELLED
                finished = (status, tick(due - timedelta(days=rng.randint(0, 5))),
                            "Fait." if status == ActionStatus.DONE else "Plus utile.")
            elif story == "closed":
                finished = (ActionStatus.CANCELLED, end, "")
            if finished:
                self._past_action(path, referent, title, theme, due, objective, assignee,
                                  for_person, created, *finished)
                continue
            action = action_add(actor=actor, path=path, title=title, theme=theme, due_on=due,
                                objective=objective, assignee=assignee, for_person=for_person)
            clock.append(_at(created, 11))
            if rng.random() < 0.3:
                action_set_status(actor=actor, action=action, status=ActionStatus.IN_PROGRESS)
                clock.append(_at(tick(created + timedelta(days=2)), 15))
            dates[action] = (_at(created, 11), None)
        if objectives and span > 200 and rng.random() < 0.5:
            objective_set_status(actor=actor, objective=objectives[0], status=ObjectiveStatus.ACHIEVED)
            clock.append(_at(tick(end - timedelta(days=rng.randint(5, 60))), 16))

        # Appointments through the service (with outcomes), the rest of the history in bulk.
        for _ in range(1):
            day = tick(opened + timedelta(days=rng.randint(3, max(3, span))))
            event = event_add(actor=actor, path=path, kind=EventKind.APPOINTMENT,
                              title=rng.choice(APPOINTMENTS), occurred_at=_at(day, rng.randint(9, 16)))
            clock.append(None)
            outcome = rng.choices([AppointmentOutcome.HELD, AppointmentOutcome.MISSED,
                                   AppointmentOutcome.EXCUSED, AppointmentOutcome.CANCELLED],
                                  [70, 15, 10, 5])[0]
            appointment_set_outcome(actor=actor, event=event, outcome=outcome)
        if story != "closed":
            upcoming = self.today + timedelta(days=rng.randint(2, 20))
            event_add(actor=actor, path=path, kind=EventKind.APPOINTMENT, title="Entretien de suivi",
                      occurred_at=_at(upcoming, rng.randint(9, 16)))
            clock.append(None)
        for _ in range(rng.randint(2, 9)):
            kind, title, body = rng.choice(NOTES)
            day = tick(opened + timedelta(days=rng.randint(1, max(1, span))))
            author = partner_member if partner_member and rng.random() < 0.3 else referent
            self.bulk_events.append(TimelineEvent(
                path=path, kind=kind, title=title, body=body, author=author.user,
                organisation_id=author.organisation_id, occurred_at=_at(day, rng.randint(8, 17)),
                created_at=_at(day, 18)))
        for _ in range(rng.randint(1, 4)):
            day = tick(opened + timedelta(days=rng.randint(1, max(1, span))))
            self.bulk_events.append(TimelineEvent(
                path=path, kind=EventKind.APPOINTMENT, title=rng.choice(APPOINTMENTS),
                author=referent.user, organisation_id=referent.organisation_id,
                occurred_at=_at(day, rng.randint(9, 16)), created_at=_at(day, 8),
                appointment_outcome=rng.choices(
                    [AppointmentOutcome.HELD, AppointmentOutcome.MISSED, AppointmentOutcome.EXCUSED],
                    [75, 15, 10])[0]))

        # Premières heures: 4 h, 8 h, 12 h … up to a 26 h CDDI.
        if story == "ladder":
            day = opened + timedelta(days=rng.randint(7, 20))
            for hours in LADDER:
                if day > self.today:
                    break
                work_hours_add(actor=actor, path=path, hours_per_week=hours, starts_on=day,
                               contract=ContractKind.CDDI if hours == 26 else ContractKind.PREMIERES_HEURES,
                               employer_name=spec.name if spec.key == "aci" else "",
                               note="Contrat signé" if hours == 26 else "")
                clock.append(_at(day, 8, 30))
                day += timedelta(days=rng.randint(35, 56))

        # A change of référent now and then.
        others = [m for m in self.members[spec.key][Role.REFERENT] if m.pk != referent.pk]
        if others and story == "plain" and rng.random() < 0.08:
            path_set_referent(actor=actor, path=path, referent=rng.choice(others))
            clock.append(_at(tick(self.today - timedelta(days=rng.randint(1, 30))), 14))

        if story == "closed":
            path_set_status(actor=actor, path=path, status=PathStatus.CLOSED,
                            exit_reason=rng.choice(list(ExitReason.values)), closed_on=end)
            clock.append(_at(end, 17))
        elif story == "paused":
            path_set_status(actor=actor, path=path, status=PathStatus.PAUSED)
            clock.append(_at(tick(self.today - timedelta(days=rng.randint(1, 40))), 17))

        if story == "two_orgs_withdrawn":
            # The person stopped sharing with the partner: recorded by the partner's member.
            partner_actor = Actor(user=partner_member.user, membership=partner_member)
            for consent in partner_consents:
                consent_withdraw(actor=partner_actor, consent=consent)

        if story in ("personal_space", "invited"):
            local = normalize(person.first_name).replace(" ", "-") or "personne"
            sent = invitation_create(actor=actor, person=person,
                                     email=f"{local}.{person.pk}@{DEMO_DOMAIN}",
                                     base_url="http://127.0.0.1:8000")
            if story == "personal_space":
                invitation_accept(raw_token=sent.url_token, password=self.password)
                person.refresh_from_db()
                me = Actor(user=person.user)
                objective_add(actor=me, path=path, title="Travailler dans les espaces verts")
                clock.append(_at(self.today - timedelta(days=6), 19))
                person_message(actor=me, path=path,
                               body="Bonjour, je ne pourrai pas venir jeudi, mon bus ne passe pas. "
                                    "Est-ce qu'on peut changer l'heure ?")
                clock.append(_at(self.today - timedelta(days=2), 20))
        self._backdate(person, path, spec, opened, clock, dates)

    def _past_action(self, path, referent, title, theme, due, objective, assignee, for_person,
                     created, status, day, outcome) -> None:
        """An action done or cancelled in the past, with its two timeline events."""
        org_id = assignee.organisation_id if assignee else referent.organisation_id
        self.bulk_actions.append(Action(
            path=path, title=title, theme=theme, due_on=due, objective=objective,
            assignee=assignee, organisation_id=org_id, for_person=for_person, status=status,
            outcome=outcome, created_by=referent.user, created_at=_at(created, 11),
            done_at=_at(day, 15) if status == ActionStatus.DONE else None))
        for when, text, body in (
                (_at(created, 11), f"Nouvelle action : {title}", ""),
                (_at(day, 15), f"Action « {title} » : {ActionStatus(status).label}", outcome)):
            self.bulk_events.append(TimelineEvent(
                path=path, kind=EventKind.ACTION, title=text[:200], body=body,
                author=referent.user, organisation_id=referent.organisation_id,
                occurred_at=when, created_at=when))

    def _backdate(self, person: Person, path: Path, spec: OrgSpec, opened: date,
                  clock: list[datetime | None], dates: dict) -> None:
        """Remember the date each thing made today by the services happened in the story;
        `flush` writes them in a few bulk updates."""
        self.clocks[path.pk] = clock
        for obj, (created, done) in dates.items():
            obj.created_at = created
            if isinstance(obj, Action):
                obj.done_at = done
                self.backdated_actions.append(obj)
            else:
                self.backdated_objectives.append(obj)
        self.opened[person.pk] = (opened, self.orgs[spec.key].pk, path.pk)

    # -- directory and orientations -------------------------------------------------------
    def directory(self) -> None:
        """Each organisation publishes its services; some persons with a mobility frein
        are oriented to the ACI's scooters, with answers of every kind."""
        for spec in ORGS:
            manager = self.members[spec.key][Role.MANAGER][0]
            actor = Actor(user=manager.user, membership=manager)
            insee, name, postal_code, _w = COMMUNES[spec.commune]
            structure = structure_save(actor=actor, data={
                "nom": spec.name, "commune": name, "code_postal": postal_code,
                "code_insee": insee, "courriel": f"{spec.email}.{DEMO_DOMAIN}"})
            for title, kind, description, themes, publics in OFFER.get(spec.key, []):
                service_save(actor=actor, structure=structure, data={
                    "nom": title, "type": kind, "description": description,
                    "thematiques": themes, "publics": publics, "frais": "gratuit",
                    "modes_accueil": ["en-presentiel"],
                    "modes_mobilisation": ["envoyer-un-courriel", "telephoner"],
                    "mobilisable_par": ["professionnels"]})
        scooters = Service.objects.get(nom="Location de scooters à 1 € par jour")
        aci = self.members["aci"][Role.MANAGER][0]
        partner = Actor(user=aci.user, membership=aci)
        # Persons with a mobility frein first, then others followed elsewhere than the ACI.
        open_paths = (Path.objects.open().exclude(organisation=self.orgs["aci"])
                      .filter(referent__isnull=False).select_related("person", "referent__user"))
        mobility = list(open_paths.filter(diagnostic__theme="mobilite", diagnostic__is_current=True,
                                          diagnostic__severity__gte=2).distinct().order_by("pk")[:6])
        others = open_paths.exclude(pk__in=[p.pk for p in mobility]).order_by("pk")
        paths = mobility + list(others[:max(0, 6 - len(mobility))])
        answers = ["accept", "accept", "refuse", "info", "wait", "wait"]
        for path, answer in zip(paths, answers, strict=False):
            referent = Actor(user=path.referent.user, membership=path.referent)
            orientation = orientation_create(
                actor=referent, person=path.person, service=scooters,
                scopes=[ConsentScope.PATH], consent_method=ConsentMethod.ORAL,
                person_agreed=True,
                message=f"{path.person.first_name} n'a pas de moyen de transport pour aller "
                        "en formation ; le permis est prévu dans quelques mois.")
            if answer == "accept":
                orientation_accept(actor=partner, orientation=orientation,
                                   comment="Rendez-vous lundi à 9 h pour la remise du scooter.")
            elif answer == "refuse":
                orientation_refuse(actor=partner, orientation=orientation,
                                   reason="no_capacity",
                                   comment="Plus de scooter disponible avant le mois prochain.")
            elif answer == "info":
                orientation_request_info(actor=partner, orientation=orientation,
                                         message="A-t-il ou a-t-elle le BSR ou le permis AM ?")

    # -- the demo person's papers in the digital safe -------------------------------------
    def papers(self) -> None:
        """The person with a personal space keeps three papers in their safe (one expires
        soon, so the reminder shows) and shares their identity card with their référent's
        organisation."""
        person = (Person.objects.filter(pk__in=self.opened, user__isnull=False)
                  .order_by("pk").first())
        if person is None:
            return
        safe = safe_of_person(Actor(user=person.user), person)
        papers = [
            ("Carte d'identité", "identite", self.today - timedelta(days=3650),
             self.today + timedelta(days=25)),
            ("Attestation de paiement CAF", "ressources", self.today - timedelta(days=20), None),
            ("Quittance de loyer", "logement", self.today - timedelta(days=28), None),
        ]
        identity = None
        for title, category, issued, expires in papers:
            upload = seal_stream(io.BytesIO(demo_pdf(f"{title} - document fictif de démonstration")),
                                 client_name=f"{category}.pdf")
            deposit = document_deposit(safe=safe, upload=upload, category=category, title=title,
                                       issued_on=issued, expires_on=expires)
            identity = identity or deposit.document
        lead_org_id = self.opened[person.pk][1]
        share_create(safe=safe, organisation=Organisation.objects.get(pk=lead_org_id),
                     expires_on=self.today + timedelta(days=90), document=identity)

    def esf_and_alerts(self) -> None:
        """The mission locale, the PLIE and the ACI run an ESF+ operation: their persons are enrolled, prefilled
        from their passport (so the data-quality report has real gaps to show); then the
        daily detection of risks of rupture runs once, as the scheduler would."""
        start = date(self.today.year - 1, 1, 1)
        for key, code, title in (
                ("ml", "202400789", "Repérer et accompagner les jeunes ni en emploi ni en formation"),
                ("plie", "202400123", "Accompagnement renforcé vers l'emploi — PLIE de Cornouaille"),
                ("aci", "202400456", "Chantier d'insertion Mor Glaz : espaces verts et bâtiment")):
            admin = self.members[key][Role.MANAGER][0]
            actor = Actor(user=admin.user, membership=admin)
            op = operation_create(
                actor=actor, code=code, title=title, programme="PN FSE+ 2021-2027",
                specific_objective="4.8 (h)", starts_on=start, ends_on=date(self.today.year + 1, 12, 31),
                territory="Finistère")
            for path in (Path.objects.filter(organisation=self.orgs[key])
                         .select_related("person").order_by("pk")):
                try:
                    participation_enrol(actor=actor, operation=op, public_id=path.person.public_id)
                except PasseportError:  # consent withdrawn: not enrolled
                    continue
        alerts_refresh(today=self.today)

    def flush(self) -> None:
        events = []
        current, position = None, 0
        for event in TimelineEvent.objects.filter(path_id__in=self.clocks).order_by("path_id", "id"):
            if event.path_id != current:
                current, position = event.path_id, 0
            clock = self.clocks[current]
            if position < len(clock) and clock[position] is not None:
                event.occurred_at = event.created_at = clock[position]
                events.append(event)
            position += 1
        TimelineEvent.objects.bulk_update(events, ["occurred_at", "created_at"], batch_size=300)
        Objective.objects.bulk_update(self.backdated_objectives, ["created_at"], batch_size=300)
        Action.objects.bulk_update(self.backdated_actions, ["created_at", "done_at"], batch_size=300)
        consents = []
        for consent in Consent.objects.filter(person_id__in=self.opened):
            opened, lead_org_id, _path = self.opened[consent.person_id]
            if consent.organisation_id == lead_org_id:
                consent.valid_from, consent.recorded_at = opened, _at(opened, 9)
                consents.append(consent)
        Consent.objects.bulk_update(consents, ["valid_from", "recorded_at"], batch_size=300)
        Person.objects.bulk_update(
            [Person(pk=pk, created_at=_at(o[0], 9)) for pk, o in self.opened.items()],
            ["created_at"], batch_size=300)
        Path.objects.bulk_update(
            [Path(pk=o[2], created_at=_at(o[0], 9, 30)) for o in self.opened.values()],
            ["created_at"], batch_size=300)
        Action.objects.bulk_create(self.bulk_actions, batch_size=500)
        TimelineEvent.objects.bulk_create(self.bulk_events, batch_size=500)
        self.bulk_events.clear()
        # One password hash for every demo account (hashing is slow by design).
        hashed = make_password(self.password)
        User.objects.filter(memberships__organisation__in=self.orgs.values()).update(password=hashed)


def demo_access_request(members: dict, orgs: dict) -> AccessRequest | None:
    """A pending request for the demo person (the one with a login) from an organisation
    that does not follow them yet, so that « Demandes d'accès » is not empty."""
    person = (Person.objects.filter(user__isnull=False, created_by_organisation=orgs["ml"])
              .order_by("pk").first())
    if person is None:
        return None
    for key in ("plie", "ccas", "ft"):
        if not Consent.objects.active().filter(person=person, organisation=orgs[key]).exists():
            referent = members[key][Role.REFERENT][0]
            return access_request_create(
                actor=Actor(user=referent.user, membership=referent, channel="system"),
                public_id=person.public_id, scopes=[ConsentScope.PATH, ConsentScope.SKILLS],
                purpose="Vous proposer l'atelier « Objectif emploi » et suivre votre parcours "
                        "avec votre référent",
                message="Nous nous sommes rencontrés au forum de l'emploi de Brest.")
    return None


@transaction.atomic
def load_demo(*, persons: int = 200, seed: int = SEED, password: str) -> DemoResult:
    """Build the demo territory. The caller checks that it is not loaded yet."""
    builder = _Builder(seed=seed, password=password)
    builder.organisations()
    plans = builder.person_plan(persons)
    for i, plan in enumerate(plans):
        builder.person(i, plan)
    builder.flush()
    builder.directory()
    builder.papers()
    builder.esf_and_alerts()
    from .demo_booking import demo_bookings
    from .demo_jobs import demo_immersion, demo_jobs

    demo_jobs(builder.members, builder.orgs)
    demo_immersion(builder.members, builder.orgs)
    demo_access_request(builder.members, builder.orgs)
    demo_bookings(builder.today)
    return DemoResult(
        organisations=len(builder.orgs),
        professionals=sum(len(ms) for roles in builder.members.values() for ms in roles.values()),
        persons=persons,
        logins=demo_logins(),
    )
