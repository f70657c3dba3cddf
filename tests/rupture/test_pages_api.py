"""Pages and API of the risk of rupture: ordering by the documented priority, the
person's risk view with explanations and next steps, acknowledging from the page, the
person's own view in plain words, and 404 for another organisation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from passeport.core.actor import Actor
from passeport.core.enums import AuditAction
from passeport.core.models import AuditEvent
from passeport.core.services import api_token_create
from passeport.paths.enums import EventKind
from passeport.paths.models import Action, TimelineEvent
from passeport.people.enums import ConsentScope
from passeport.rupture import texts
from passeport.rupture.enums import AlertStatus, SignalKind
from passeport.rupture.models import Alert
from passeport.rupture.services import alerts_refresh
from tests.factories import ConsentFactory, PathFactory, PersonFactory, UserFactory

D = dt.timedelta


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def risky(org, referent, today):
    """Two followed persons: one silent for 50 days with an overdue action (score 4),
    one with only an overdue action (score 1); alerts computed today."""
    paths = []
    for last, first, silent in (("Quéré", "Annaig", False), ("Abgrall", "Tangi", True)):
        person = PersonFactory(first_name=first, last_name=last)
        ConsentFactory(person=person, organisation=org, scope=ConsentScope.PATH,
                       valid_from=today - D(100))
        path = PathFactory(person=person, organisation=org, referent=referent,
                           opened_on=today - D(60))
        if not silent:
            TimelineEvent.objects.create(path=path, kind=EventKind.CONTACT, title="Appel",
                                         occurred_at=timezone.now() - D(days=2))
        Action.objects.create(path=path, title="Envoyer le CV", due_on=today - D(20))
        paths.append(path)
    alerts_refresh(today=today)
    return paths


def test_list_is_ordered_by_priority_and_explained(pro_client, risky):
    html = pro_client.get(reverse("rupture:caseload")).content.decode()
    assert html.index("ABGRALL") < html.index("QUÉRÉ")
    assert "priorité 4" in html and "priorité 1" in html
    assert "Pas de contact depuis 60 jours" in html
    assert "Action « Envoyer le CV » en retard de 20 jours" in html
    assert "Comment l'ordre de la liste est calculé" in html
    assert AuditEvent.objects.filter(action=AuditAction.LIST, object_type="rupture_list").count() == 2


def test_person_view_and_acknowledge_on_the_timeline(pro_client, risky):
    path = risky[1]
    url = reverse("rupture:person", args=[path.person.public_id])
    html = pro_client.get(url).content.decode()
    assert "Pas de contact depuis 60 jours" in html
    assert "Proposer un rendez-vous ou un appel" in html
    alert = Alert.objects.get(path=path, kind=SignalKind.NO_CONTACT)
    handle = reverse("rupture:alert_handle", args=[path.person.public_id, alert.pk])
    response = pro_client.post(handle, {"status": "bogus"})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN  # bad input saves nothing
    assert not TimelineEvent.objects.filter(path=path, kind=EventKind.ALERT).exists()
    pro_client.post(handle, {"status": "acknowledged", "note": "SMS envoyé"})
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED and alert.note == "SMS envoyé"
    event = TimelineEvent.objects.get(path=path, kind=EventKind.ALERT)
    assert event.title.startswith("Alerte prise en compte : Pas de contact")


def test_another_organisation_gets_404(client, outsider, risky):
    client.force_login(outsider.user)
    path = risky[1]
    assert client.get(reverse("rupture:person", args=[path.person.public_id])).status_code == 404
    alert = Alert.objects.filter(path=path).first()
    url = reverse("rupture:alert_handle", args=[path.person.public_id, alert.pk])
    assert client.post(url, {"status": "resolved"}).status_code == 404
    assert "ABGRALL" not in client.get(reverse("rupture:caseload")).content.decode()


def test_person_sees_their_own_signals_in_plain_words(client, risky):
    path = risky[1]
    user = UserFactory()
    path.person.user = user
    path.person.save()
    client.force_login(user)
    html = client.get(reverse("rupture:me")).content.decode()
    assert "Nous n&#x27;avons pas eu de nouvelles depuis 60 jours." in html
    assert "Une chose prévue n&#x27;est pas encore faite : « Envoyer le CV »." in html
    assert "jamais une sanction" in html


def test_preferences_form(pro_client, referent):
    url = reverse("rupture:preferences")
    assert pro_client.get(url).status_code == 200
    pro_client.post(url, {"digest": "on"})
    assert referent.rupture_preference.digest is True


def test_api_signals_alerts_caseload_and_handle(client, org, other_org, risky):
    _t, raw = api_token_create(actor=Actor.system(), organisation=org, name="SI")
    _o, other = api_token_create(actor=Actor.system(), organisation=other_org, name="Autre")
    h = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    public_id = risky[1].person.public_id
    body = client.get(f"/api/v1/rupture/persons/{public_id}/signals", **h).json()
    assert body["score"] == 4
    assert body["signals"][0]["explanation"] == "Pas de contact depuis 60 jours"
    alerts = client.get(f"/api/v1/rupture/persons/{public_id}/alerts", **h).json()
    assert {a["kind"] for a in alerts} == {"no_contact", "action_overdue"}
    rows = client.get("/api/v1/rupture/caseload", **h).json()
    assert [r["public_id"] for r in rows] == [public_id, risky[0].person.public_id]
    alert_id = next(a["id"] for a in alerts if a["kind"] == "no_contact")
    out = client.post(f"/api/v1/rupture/alerts/{alert_id}", {"status": "resolved"},
                      content_type="application/json", **h).json()
    assert out["status"] == "resolved"
    again = client.post(f"/api/v1/rupture/alerts/{alert_id}", {"status": "resolved"},
                        content_type="application/json", **h)
    assert again.status_code == 409 and again.json()["code"] == "alert_closed"
    oh = {"HTTP_AUTHORIZATION": f"Bearer {other}"}
    response = client.get(f"/api/v1/rupture/persons/{public_id}/signals", **oh)
    assert response.status_code == 404
    assert client.get("/api/v1/rupture/caseload", **oh).json() == []


@pytest.mark.parametrize(("kind", "days", "evidence", "expected"), [
    (SignalKind.NO_CONTACT, 47, {}, "Pas de contact depuis 47 jours"),
    (SignalKind.NO_CONTACT, 1, {}, "Pas de contact depuis 1 jour"),
    (SignalKind.ORIENTATION_UNANSWERED, 12, {"service": "Auto-école sociale", "partner": "Agora"},
     "Orientation vers Auto-école sociale (Agora) sans réponse depuis 12 jours"),
    (SignalKind.MISSED_APPOINTMENTS, 20, {"count": 3, "last": "2026-03-22"},
     "3 rendez-vous manqués de suite, le dernier le 22 mars 2026"),
    (SignalKind.WORK_HOURS_DOWN, 3, {"from": 12, "to": 8},
     "Heures de travail en baisse : de 12 h à 8 h par semaine"),
    (SignalKind.DOCUMENT_EXPIRING, -2, {"title": "Carte d'identité", "expires_on": "2026-03-01"},
     "Le document « Carte d'identité » a expiré le 1er mars 2026"),
    (SignalKind.NO_REFERENT, 0, {}, "Le parcours n'a pas de référent"),
])
def test_explanation_texts(kind, days, evidence, expected):
    assert texts.explain(kind, days, evidence) == expected
    assert texts.next_step(kind)
    assert texts.for_person(kind, days, {**evidence, "theme_label": "x", "title": "t",
                                         "ends_on": "2026-03-01", "contract": "CDDI",
                                         "partner": "p"})
