"""Demo jobs: the ACI Mor Glaz (an SIAE, so an inclusive employer) publishes a few job
and immersion offers in the Pays de Brest and Cornouaille, with the skills of their ROME
fiche. Called by `load_demo` (passeport/web/demo.py)."""

from __future__ import annotations

from passeport.core.actor import Actor
from passeport.core.enums import Role
from passeport.directory.models import Commune
from passeport.jobs.models import RomeAppellation
from passeport.jobs.services import employer_contact_add, employer_profile_save, offer_create

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
