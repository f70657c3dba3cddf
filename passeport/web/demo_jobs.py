"""Demo jobs: the ACI Mor Glaz (an SIAE, so an inclusive employer) publishes a few job
and immersion offers in the Pays de Brest and Cornouaille, with the skills of their ROME
fiche; the demo person (the one with a login) did a two-week immersion there, which the
ACI assessed, so that their skills show an employer's evaluation. Called by `load_demo`
(passeport/web/demo.py)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from passeport.core.actor import Actor
from passeport.core.enums import Role
from passeport.directory.models import Commune
from passeport.jobs.models import RomeAppellation
from passeport.jobs.services import (
    employer_contact_add,
    employer_profile_save,
    immersion_assess,
    immersion_create,
    immersion_validate,
    offer_create,
)
from passeport.people.enums import ConsentMethod, ConsentScope
from passeport.people.models import Person
from passeport.people.services import consent_grant

# The employer's levels after the demo immersion (Aide à domicile, ROME K1304).
IMMERSION_LEVELS = {115131: 3, 104160: 2, 107948: 3, 300412: 4, 300483: 2}

# (appellation code OGR, commune INSEE, contract, hours, kind, constraints)
OFFERS = [
    (10805, "29019", "cddi", 26, "job", []),  # Aide à domicile, Brest
    (13861, "29232", "cddi", 24, "job", ["weekend_work"]),  # Cuisinier, Quimper
    (14635, "29019", "cdd", 35, "job", ["driving_licence"]),  # Electricien du bâtiment, Brest
    (10805, "29151", "pmsmp", 20, "immersion", []),  # Aide à domicile, Morlaix
]


def demo_jobs(members: dict, orgs: dict) -> int:
    """Publish the demo offers; returns how many."""
    manager = members["aci"][Role.MANAGER][0]
    actor = Actor(user=manager.user, membership=manager, channel="system")
    employer_profile_save(actor=actor, commune=Commune.objects.filter(code_insee="29019").first(),
                          description="Chantier d'insertion : aide à domicile, restauration, second œuvre.")
    employer_contact_add(actor=actor, name=manager.user.get_full_name(), role="Encadrant technique",
                         email=manager.user.email)
    count = 0
    for code, insee, contract, hours, kind, constraints in OFFERS:
        appellation = RomeAppellation.objects.filter(pk=code).select_related("fiche").first()
        commune = Commune.objects.filter(code_insee=insee).first()
        if appellation is None or commune is None:
            continue
        offer_create(actor=actor, data={"appellation": appellation, "commune": commune, "kind": kind,
                                        "contract_type": contract, "hours_per_week": hours,
                                        "constraints": constraints, "positions": 2})
        count += 1
    return count


def demo_immersion(members: dict, orgs: dict) -> bool:
    """The demo person's assessed immersion at the ACI (the person agreed to share their
    jobs and skills with the mission locale). Returns whether it was made."""
    ml = orgs["ml"]
    person = (Person.objects.filter(user__isnull=False, created_by_organisation=ml)
              .order_by("pk").first())
    appellation = RomeAppellation.objects.filter(pk=10805).first()
    if person is None or appellation is None or not person.paths.exists():
        return False
    referent_m = person.paths.order_by("pk").first().referent or members["ml"][Role.REFERENT][0]
    referent = Actor(user=referent_m.user, membership=referent_m, channel="system")
    consent_grant(actor=referent, person=person, organisation=ml,
                  scopes=[ConsentScope.JOBS, ConsentScope.SKILLS], method=ConsentMethod.WRITTEN,
                  purpose="Recherche d'emploi et reconnaissance des compétences")
    manager = members["aci"][Role.MANAGER][0]
    employer = Actor(user=manager.user, membership=manager, channel="system")
    ends = timezone.localdate() - timedelta(days=10)
    imm = immersion_create(actor=referent, person=person, employer=orgs["aci"], appellation=appellation,
                           tutor_name=manager.user.get_full_name(), starts_on=ends - timedelta(days=11),
                           ends_on=ends, objectives="Découvrir le métier d'aide à domicile avant une formation.")
    immersion_validate(actor=referent, immersion=imm)
    immersion_assess(actor=employer, immersion=imm, skills_observed=[], behaviour=3, led_to_job=False,
                     comment="Très à l'écoute des personnes accompagnées ; à renforcer : l'organisation "
                             "de la journée.", skill_levels=IMMERSION_LEVELS)
    return True
