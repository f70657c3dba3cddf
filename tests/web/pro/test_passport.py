import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from passeport.core.models import AuditEvent
from passeport.paths.enums import (
    ActionStatus,
    AppointmentOutcome,
    EventKind,
    FreinTheme,
    ObjectiveStatus,
    PathStatus,
)
from passeport.paths.models import (
    Action,
    DiagnosticEntry,
    Objective,
    Path,
    TimelineEvent,
    WorkHoursStep,
)
from passeport.people.enums import ConsentScope
from passeport.people.models import Consent, Invitation
from tests.factories import ConsentFactory, MembershipFactory, UserFactory

HTMX = {"HX-Request": "true"}


def url(name, path, *args):
    return reverse(f"pro:{name}", args=[path.person.public_id, *args])


@pytest.mark.django_db
def test_passport_page_shows_every_section_and_is_audited(pro_client, rich_path):
    person = rich_path.person
    response = pro_client.get(url("passport", rich_path))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1 and "Élodie Kerouac" in html
    assert person.public_id in html and f"{person.age} ans" in html and "Brest" in html
    for section in ("Situation et diagnostic", "Objectifs et actions", "Historique",
                    "Heures de travail", "Qui suit ce parcours", "Espace personnel"):
        assert f">{section}</h2>" in html, section
    assert "Retrouver un logement stable" in html and "En retard" in html
    assert "Je ne pourrai pas venir jeudi." in html and "Ajouté par la personne" in html
    assert AuditEvent.objects.filter(person_uid=person.public_id, action="view",
                                     object_type="path").exists()


@pytest.mark.django_db
def test_opening_the_page_marks_the_persons_items_seen_for_the_referent(
        client, pro_client, org, rich_path):
    message = TimelineEvent.objects.get(by_person=True)
    colleague = MembershipFactory(organisation=org)
    client.force_login(colleague.user)
    client.get(url("passport", rich_path))
    message.refresh_from_db()
    assert message.seen_by_referent_at is None  # a colleague's visit does not count
    client.force_login(rich_path.referent.user)
    html = client.get(url("passport", rich_path)).content.decode()
    assert ">Nouveau<" in html  # shown one last time
    message.refresh_from_db()
    assert message.seen_by_referent_at is not None
    assert ">Nouveau<" not in client.get(url("passport", rich_path)).content.decode()


@pytest.mark.django_db
def test_diagnostic_assess_and_reassess_keeps_history(pro_client, followed_path):
    page = pro_client.get(url("diagnostic", followed_path)).content.decode()
    assert "Mobilité" in page and "Logement et hébergement" in page
    assert page.count('name="severite_') == len(FreinTheme.choices)
    day1 = timezone.localdate() - dt.timedelta(days=10)
    response = pro_client.post(url("diagnostic", followed_path), {
        "assessed_on": day1.isoformat(), f"severite_{FreinTheme.MOBILITE}": "3",
        f"commentaire_{FreinTheme.MOBILITE}": "Pas de permis, pas de bus le matin",
        f"severite_{FreinTheme.SANTE}": "1",
    })
    assert response.status_code == 302
    assert response["Location"].endswith("#situation")
    assert DiagnosticEntry.objects.filter(path=followed_path).count() == 2
    # Re-assessment: mobility gets better; the former entry stays in the history.
    pro_client.post(url("diagnostic", followed_path), {
        "assessed_on": timezone.localdate().isoformat(),
        f"severite_{FreinTheme.MOBILITE}": "1",
        f"commentaire_{FreinTheme.MOBILITE}": "Vélo prêté par l'association",
        f"severite_{FreinTheme.SANTE}": "1",
    })
    mobility = DiagnosticEntry.objects.filter(path=followed_path, theme=FreinTheme.MOBILITE)
    assert mobility.count() == 2
    assert mobility.get(is_current=True).severity == 1
    html = pro_client.get(url("passport", followed_path)).content.decode()
    assert "Historique des évaluations" in html
    assert "Pas de permis, pas de bus le matin" in html and "Vélo prêté" in html
    assert TimelineEvent.objects.filter(path=followed_path, kind=EventKind.REASSESSMENT).count() == 2


@pytest.mark.django_db
def test_diagnostic_bad_input_saves_nothing(pro_client, followed_path):
    future = timezone.localdate() + dt.timedelta(days=3)
    response = pro_client.post(url("diagnostic", followed_path), {
        "assessed_on": future.isoformat(), f"severite_{FreinTheme.MOBILITE}": "2",
        f"commentaire_{FreinTheme.MOBILITE}": "Commentaire gardé",
    })
    assert response.status_code == 200
    html = response.content.decode()
    assert "dans le futur" in html and 'id="id_assessed_on-desc-error"' in html
    assert "Commentaire gardé" in html
    assert not DiagnosticEntry.objects.exists()
    response = pro_client.post(url("diagnostic", followed_path),
                               {"assessed_on": timezone.localdate().isoformat()})
    assert "Évaluez au moins un frein." in response.content.decode()
    assert not DiagnosticEntry.objects.exists()


@pytest.mark.django_db
def test_situation_at_entry(pro_client, followed_path):
    response = pro_client.post(url("situation", followed_path), {
        "employment_status": "unemployed", "unemployed_since": "2023-01-15",
        "education_level": "isced_3_4", "housing_status": "hosted", "benefits": ["rsa", "css"],
    })
    assert response.status_code == 302
    followed_path.refresh_from_db()
    assert followed_path.benefits == ["css", "rsa"] and followed_path.housing_status == "hosted"
    html = pro_client.get(url("passport", followed_path)).content.decode()
    assert "Hébergé par la famille ou des amis" in html and "RSA" in html
    response = pro_client.post(url("situation", followed_path), {
        "employment_status": "unemployed", "unemployed_since": "2999-01-01"})
    assert "dans le futur" in response.content.decode()
    followed_path.refresh_from_db()
    assert followed_path.unemployed_since == dt.date(2023, 1, 15)


@pytest.mark.django_db
def test_add_action_with_objective_frein_due_date_and_assignee(pro_client, org, other_org,
                                                               rich_path, outsider):
    objective = Objective.objects.get(title="Retrouver un logement stable")
    ConsentFactory(person=rich_path.person, organisation=other_org)  # PLIE follows the path
    page = pro_client.get(url("action_add", rich_path)).content.decode()
    assert "Intitulé de l&#x27;action" in page
    assert outsider.user.get_full_name() in page  # members of organisations that follow
    due = timezone.localdate() + dt.timedelta(days=14)
    response = pro_client.post(url("action_add", rich_path), {
        "title": "Rendez-vous avec la conseillère logement", "description": "Apporter l'avis",
        "objective": objective.pk, "theme": FreinTheme.LOGEMENT_HEBERGEMENT,
        "due_on": due.isoformat(), "assignee": outsider.pk,
    })
    assert response.status_code == 302 and response["Location"].endswith("#objectifs")
    action = Action.objects.get(title="Rendez-vous avec la conseillère logement")
    assert action.objective == objective and action.assignee == outsider
    assert action.organisation == other_org and action.due_on == due
    assert action.status == ActionStatus.TODO


@pytest.mark.django_db
def test_add_action_bad_input_keeps_data_and_saves_nothing(pro_client, other_org, followed_path):
    stranger = MembershipFactory(organisation=other_org)  # no consent for that organisation
    before = followed_path.opened_on - dt.timedelta(days=1)
    response = pro_client.post(url("action_add", followed_path), {
        "title": "Titre gardé", "due_on": before.isoformat()})
    html = response.content.decode()
    assert response.status_code == 200
    assert "avant le début du parcours" in html and 'id="id_due_on-desc-error"' in html
    assert 'value="Titre gardé"' in html
    response = pro_client.post(url("action_add", followed_path), {
        "title": "Titre gardé", "assignee": stranger.pk})
    assert "assignee" in response.context["form"].errors
    assert not Action.objects.exists()


@pytest.mark.django_db
def test_validate_proposals_of_the_person(pro_client, rich_path):
    action = Action.objects.get(status=ActionStatus.PROPOSED)
    objective = Objective.objects.get(status=ObjectiveStatus.PROPOSED)
    html = pro_client.get(url("passport", rich_path)).content.decode()
    assert "Proposée par la personne" in html and "Proposé par la personne" in html
    assert html.count(">Valider<") == 2
    response = pro_client.post(url("action_status", rich_path, action.pk), {"status": "todo"},
                               headers=HTMX)
    body = response.content.decode()
    assert response.status_code == 200 and body.startswith("\n<section id=\"objectifs\"")
    assert "L&#x27;action proposée par la personne est validée." in body or \
        "L'action proposée par la personne est validée." in body
    assert 'id="historique"' in body and 'hx-swap-oob="true"' in body
    action.refresh_from_db()
    assert action.status == ActionStatus.TODO
    response = pro_client.post(url("objective_status", rich_path, objective.pk),
                               {"status": "active"})
    assert response.status_code == 302 and response["Location"].endswith("#objectifs")
    objective.refresh_from_db()
    assert objective.status == ObjectiveStatus.ACTIVE


@pytest.mark.django_db
def test_change_action_status_with_outcome(pro_client, rich_path):
    action = Action.objects.get(title="Déposer le dossier de logement social")
    pro_client.post(url("action_status", rich_path, action.pk),
                    {"status": "done", "outcome": "Dossier déposé, numéro unique obtenu"})
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE and action.done_at is not None
    assert action.outcome == "Dossier déposé, numéro unique obtenu"
    response = pro_client.post(url("action_status", rich_path, action.pk),
                               {"status": "n-importe-quoi", "outcome": "gardé"}, headers=HTMX)
    body = response.content.decode()
    assert "Sélectionnez un choix valide" in body and "gardé" in body
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE


@pytest.mark.django_db
def test_add_objective_and_note_with_htmx(pro_client, rich_path):
    response = pro_client.post(url("objective_add", rich_path),
                               {"title": "Reprendre une formation"}, headers=HTMX)
    assert "Reprendre une formation" in response.content.decode()
    assert Objective.objects.filter(title="Reprendre une formation").exists()
    response = pro_client.post(url("event_add", rich_path), {
        "kind": "note", "title": "Point téléphonique", "body": "Elle a trouvé un hébergement."},
        headers=HTMX)
    body = response.content.decode()
    assert response.status_code == 200 and body.lstrip().startswith('<section id="historique"')
    assert "Point téléphonique" in body and "autofocus" in body
    assert "<html" not in body
    event = TimelineEvent.objects.get(title="Point téléphonique")
    assert event.author == rich_path.referent.user and event.kind == EventKind.NOTE


@pytest.mark.django_db
def test_add_note_bad_input_without_javascript(pro_client, rich_path):
    count = TimelineEvent.objects.count()
    response = pro_client.post(url("event_add", rich_path), {"kind": "note", "title": "",
                                                             "body": "Texte gardé"})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html
    assert 'id="evenement-title-desc-error"' in html and "Texte gardé" in html
    response = pro_client.post(url("event_add", rich_path), {
        "kind": "note", "title": "Note", "appointment_outcome": "held"})
    assert "Seul un rendez-vous a un résultat." in response.content.decode()
    assert TimelineEvent.objects.count() == count


@pytest.mark.django_db
def test_appointment_and_its_outcome(pro_client, rich_path):
    pro_client.post(url("event_add", rich_path), {
        "kind": "appointment", "title": "Entretien CAF", "occurred_at": "2026-01-05T10:30"})
    appointment = TimelineEvent.objects.get(title="Entretien CAF")
    assert appointment.appointment_outcome == AppointmentOutcome.PLANNED
    response = pro_client.post(url("appointment_outcome", rich_path, appointment.pk),
                               {"outcome": "missed"}, headers=HTMX)
    assert "Le résultat du rendez-vous est enregistré." in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.appointment_outcome == AppointmentOutcome.MISSED


@pytest.mark.django_db
def test_work_hours_ladder(pro_client, followed_path):
    start = timezone.localdate() - dt.timedelta(days=20)
    pro_client.post(url("work_hours_add", followed_path), {
        "hours_per_week": 4, "starts_on": start.isoformat(), "contract": "premieres_heures",
        "employer_name": "Atelier du Vélo"})
    response = pro_client.post(url("work_hours_add", followed_path), {
        "hours_per_week": 8, "starts_on": (start + dt.timedelta(days=14)).isoformat(),
        "contract": "premieres_heures"})
    assert response.status_code == 302 and response["Location"].endswith("#heures")
    steps = list(WorkHoursStep.objects.order_by("starts_on"))
    assert [s.hours_per_week for s in steps] == [4, 8]
    assert steps[0].ends_on == steps[1].starts_on - dt.timedelta(days=1)
    html = pro_client.get(url("passport", followed_path)).content.decode()
    assert "8 h par semaine" in html and "(palier actuel)" in html
    assert 'name="hours_per_week" value="12"' in html  # the next rung is suggested
    response = pro_client.post(url("work_hours_add", followed_path), {
        "hours_per_week": 40, "starts_on": timezone.localdate().isoformat(),
        "contract": "cddi"})
    assert response.status_code == 200 and "35" in response.content.decode()
    assert WorkHoursStep.objects.count() == 2


@pytest.mark.django_db
def test_change_referent_pause_and_close(pro_client, org, followed_path):
    colleague = MembershipFactory(organisation=org, user__first_name="Yannick",
                                  user__last_name="Tanguy")
    response = pro_client.post(url("referent", followed_path), {"referent": colleague.pk})
    assert response.status_code == 302
    followed_path.refresh_from_db()
    assert followed_path.referent == colleague
    pro_client.post(url("path_pause", followed_path))
    followed_path.refresh_from_db()
    assert followed_path.status == PathStatus.PAUSED
    pro_client.post(url("path_pause", followed_path))
    followed_path.refresh_from_db()
    assert followed_path.status == PathStatus.ACTIVE
    response = pro_client.post(url("path_close", followed_path),
                               {"exit_reason": "", "closed_on": timezone.localdate().isoformat()})
    assert response.status_code == 200 and "exit_reason" in response.context["form"].errors
    followed_path.refresh_from_db()
    assert followed_path.status == PathStatus.ACTIVE
    response = pro_client.post(url("path_close", followed_path), {
        "exit_reason": "employment", "closed_on": timezone.localdate().isoformat()})
    followed_path.refresh_from_db()
    assert followed_path.status == PathStatus.CLOSED and followed_path.exit_reason == "employment"
    html = pro_client.get(url("passport", followed_path)).content.decode()
    assert "Ouvrir un nouveau parcours" in html and "Ajouter une action" not in html
    # The closed path takes no more changes; a new path can be opened.
    assert pro_client.get(url("action_add", followed_path)).status_code == 404
    pro_client.post(url("path_open", followed_path), {"referent": colleague.pk})
    new = Path.objects.open().get(person=followed_path.person)
    assert new.referent == colleague and new.pk != followed_path.pk


@pytest.mark.django_db
def test_record_a_withdrawal_told_orally(pro_client, org, followed_path):
    rights = Consent.objects.get(person=followed_path.person, organisation=org,
                                 scope=ConsentScope.RIGHTS)
    html = pro_client.get(url("passport", followed_path)).content.decode()
    assert "Formulaire signé par la personne" in html
    response = pro_client.post(url("consent_withdraw", followed_path, rights.pk), {})
    assert "confirmed" in response.context["form"].errors
    rights.refresh_from_db()
    assert rights.withdrawn_at is None
    pro_client.post(url("consent_withdraw", followed_path, rights.pk), {"confirmed": "on"})
    rights.refresh_from_db()
    assert rights.withdrawn_at is not None and rights.withdrawn_by == followed_path.referent.user
    path_consent = Consent.objects.get(person=followed_path.person, organisation=org,
                                       scope=ConsentScope.PATH)
    response = pro_client.post(url("consent_withdraw", followed_path, path_consent.pk),
                               {"confirmed": "on"})
    assert response["Location"] == reverse("pro:caseload")
    # Access is cut at once.
    assert pro_client.get(url("passport", followed_path)).status_code == 404


@pytest.mark.django_db
def test_invite_shows_the_link_once(pro_client, followed_path, django_capture_on_commit_callbacks):
    person = followed_path.person
    html = pro_client.get(url("passport", followed_path)).content.decode()
    assert "Espace pas encore activé" in html and "Envoyer l&#x27;invitation" in html or \
        "Envoyer l'invitation" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = pro_client.post(url("invite", followed_path), {"email": "Elodie@Example.org"})
    html = response.content.decode()
    assert response.status_code == 200 and "Invitation envoyée" in html
    assert response["Cache-Control"] == "no-store"
    invitation = Invitation.objects.get(person=person)
    assert invitation.email == "elodie@example.org"
    link = html.split('id="invitation-link">')[1].split("<")[0]
    assert link.startswith("http://testserver/invitation/")
    # The link shown is the one sent by e-mail, and it is not shown again.
    assert len(mail.outbox) == 1 and link in mail.outbox[0].body
    assert link not in pro_client.get(url("passport", followed_path)).content.decode()
    assert "Dernière invitation envoyée le" in pro_client.get(
        url("passport", followed_path)).content.decode()


@pytest.mark.django_db
def test_invite_bad_input_and_activated_space(pro_client, followed_path):
    UserFactory(email="pris@example.org")
    response = pro_client.post(url("invite", followed_path), {"email": "pris@example.org"})
    assert response.status_code == 200
    assert "déjà utilisée" in response.content.decode()
    assert 'value="pris@example.org"' in response.content.decode()
    response = pro_client.post(url("invite", followed_path), {"email": "pas-une-adresse"})
    assert "email" in response.context["form"].errors
    assert not Invitation.objects.exists()
    person = followed_path.person
    person.user = UserFactory()
    person.save()
    html = pro_client.get(url("passport", followed_path)).content.decode()
    assert "Espace activé" in html and "Envoyer l&#x27;invitation" not in html


@pytest.mark.django_db
def test_edit_identity(pro_client, followed_path):
    person = followed_path.person
    page = pro_client.get(url("person_edit", followed_path)).content.decode()
    assert 'value="Élodie"' in page
    data = {"first_name": "Élodie", "last_name": "Kerouac-Le Bras", "birth_date": "1990-05-17",
            "phone": "0612345678", "nir": "2 90 05 29 019 123 11"}
    response = pro_client.post(url("person_edit", followed_path), data)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.last_name == "Kerouac-Le Bras" and person.nir == "290052901912311"
    page = pro_client.get(url("person_edit", followed_path)).content.decode()
    assert "2 90 05 ••• ••• •• 11" in page
    response = pro_client.post(url("person_edit", followed_path),
                               {**data, "last_name": "Autre", "birth_date": "pas une date"})
    assert "birth_date" in response.context["form"].errors
    assert 'value="Autre"' in response.content.decode()
    person.refresh_from_db()
    assert person.last_name == "Kerouac-Le Bras"


@pytest.mark.django_db
def test_person_without_a_path(pro_client, org, referent):
    from tests.factories import PersonFactory

    person = PersonFactory(first_name="Loïc", last_name="Cadiou")
    ConsentFactory(person=person, organisation=org)
    page_url = reverse("pro:passport", args=[person.public_id])
    html = pro_client.get(page_url).content.decode()
    assert "Pas de parcours" in html and "Ouvrir un nouveau parcours" in html
    assert pro_client.get(reverse("pro:diagnostic", args=[person.public_id])).status_code == 404
    pro_client.post(reverse("pro:path_open", args=[person.public_id]), {"referent": referent.pk})
    assert Path.objects.get(person=person).referent == referent
    assert "Objectifs et actions" in pro_client.get(page_url).content.decode()


@pytest.mark.django_db
def test_passport_links_to_the_other_parts_of_the_passport(pro_client, org, followed_path):
    """Documents, rights, nearby services and orientations are one click away, and each
    link opens a page the référent may use; a part the person did not open to the
    organisation has no link (rather than a dead end)."""
    public_id = followed_path.person.public_id
    documents = reverse("vault:pro_documents", args=[public_id])
    html = pro_client.get(url("passport", followed_path)).content.decode()
    assert documents not in html  # the person opened their path and rights, not documents
    assert pro_client.get(documents).status_code == 404

    ConsentFactory(person=followed_path.person, organisation=org, scope=ConsentScope.DOCUMENTS)
    html = pro_client.get(url("passport", followed_path)).content.decode()
    for name, label in (("vault:pro_documents", "Documents"), ("rights:pro", "Droits et aides"),
                        ("directory:person_services", "Services proches"),
                        ("directory:person_orientations", "Orientations")):
        href = reverse(name, args=[public_id])
        assert f'href="{href}">{label}</a>' in html, name
        assert pro_client.get(href).status_code == 200, name
    for name in ("directory:search", "directory:orientations", "rights:screenings"):
        assert f'href="{reverse(name)}"' in html, name
