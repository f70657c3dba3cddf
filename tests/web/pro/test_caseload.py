import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from passeport.core.enums import Role
from passeport.core.models import AuditEvent
from passeport.paths.enums import EventKind, FreinTheme, PathStatus, Severity
from passeport.paths.models import DiagnosticEntry, TimelineEvent
from passeport.people.enums import ConsentScope
from tests.factories import (
    ActionFactory,
    ConsentFactory,
    MembershipFactory,
    PathFactory,
    PersonFactory,
)

URL = reverse("pro:caseload")


def follow(org, referent, **person):
    p = PersonFactory(**person)
    ConsentFactory(person=p, organisation=org, scope=ConsentScope.PATH)
    return PathFactory(person=p, organisation=org, referent=referent)


def names(response):
    return [p.person.last_name for p in response.context["page"].object_list]


@pytest.mark.django_db
def test_caseload_lists_my_persons_with_next_action_and_records_the_listing(
        pro_client, org, referent, followed_path):
    colleague = MembershipFactory(organisation=org, role=Role.REFERENT)
    other = follow(org, colleague, last_name="Autrui")
    ActionFactory(path=followed_path, title="Appeler la CAF",
                  due_on=timezone.localdate() - dt.timedelta(days=2))
    response = pro_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "KEROUAC Élodie" in html and followed_path.person.public_id in html
    assert "Appeler la CAF" in html and "En retard" in html
    assert "Rozenn Le Bihan" in html
    assert "Autrui" not in html  # a colleague's person is not in "my" caseload
    listed = AuditEvent.objects.filter(action="list", object_type="caseload")
    assert list(listed.values_list("person_uid", flat=True)) == [followed_path.person.public_id]
    assert not listed.filter(person_uid=other.person.public_id).exists()
    # The next due actions panel shows it too (and is audited).
    assert AuditEvent.objects.filter(object_type="next_actions",
                                     person_uid=followed_path.person.public_id).exists()


@pytest.mark.django_db
def test_search_is_accent_and_case_insensitive(pro_client, org, referent, followed_path):
    follow(org, referent, first_name="Yann", last_name="Le Gall")
    assert names(pro_client.get(URL, {"q": "KEROUAC"})) == ["Kerouac"]
    assert names(pro_client.get(URL, {"q": "elodie"})) == ["Kerouac"]
    assert names(pro_client.get(URL, {"q": "gall yann"})) == ["Le Gall"]
    assert names(pro_client.get(URL, {"q": "Zébulon"})) == []


@pytest.mark.django_db
def test_filters_status_frein_overdue(pro_client, org, referent, followed_path):
    paused = follow(org, referent, last_name="Pause")
    paused.status = PathStatus.PAUSED
    paused.save()
    DiagnosticEntry.objects.create(path=followed_path, theme=FreinTheme.MOBILITE,
                                   severity=Severity.SEVERE)
    DiagnosticEntry.objects.create(path=paused, theme=FreinTheme.MOBILITE, severity=Severity.LIGHT)
    ActionFactory(path=paused, due_on=timezone.localdate() - dt.timedelta(days=1))
    ActionFactory(path=followed_path, due_on=timezone.localdate() + dt.timedelta(days=1))
    assert sorted(names(pro_client.get(URL))) == ["Kerouac", "Pause"]
    assert names(pro_client.get(URL, {"statut": "paused"})) == ["Pause"]
    assert names(pro_client.get(URL, {"frein": FreinTheme.MOBILITE})) == ["Kerouac"]
    assert names(pro_client.get(URL, {"en_retard": "on"})) == ["Pause"]
    # A bad filter value is shown next to its field and ignored.
    response = pro_client.get(URL, {"statut": "n-importe-quoi"})
    assert response.status_code == 200
    assert sorted(names(response)) == ["Kerouac", "Pause"]
    assert response.context["form"].errors["statut"]


@pytest.mark.django_db
def test_whole_organisation_and_referent_filter_for_managers_only(
        client, pro_client, org, referent, manager, followed_path):
    colleague = MembershipFactory(organisation=org, role=Role.REFERENT)
    follow(org, colleague, last_name="Collègue")
    # A référent cannot see the whole organisation, even by asking.
    html = pro_client.get(URL).content.decode()
    assert "Toute la structure" not in html
    assert names(pro_client.get(URL, {"perimetre": "structure"})) == ["Kerouac"]
    client.force_login(manager.user)
    response = client.get(URL)
    assert "Toute la structure" in response.content.decode()
    # A manager who follows nobody opens the whole organisation by default...
    assert sorted(names(response)) == ["Collègue", "Kerouac"]
    assert names(client.get(URL, {"perimetre": "miens"})) == []
    # ... and only their own people once they follow someone.
    follow(org, manager, last_name="Suivi")
    assert names(client.get(URL)) == ["Suivi"]
    assert sorted(names(client.get(URL, {"perimetre": "structure"}))) == ["Collègue", "Kerouac", "Suivi"]
    assert names(client.get(URL, {"perimetre": "structure", "referent": colleague.pk})) == [
        "Collègue"]


@pytest.mark.django_db
def test_unseen_items_from_the_person_show_a_badge(pro_client, followed_path):
    TimelineEvent.objects.create(path=followed_path, kind=EventKind.MESSAGE, title="Message",
                                 body="Bonjour", by_person=True)
    assert "1 ajout de la personne à lire" in pro_client.get(URL).content.decode()


@pytest.mark.django_db
def test_withdrawn_consent_or_other_organisation_leaves_the_caseload(
        pro_client, org, other_org, referent, followed_path):
    outsider_path = PathFactory(organisation=other_org)
    ConsentFactory(person=outsider_path.person, organisation=other_org)
    assert names(pro_client.get(URL)) == ["Kerouac"]
    followed_path.person.consents.filter(scope=ConsentScope.PATH).update(
        withdrawn_at=timezone.now())
    assert names(pro_client.get(URL)) == []


@pytest.mark.django_db
def test_htmx_request_gets_only_the_results(pro_client, followed_path):
    response = pro_client.get(URL, {"q": "kerouac"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="resultats">')
    assert "<html" not in html and "KEROUAC" in html
    assert 'hx-swap-oob="innerHTML"' in html
    assert "HX-Request" in response["Vary"]


@pytest.mark.django_db
def test_pagination_and_page_size(pro_client, org, referent):
    for i in range(12):
        follow(org, referent, last_name=f"Nom{i:02d}")
    response = pro_client.get(URL, {"taille": 5, "page": 2})
    assert names(response) == ["Nom05", "Nom06", "Nom07", "Nom08", "Nom09"]
    html = response.content.decode()
    assert 'class="fr-pagination fr-mt-3w"' in html and 'aria-current="page"' in html
    assert "page=3" in html and "taille=5" in html
    # The page size is bounded.
    assert pro_client.get(URL, {"taille": 1000}).context["page"].paginator.per_page == 100
    assert pro_client.get(URL, {"taille": "abc"}).context["page"].paginator.per_page == 25


def _caseload_queries(client, size: int) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, {"taille": size})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == size
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_query_count_does_not_grow_with_page_size(client, org, manager, referent):
    """60 persons, each with a référent, a due action, a frein and an unseen message:
    5 rows or 50 rows cost the same number of SQL queries."""
    today = timezone.localdate()
    for i in range(60):
        path = follow(org, manager if i < 55 else referent, last_name=f"Nom{i:02d}")
        ActionFactory(path=path, due_on=today + dt.timedelta(days=i - 10))
        DiagnosticEntry.objects.create(path=path, theme=FreinTheme.SANTE, severity=Severity.SEVERE)
        TimelineEvent.objects.create(path=path, kind=EventKind.MESSAGE, title="Message",
                                     by_person=True)
    client.force_login(manager.user)
    client.get(URL)  # warm up (session, content types)
    small = _caseload_queries(client, 5)
    large = _caseload_queries(client, 50)
    assert small == large, (small, large)
    # Same for the whole organisation, filtered by frein.
    with CaptureQueriesContext(connection) as a:
        client.get(URL, {"taille": 5, "perimetre": "structure", "frein": FreinTheme.SANTE})
    with CaptureQueriesContext(connection) as b:
        client.get(URL, {"taille": 50, "perimetre": "structure", "frein": FreinTheme.SANTE})
    assert len(a.captured_queries) == len(b.captured_queries)


@pytest.mark.django_db
def test_anonymous_is_sent_to_login_and_a_person_gets_404(client, followed_path):
    response = client.get(URL)
    assert response.status_code == 302 and "/connexion/" in response["Location"]
    from tests.factories import UserFactory

    user = UserFactory()
    followed_path.person.user = user
    followed_path.person.save()
    client.force_login(user)
    assert client.get(URL).status_code == 404


@pytest.mark.django_db
def test_search_by_passport_number(pro_client, org, referent):
    """The person gives their passport number: typed with or without dashes, in any case."""
    path = follow(org, referent, last_name="Le Goff")
    follow(org, referent, last_name="Autre")
    number = path.person.public_id
    for typed in (number, number.lower(), number.replace("-", " "), number.replace("-", "")):
        if "-" not in typed and not any(ch.isdigit() for ch in typed):
            continue  # twelve letters without dashes are read as a name
        assert names(pro_client.get(URL, {"q": typed})) == ["Le Goff"], typed
    assert names(pro_client.get(URL, {"q": "Le Goff"})) == ["Le Goff"]
