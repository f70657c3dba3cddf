"""The jobs pages: publish an offer, a person's best offers with explanations, propose,
the employer's answer, immersions; another organisation gets 404; bad input keeps what
was typed and shows a French message."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from passeport.jobs.enums import ApplicationStatus, ImmersionStatus
from passeport.jobs.models import Application, Immersion, JobOffer, RomeAppellation
from passeport.jobs.services import offer_create
from passeport.paths.enums import EventKind

from .conftest import AIDE_A_DOMICILE, commune


@pytest.fixture
def employer_client(client, employer):
    client.force_login(employer.user)
    return client


@pytest.fixture
def aide_offer(employer_actor):
    return offer_create(actor=employer_actor, data={
        "appellation": RomeAppellation.objects.get(pk=AIDE_A_DOMICILE), "commune": commune("29019"),
        "contract_type": "cdd", "hours_per_week": 24})


def test_employer_publishes_an_offer_with_skills_from_the_fiche(employer_client):
    url = reverse("jobs:offer_create")
    r = employer_client.post(url, {"kind": "job", "appellation": "aide a domicile", "contract_type": "cdd",
                                   "hours_per_week": "70", "positions": "1", "commune": "Brest"})
    assert r.status_code == 200
    assert "Rien n&#x27;a été enregistré" in r.content.decode() or "Rien n'a été enregistré" in r.content.decode()
    assert 'value="aide a domicile"' in r.content.decode()  # what was typed is kept
    assert not JobOffer.objects.exists()
    r = employer_client.post(url, {"kind": "job", "appellation": "Aide à domicile", "contract_type": "cdd",
                                   "hours_per_week": "24", "positions": "2", "commune": "Brest",
                                   "constraints": ["driving_licence"]})
    offer = JobOffer.objects.get()
    assert r.status_code == 302 and r.url == reverse("jobs:offer_skills", args=[offer.pk])
    assert offer.skills_required and offer.commune_id == "29019" and offer.constraints == ["driving_licence"]
    page = employer_client.get(r.url).content.decode()
    assert "Compétences requises" in page
    r = employer_client.post(r.url, {"required": [str(offer.skills_required[0])], "wished": []})
    offer.refresh_from_db()
    assert offer.skills_required == [offer.skills_required[0]] and offer.skills_wished == []


def test_appellation_suggestions(pro_client):
    r = pro_client.get(reverse("jobs:appellation_suggestions"), {"appellation": "aide a dom"})
    assert '<option value="Aide à domicile">' in r.content.decode()


def test_person_matches_propose_and_answer(pro_client, client, employer, jobs_person, aide_offer):
    pid = jobs_person.public_id
    r = pro_client.post(reverse("jobs:person_profile", args=[pid]), {
        "target": "Aide à domicile", "commune": "Brest", "max_distance_km": "20", "transport_mode": "public",
        "max_hours_per_week": "30", "weekend_work_ok": "on"})
    assert r.status_code == 302
    page = pro_client.get(reverse("jobs:person_jobs", args=[pid])).content.decode()
    assert "Aide à domicile" in page and "C&#x27;est un métier que la personne recherche." in page
    assert "trouver une formation" in page  # missing skills link to the directory
    url = reverse("jobs:propose", args=[pid, aide_offer.pk])
    r = pro_client.post(url, {"message": "Disponible tout de suite", "consent_method": "oral"})
    assert "sans son accord, pas de candidature" in r.content.decode()
    r = pro_client.post(url, {"message": "Disponible tout de suite", "consent_method": "oral", "person_agreed": "on"})
    assert r.status_code == 302
    app = Application.objects.get()
    assert app.explanation["sentences"] and app.score
    client.force_login(employer.user)
    page = client.get(reverse("jobs:applications")).content.decode()
    assert "Guivarc&#x27;h" in page and "Disponible tout de suite" in page
    client.post(reverse("jobs:answer", args=[app.pk]), {"status": "refused", "refusal_reason": ""})
    app.refresh_from_db()
    assert app.status == ApplicationStatus.PROPOSED  # a refusal needs its reason
    client.post(reverse("jobs:answer", args=[app.pk]), {"status": "interview", "interview_on": "2026-12-10"})
    app.refresh_from_db()
    assert app.status == ApplicationStatus.INTERVIEW and app.interview_on == dt.date(2026, 12, 10)
    assert jobs_person.paths.get().events.filter(kind=EventKind.JOB).count() == 2


def test_another_organisation_gets_404(client, outsider, jobs_person, aide_offer, employer_actor):
    client.force_login(outsider.user)
    pid = jobs_person.public_id
    for url in (reverse("jobs:person_jobs", args=[pid]), reverse("jobs:person_profile", args=[pid]),
                reverse("jobs:propose", args=[pid, aide_offer.pk]), reverse("jobs:person_immersions", args=[pid])):
        assert client.get(url).status_code == 404
    from passeport.jobs.services import offer_set_status
    offer_set_status(actor=employer_actor, offer=aide_offer, status="closed")
    assert client.get(reverse("jobs:offer_detail", args=[aide_offer.pk])).status_code == 404


def test_immersion_pages(pro_client, client, employer, employer_org, jobs_person):
    pid = jobs_person.public_id
    start = timezone.localdate() + dt.timedelta(days=8)  # to come (a fixed date would not stay so)
    r = pro_client.post(reverse("jobs:person_immersions", args=[pid]), {
        "employer": employer_org.pk, "appellation": "Aide à domicile", "tutor_name": "Gwen Morvan",
        "starts_on": start.isoformat(), "ends_on": (start + dt.timedelta(days=11)).isoformat(),
        "objectives": "Découvrir le métier"})
    imm = Immersion.objects.get()
    assert r.status_code == 302 and imm.status == ImmersionStatus.PLANNED
    pro_client.post(reverse("jobs:immersion_detail", args=[imm.pk]), {"action": "validate"})
    imm.refresh_from_db()
    assert imm.status == ImmersionStatus.VALIDATED
    client.force_login(employer.user)
    url = reverse("jobs:immersion_detail", args=[imm.pk])
    page = client.get(url).content.decode()
    assert "Enregistrer le bilan" not in page and "Le bilan se fait pendant ou à la fin" in page
    Immersion.objects.filter(pk=imm.pk).update(starts_on=dt.date(2026, 11, 2), ends_on=dt.date(2026, 11, 13))
    assert "Enregistrer le bilan" in client.get(url).content.decode()
    r = client.post(url, {"behaviour": "3", "led_to_job": "yes", "comment": "Très bien"})
    imm.refresh_from_db()
    assert imm.status == ImmersionStatus.ASSESSED and imm.led_to_job is True


def test_employer_page_flags_inclusive_employers_and_adds_contacts(employer_client, employer_org):
    from passeport.jobs.models import EmployerProfile

    url = reverse("jobs:employer")
    r = employer_client.post(url, {"form": "profile", "inclusive_kind": "geiq", "commune": "Brest",
                                   "description": "Aide à domicile"})
    assert r.status_code == 302
    profile = EmployerProfile.objects.get(organisation=employer_org)
    assert profile.is_inclusive and profile.get_inclusive_kind_display().startswith("Groupement")
    r = employer_client.post(url, {"form": "contact", "name": ""})
    assert "Ce champ est obligatoire" in r.content.decode()
    employer_client.post(url, {"form": "contact", "name": "Gwen Morvan", "role": "Gérante",
                               "email": "gwen@tiaide.example"})
    assert list(profile.contacts.values_list("name", flat=True)) == ["Gwen Morvan"]


def test_matches_page_queries_do_not_grow_with_the_offers(pro_client, jobs_person, employer_actor,
                                                          django_assert_max_num_queries):
    """No N+1: the same number of queries for 2 or 12 offers shown."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    aide = RomeAppellation.objects.get(pk=AIDE_A_DOMICILE)
    url = reverse("jobs:person_jobs", args=[jobs_person.public_id])
    counts = []
    for n in (2, 10):
        for _ in range(n):
            offer_create(actor=employer_actor, data={"appellation": aide, "commune": commune("29019"),
                                                     "contract_type": "cdd", "hours_per_week": 24})
        pro_client.get(url)  # the offers' matrix is rebuilt once after a change
        with CaptureQueriesContext(connection) as ctx:
            assert pro_client.get(url).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(30):
        pro_client.get(url)


def test_the_person_sees_their_applications(client, actor, jobs_person, aide_offer):
    from passeport.core.models import User
    from passeport.jobs.services import application_propose

    application_propose(actor=actor, offer=aide_offer, person=jobs_person, consent_method="oral",
                        person_agreed=True)
    jobs_person.user = User.objects.create_user("maelle@example.org", "Ma-voiture-2026!")
    jobs_person.save()
    client.force_login(jobs_person.user)
    page = client.get(reverse("jobs:me")).content.decode()
    assert "Aide à domicile" in page and "pas encore répondu" in page
