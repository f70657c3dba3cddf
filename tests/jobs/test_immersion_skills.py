"""The employer's evaluation after an immersion: the levels given in the immersion
assessment become an evaluation (source « employer ») on the fiche métier's ROME grids,
seen by the référent with the « skills » consent and by the person; bad levels store
nothing. Also the ROME grids themselves (made on first need, page and API)."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.test import Client
from django.urls import reverse

from passeport.core.actor import Actor
from passeport.core.errors import NotFound, PasseportError
from passeport.core.models import AuditEvent
from passeport.core.services import api_token_create
from passeport.jobs.enums import ImmersionStatus, SkillSource
from passeport.jobs.models import CandidateSkill, Immersion, RomeAppellation, RomeFicheSkill
from passeport.jobs.services import immersion_assess, immersion_create, immersion_validate
from passeport.people.enums import ConsentScope
from passeport.skills.enums import EvaluationSource
from passeport.skills.models import Evaluation, Grid
from passeport.skills.rome import rome_grids_ensure
from passeport.skills.selectors import skills_view_for

from ..api.conftest import JsonApi
from ..factories import ConsentFactory, UserFactory
from .conftest import AIDE_A_DOMICILE

PREPARER_REPAS = 115131  # K1304 savoir-faire, « cœur de métier »
LAVER_VITRES = 107957  # K1304 savoir-faire
ECOUTE = 300412  # K1304 savoir-être « Etre à l'écoute, faire preuve d'empathie »
CUISINIER_SKILL = 104207  # a savoir-faire of G1609, not of K1304


@pytest.fixture
def skills_consent(org, jobs_person):
    ConsentFactory(person=jobs_person, organisation=org, scope=ConsentScope.SKILLS)


@pytest.fixture
def immersion(actor, employer_org, jobs_person):
    imm = immersion_create(
        actor=actor, person=jobs_person, employer=employer_org,
        appellation=RomeAppellation.objects.get(pk=AIDE_A_DOMICILE), tutor_name="Gwen Morvan",
        starts_on=dt.date(2026, 11, 2), ends_on=dt.date(2026, 11, 13), objectives="Découvrir le métier")
    return immersion_validate(actor=actor, immersion=imm)


def test_rome_grids_are_made_from_the_fiche_once():
    grids = rome_grids_ensure("k1304")
    sf, se = grids["sf"], grids["se"]
    assert (sf.code, se.code, sf.kind, se.kind) == ("rome-k1304-sf", "rome-k1304-se", "technical", "behavioural")
    assert sf.rome_code == se.rome_code == "K1304"
    wanted_sf = set(RomeFicheSkill.objects.filter(fiche_id="K1304", kind="sf").values_list("skill_id", flat=True))
    assert {int(c) for c in sf.items.values_list("code", flat=True)} == wanted_sf
    assert {int(c) for c in se.items.values_list("code", flat=True)} == {300412, 300460, 300473, 300483}
    first = sf.items.order_by("position").first()
    assert first.group == "coeur"  # « cœur de métier » first
    assert rome_grids_ensure("K1304") == grids and Grid.objects.filter(rome_code="K1304").count() == 2
    for bad in ("Z9999", "K13", "K1304'; --"):
        with pytest.raises(NotFound):
            rome_grids_ensure(bad)


def test_assessment_levels_become_the_employer_evaluation(actor, employer_actor, employer, employer_org,
                                                          jobs_person, immersion, skills_consent):
    imm = immersion_assess(actor=employer_actor, immersion=immersion, skills_observed=[], behaviour=3,
                           comment="Ponctuelle et attentive.", led_to_job=False,
                           skill_levels={PREPARER_REPAS: 3, LAVER_VITRES: 2, ECOUTE: 4})
    assert imm.status == ImmersionStatus.ASSESSED
    assert imm.skill_levels == {str(PREPARER_REPAS): 3, str(LAVER_VITRES): 2, str(ECOUTE): 4}
    # the rated skills are also observed skills of the candidate profile
    assert set(CandidateSkill.objects.filter(profile__person=jobs_person, source=SkillSource.OBSERVED)
               .values_list("skill_id", flat=True)) == {PREPARER_REPAS, LAVER_VITRES, ECOUTE}
    # the référent who holds the « skills » consent sees the employer's evaluations
    view = skills_view_for(actor, jobs_person.public_id)
    by_grid = {e.grid.code: e for e in view.evaluations}
    assert set(by_grid) == {"rome-k1304-sf", "rome-k1304-se"}
    sf = by_grid["rome-k1304-sf"]
    assert sf.source == EvaluationSource.EMPLOYER and sf.organisation == employer_org
    assert sf.evaluator == employer.user and "Gwen Morvan" in sf.evaluator_label
    assert sf.evaluated_on == dt.date(2026, 11, 13)
    assert "Immersion du 02/11/2026 au 13/11/2026 chez Ti Aide Services." in sf.comment and "Ponctuelle et attentive." in sf.comment
    assert {s.item.code: s.level for s in sf.scores.all()} == {str(PREPARER_REPAS): 3, str(LAVER_VITRES): 2}
    assert {s.item.code: s.level for s in by_grid["rome-k1304-se"].scores.all()} == {str(ECOUTE): 4}
    assert AuditEvent.objects.filter(object_type="skill_evaluation", actor=employer.user,
                                     person_uid=jobs_person.public_id).count() == 2


def test_no_level_no_evaluation(employer_actor, jobs_person, immersion):
    immersion_assess(actor=employer_actor, immersion=immersion, skills_observed=[PREPARER_REPAS], behaviour=2,
                     comment="", led_to_job=False)
    assert not Evaluation.objects.filter(person=jobs_person).exists()


@pytest.mark.parametrize(("levels", "code"), [
    ({PREPARER_REPAS: 5}, "invalid_level"),
    ({PREPARER_REPAS: 0}, "invalid_level"),
    ({PREPARER_REPAS: 3, CUISINIER_SKILL: 3}, "invalid_skill"),  # not a skill of this job
    ({99: 3}, "invalid_skill"),
])
def test_bad_levels_store_nothing(employer_actor, jobs_person, immersion, levels, code):
    with pytest.raises(PasseportError) as exc:
        immersion_assess(actor=employer_actor, immersion=immersion, skills_observed=[], behaviour=2,
                         comment="", led_to_job=False, skill_levels=levels)
    assert exc.value.code == code
    immersion.refresh_from_db()
    assert immersion.status == ImmersionStatus.VALIDATED and immersion.skill_levels == {}
    assert not Evaluation.objects.exists()
    assert not CandidateSkill.objects.filter(profile__person=jobs_person).exists()


def test_assessment_page_rates_skills_and_referent_sees_them(pro_client, employer, jobs_person,
                                                             immersion, skills_consent):
    client = Client()
    client.force_login(employer.user)
    url = reverse("jobs:immersion_detail", args=[immersion.pk])
    page = client.get(url).content.decode()
    assert f'name="level_{PREPARER_REPAS}"' in page and "Préparer des repas (cœur de métier)" in page
    assert "Savoir-être professionnels" in page and f'name="level_{CUISINIER_SKILL}"' not in page
    # a tampered level is refused and nothing is stored
    r = client.post(url, {"behaviour": "3", "led_to_job": "no", f"level_{PREPARER_REPAS}": "9"})
    assert r.status_code == 200 and "Sélectionnez un choix valide" in r.content.decode()
    assert f'href="#id_level_{PREPARER_REPAS}"' in r.content.decode()  # the summary leads to the field
    assert Immersion.objects.get().status == ImmersionStatus.VALIDATED
    r = client.post(url, {"behaviour": "3", "led_to_job": "no", "comment": "Très bien",
                          f"level_{PREPARER_REPAS}": "3", f"level_{ECOUTE}": "4", f"level_{LAVER_VITRES}": ""})
    assert r.status_code == 302
    page = client.get(url).content.decode()
    assert "Préparer des repas" in page and "Fait seul ou seule" in page
    assert "Laver des vitres" not in page  # left on « Non observé »
    # the référent's skills page shows the employer's evaluation, by skill name, with its chart
    # (the employer has no « skills » consent: the person's skills page is not theirs)
    assert client.get(reverse("skills:pro_person", args=[jobs_person.public_id])).status_code == 404
    page = pro_client.get(reverse("skills:pro_person", args=[jobs_person.public_id])).content.decode()
    assert "Employeur, après une immersion" in page and "Préparer des repas" in page
    assert "Ti Aide Services" in page and "Employé familial / Employée familiale : savoir-faire" in page
    # the chart's coordinates are numbers a browser reads (no French decimal comma in SVG)
    svg = page[page.index("<svg"):page.index("</svg>")]
    assert re.search(r'(cx|cy|x1|y1|x|y)="[0-9.]+"', svg) and not re.search(r'="[0-9]+,[0-9]+"', svg)
    # the person reads it in plain words in « Mes compétences »
    jobs_person.user = UserFactory()
    jobs_person.save()
    me = Client()
    me.force_login(jobs_person.user)
    page = html.unescape(me.get(reverse("skills:me")).content.decode())
    assert "Mes évaluations au travail" in page
    assert "Préparer des repas : Fait seul ou seule" in page
    assert "Etre à l'écoute, faire preuve d'empathie : Maîtrise et peut montrer aux autres" in page


def test_referent_evaluates_on_a_job_grid(pro_client, jobs_person, skills_consent):
    pid = jobs_person.public_id
    r = pro_client.post(reverse("skills:pro_rome", args=[pid]), {"appellation": "métier qui n'existe pas"})
    assert r.status_code == 400 and "Métier introuvable" in r.content.decode()
    r = pro_client.post(reverse("skills:pro_rome", args=[pid]), {"appellation": "Aide à domicile"})
    assert r.status_code == 302 and r.url.endswith("/evaluer/rome-k1304-sf/")
    page = pro_client.get(r.url).content.decode()
    assert "Préparer des repas (cœur de métier)" in page and "3 – Fait seul ou seule" in page
    assert "rome-k1304-se" in page  # the savoir-être grid of the same job is linked
    r = pro_client.post(r.url, {"evaluated_on": "2026-11-20", "source": "referent",
                                f"item_{PREPARER_REPAS}": "2", "comment": "En atelier cuisine"})
    assert r.status_code == 302
    evaluation = Evaluation.objects.get(person=jobs_person)
    assert evaluation.grid.code == "rome-k1304-sf" and evaluation.source == EvaluationSource.REFERENT
    # the job's grid now appears among the grids to evaluate on this person's page
    page = pro_client.get(reverse("skills:pro_person", args=[pid])).content.decode()
    assert reverse("skills:pro_evaluate", args=[pid, "rome-k1304-sf"]) in page


def test_api_assessment_with_levels_and_rome_grids(client, org, employer_org, jobs_person, immersion,
                                                   skills_consent):
    _t, raw = api_token_create(actor=Actor.system(), organisation=employer_org, name="SI employeur")
    emp_api = JsonApi(client, raw)
    _t, raw = api_token_create(actor=Actor.system(), organisation=org, name="SI mission locale")
    ref_api = JsonApi(client, raw)
    path = f"/jobs/immersions/{immersion.pk}/assessment"
    r = emp_api.post(path, {"behaviour": 3, "led_to_job": True, "skill_levels": {str(PREPARER_REPAS): 7}})
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"
    r = emp_api.post(path, {"behaviour": 3, "led_to_job": True, "skill_levels": {str(CUISINIER_SKILL): 2}})
    assert r.status_code == 400 and r.json()["code"] == "invalid_skill"
    assert not Evaluation.objects.exists()
    r = emp_api.post(path, {"behaviour": 3, "led_to_job": True, "skill_levels": {str(PREPARER_REPAS): 4}})
    assert r.status_code == 200, r.json()
    assert r.json()["skill_levels"] == {str(PREPARER_REPAS): 4} and r.json()["status"] == "assessed"
    r = ref_api.get(f"/skills/persons/{jobs_person.public_id}/evaluations")
    assert r.status_code == 200
    [evaluation] = r.json()
    assert evaluation["grid"] == "rome-k1304-sf" and evaluation["source"] == "employer"
    assert evaluation["scores"] == [{"item": str(PREPARER_REPAS), "level": 4}]
    # the grids of a fiche métier; the ROME grids stay out of the list of an organisation's grids
    r = ref_api.get("/skills/grids/rome/K1304")
    assert r.status_code == 200 and [g["code"] for g in r.json()] == ["rome-k1304-sf", "rome-k1304-se"]
    assert ref_api.get("/skills/grids/rome/Z9999").json()["code"] == "unknown_rome_code"
    assert not [g for g in ref_api.get("/skills/grids").json() if g["code"].startswith("rome-")]
