"""Another organisation gets 404 on every person URL, whatever the method; so does an
organisation whose consent was withdrawn. Nothing is changed by such a request."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from passeport.core.models import AuditEvent
from passeport.paths.models import (
    Action,
    DiagnosticEntry,
    Objective,
    Path,
    TimelineEvent,
    WorkHoursStep,
)
from passeport.people.enums import ConsentScope
from passeport.people.models import Consent, Invitation, Person
from tests.factories import ConsentFactory

TODAY = timezone.localdate().isoformat()

# Every URL of a person, with the item it needs and a valid POST that would change
# something if the access check were missing.
PERSON_URLS = {
    "passport": (None, {}),
    "person_edit": (None, {"first_name": "Pirate", "last_name": "X", "birth_date": "1990-05-17"}),
    "situation": (None, {"employment_status": "employed"}),
    "diagnostic": (None, {"assessed_on": TODAY, "severite_mobilite": "3"}),
    "objective_add": (None, {"title": "Objectif pirate"}),
    "objective_status": ("objective", {"status": "abandoned"}),
    "action_add": (None, {"title": "Action pirate"}),
    "action_status": ("action", {"status": "cancelled"}),
    "event_add": (None, {"kind": "note", "title": "Note pirate"}),
    "appointment_outcome": ("appointment", {"outcome": "missed"}),
    "appointment_calendar": ("appointment", {}),
    "work_hours_add": (None, {"hours_per_week": 8, "starts_on": TODAY,
                              "contract": "premieres_heures"}),
    "referent": (None, {"referent": "referent"}),
    "path_pause": (None, {}),
    "path_close": (None, {"exit_reason": "dropped", "closed_on": TODAY}),
    "path_open": (None, {"referent": "referent"}),
    "consent_withdraw": ("consent", {"confirmed": "on"}),
    "invite": (None, {"email": "pirate@example.org"}),
}


def test_every_person_url_is_covered():
    names = set()

    def walk(patterns, namespace=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and namespace == "pro" and "public_id" in str(p.pattern):
                names.add(p.name)

    walk(get_resolver().url_patterns)
    assert names == set(PERSON_URLS)


def snapshot(path):
    person = Person.objects.get(pk=path.person_id)
    path.refresh_from_db()
    return (
        person.first_name, path.status, path.referent_id, path.employment_status,
        Objective.objects.count(), Action.objects.filter(status="cancelled").count(),
        Action.objects.count(), TimelineEvent.objects.count(),
        list(TimelineEvent.objects.values_list("appointment_outcome", flat=True).order_by("pk")),
        WorkHoursStep.objects.count(), DiagnosticEntry.objects.count(),
        Consent.objects.filter(withdrawn_at__isnull=False).count(), Invitation.objects.count(),
        Path.objects.count(), list(Objective.objects.values_list("status", flat=True)),
    )


def person_url(name, path):
    item, data = PERSON_URLS[name]
    args = [path.person.public_id]
    if item == "objective":
        args.append(path.objectives.first().pk)
    elif item == "action":
        args.append(path.actions.first().pk)
    elif item == "appointment":
        args.append(path.events.filter(kind="appointment").first().pk)
    elif item == "consent":
        args.append(path.person.consents.filter(scope=ConsentScope.RIGHTS).first().pk)
    data = {k: (path.referent_id if v == "referent" else v) for k, v in data.items()}
    return reverse(f"pro:{name}", args=args), data


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("name", sorted(PERSON_URLS))
@pytest.mark.django_db
def test_other_organisation_gets_404(outsider_client, other_org, rich_path, name, method):
    url, data = person_url(name, rich_path)
    before = snapshot(rich_path)
    response = getattr(outsider_client, method)(url, data if method == "post" else None)
    assert response.status_code == 404
    assert snapshot(rich_path) == before
    # (the full name: the page's header shows the outsider's own random name)
    assert rich_path.person.full_name not in response.content.decode()
    assert rich_path.person.public_id not in response.content.decode()
    assert not AuditEvent.objects.filter(person_uid=rich_path.person.public_id,
                                         organisation=other_org).exists()


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("name", sorted(PERSON_URLS))
@pytest.mark.django_db
def test_withdrawn_consent_gets_404(pro_client, rich_path, name, method):
    url, data = person_url(name, rich_path)
    Consent.objects.filter(person=rich_path.person, scope=ConsentScope.PATH).update(
        withdrawn_at=timezone.now())
    before = snapshot(rich_path)
    response = getattr(pro_client, method)(url, data if method == "post" else None)
    assert response.status_code == 404
    assert snapshot(rich_path) == before


@pytest.mark.django_db
def test_consent_to_another_scope_does_not_open_the_path(outsider_client, other_org, rich_path):
    ConsentFactory(person=rich_path.person, organisation=other_org, scope=ConsentScope.RIGHTS)
    assert outsider_client.get(reverse("pro:passport",
                                       args=[rich_path.person.public_id])).status_code == 404


@pytest.mark.django_db
def test_the_same_urls_work_for_the_organisation(pro_client, rich_path):
    """The control: what the other organisation cannot do, the référent can."""
    for name in ("passport", "person_edit", "situation", "diagnostic", "action_add", "invite"):
        url, _ = person_url(name, rich_path)
        assert pro_client.get(url).status_code == 200, name
    url, data = person_url("event_add", rich_path)
    assert pro_client.post(url, data).status_code == 302
    assert TimelineEvent.objects.filter(title="Note pirate").exists()


@pytest.mark.django_db
def test_unknown_public_id_is_404(pro_client):
    assert pro_client.get(reverse("pro:passport", args=["AAAA-BBBB-CCCC"])).status_code == 404
    assert pro_client.get("/pro/personnes/pas-un-identifiant/").status_code == 404
