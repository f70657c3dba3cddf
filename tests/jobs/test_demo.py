from __future__ import annotations

from passeport.core.enums import OrganisationKind, Role
from passeport.jobs.enums import InclusiveKind
from passeport.jobs.models import EmployerProfile, JobOffer
from passeport.web.demo_jobs import OFFERS, demo_jobs

from ..factories import MembershipFactory, OrganisationFactory


def test_demo_publishes_offers_of_an_inclusive_employer(db):
    aci = OrganisationFactory(name="Atelier chantier d'insertion Mor Glaz", kind=OrganisationKind.ACI)
    manager = MembershipFactory(organisation=aci, role=Role.MANAGER)
    assert demo_jobs({"aci": {Role.MANAGER: [manager]}}, {"aci": aci}) == len(OFFERS)
    assert EmployerProfile.objects.get(organisation=aci).inclusive_kind == InclusiveKind.SIAE
    assert JobOffer.objects.filter(employer=aci, kind="immersion").count() == 1
    assert all(o.skills_required for o in JobOffer.objects.all())
