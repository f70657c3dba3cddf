"""Pages: the référent's skills page (evaluate, award, revoke), the organisation's badges,
the person's skills and wallet; another organisation cannot reach them."""

from __future__ import annotations

import html

import pytest

from passeport.skills.models import Award, BadgeClass, Evaluation
from tests.factories import UserFactory


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def me_client(client, learner):
    learner.user = UserFactory()
    learner.save()
    client.force_login(learner.user)
    return client


def test_create_a_badge_class_and_errors_in_french(pro_client):
    bad = pro_client.post("/pro/badges/", {"form": "badge", "name": "", "description": "d",
                                           "criteria": "c", "achievement_type": "Badge"})
    assert bad.status_code == 400
    ok = pro_client.post("/pro/badges/", {"form": "badge", "name": "Cariste", "description": "Conduire",
                                          "criteria": "CACES", "achievement_type": "Badge",
                                          "rome_code": "N1101", "rome_label": "Conduite d'engins"})
    assert ok.status_code == 302
    badge = BadgeClass.objects.get(name="Cariste")
    assert badge.alignments == [{"framework": "ROME 4.0", "code": "N1101", "name": "Conduite d'engins"}]
    assert "Cariste" in text(pro_client.get("/pro/badges/"))


def test_referent_evaluates_awards_and_revokes(pro_client, learner, badge_class):
    url = f"/pro/competences/{learner.public_id}/"
    assert pro_client.get(url).status_code == 200
    form = pro_client.get(f"{url}evaluer/transversal/")
    assert "Être à l'heure" in text(form)
    empty = pro_client.post(f"{url}evaluer/transversal/", {"evaluated_on": "2026-01-10", "source": "referent"})
    assert empty.status_code == 400 and "Évaluez au moins une compétence" in text(empty)
    saved = pro_client.post(f"{url}evaluer/transversal/", {"evaluated_on": "2026-01-10", "source": "referent",
                                                           "item_T1": "3", "comment": "Ponctuelle"})
    assert saved.status_code == 302
    assert Evaluation.objects.get(person=learner).scores.get().level == 3
    page = text(pro_client.get(url))
    assert "Ponctuelle" in page and "Niveaux par date" in page
    awarded = pro_client.post(f"{url}badges/", {"badge_class": str(badge_class.uid), "evidence": "Vu"})
    assert awarded.status_code == 302
    award = Award.objects.get(person=learner)
    pro_client.post(f"{url}badges/{award.uid}/retrait/", {"reason": "Erreur"})
    award.refresh_from_db()
    assert award.revoked_at is not None


def test_other_organisation_gets_404(client, outsider, learner):
    client.force_login(outsider.user)
    assert client.get(f"/pro/competences/{learner.public_id}/").status_code == 404
    assert client.get(f"/pro/competences/{learner.public_id}/evaluer/transversal/").status_code == 404


def test_person_sees_wallet_with_share_link_and_downloads(me_client, award):
    page = text(me_client.get("/mon-passeport/badges/"))
    assert "Accueil du public" in page and f"/badges/verifier/{award.uid}/" in page
    assert f"/badges/credentials/{award.uid}/badge.png" in page


def test_person_self_assessment_one_question_per_screen(me_client, learner):
    first = text(me_client.get("/mon-passeport/competences/numerique/1/"))
    assert "Question 1 sur 10" in first and "Oui, avec de l'aide" in first
    missing = me_client.post("/mon-passeport/competences/numerique/1/", {})
    assert missing.status_code == 400 and "Choisissez une réponse" in text(missing)
    for n in range(1, 11):
        response = me_client.post(f"/mon-passeport/competences/numerique/{n}/", {"answer": "2"})
        assert response.status_code == 302
    evaluation = Evaluation.objects.get(person=learner, source="self")
    assert evaluation.scores.count() == 10
    page = text(me_client.get("/mon-passeport/competences/"))
    assert "Information et données : À l'aise" in page


def test_wallet_queries_do_not_grow_with_the_number_of_badges(me_client, actor, learner, badge_class):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from passeport.skills.services import badge_award

    def count(client, url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    badge_award(actor=actor, badge_class_uid=badge_class.uid, person_public_id=learner.public_id)
    wallet_one = count(me_client, "/mon-passeport/badges/")
    for _ in range(4):
        badge_award(actor=actor, badge_class_uid=badge_class.uid, person_public_id=learner.public_id)
    assert count(me_client, "/mon-passeport/badges/") == wallet_one


def test_passport_page_shows_the_skills_button_only_with_the_skills_consent(pro_client, learner, org):
    from passeport.people.models import Consent

    url = f"/pro/competences/{learner.public_id}/"
    assert url in text(pro_client.get(f"/pro/personnes/{learner.public_id}/"))
    Consent.objects.filter(person=learner, scope="skills").delete()
    assert url not in text(pro_client.get(f"/pro/personnes/{learner.public_id}/"))
    assert pro_client.get(url).status_code == 404


def test_person_reads_what_the_referent_observed_in_plain_words(me_client, actor, learner):
    from passeport.skills.services import evaluation_record

    evaluation_record(actor=actor, person_public_id=learner.public_id, grid_code="transversal",
                      scores={"T1": 3}, comment="Toujours à l'heure")
    page = text(me_client.get("/mon-passeport/competences/"))
    assert "Arrive à l'heure et prévient de lui-même en cas d'absence." in page
    assert "Toujours à l'heure" in page and "Rozenn" in page


def test_person_self_assesses_transversal_skills_one_per_screen(me_client, actor, learner):
    first = text(me_client.get("/mon-passeport/competences/au-travail/1/"))
    assert "Question 1 sur 6" in first and "Être à l'heure et prévenir en cas d'absence : où en êtes-vous ?" in first
    assert me_client.post("/mon-passeport/competences/au-travail/1/", {"answer": "0"}).status_code == 400
    for n in range(1, 7):
        assert me_client.post(f"/mon-passeport/competences/au-travail/{n}/", {"answer": "3"}).status_code == 302
    evaluation = Evaluation.objects.get(person=learner, source="self", grid__code="transversal")
    assert [s.level for s in evaluation.scores.all()] == [3] * 6
    # The référent sees it beside their own observations.
    from passeport.skills.selectors import skills_view_for

    assert evaluation in skills_view_for(actor, learner.public_id).evaluations
