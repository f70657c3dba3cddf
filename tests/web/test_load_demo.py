"""The demo data command: counts, varied paths, idempotence, refusal in production,
and every demo path visible to its référent through the caseload."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from stdnum.fr import siret

from passeport.core.actor import Actor
from passeport.core.enums import Role
from passeport.core.models import AuditEvent, Membership, Organisation
from passeport.paths.enums import PathStatus
from passeport.paths.models import Action, Path, TimelineEvent, WorkHoursStep
from passeport.paths.selectors import CaseloadFilters, caseload_queryset
from passeport.people.enums import ConsentScope
from passeport.people.models import Consent, Person
from passeport.reporting.models import Operation, Participation
from passeport.rupture.models import Alert
from passeport.web.management.commands.load_demo import demo_password

PASSWORD = "demo-test-mot-de-passe"


def run(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.PASSEPORT_VAULT_DIR = str(tmp_path / "vault")
    return run("--persons", "20", "--password", PASSWORD)


def test_demo_counts_and_logins(demo, client):
    assert Organisation.objects.count() == 6
    assert all(siret.is_valid(s) for s in Organisation.objects.values_list("siret", flat=True))
    assert Membership.objects.filter(role=Role.REFERENT).count() == 12
    assert Membership.objects.filter(role=Role.MANAGER).count() == 6
    assert Membership.objects.filter(role=Role.ADMIN).count() == 6
    assert Person.objects.count() == 20
    assert Path.objects.count() == 20
    # The printed logins work with the printed password.
    emails = [word for word in demo.split() if "@" in word]
    assert len(emails) == 4 and f"Mot de passe de tous ces comptes : {PASSWORD}" in demo
    for email in emails:
        assert client.login(username=email, password=PASSWORD), email


def test_demo_paths_are_varied(demo):
    statuses = set(Path.objects.values_list("status", flat=True))
    assert statuses == {PathStatus.ACTIVE, PathStatus.PAUSED, PathStatus.CLOSED}
    ladder = list(WorkHoursStep.objects.values_list("hours_per_week", flat=True)
                  .order_by("path_id", "starts_on"))
    assert ladder[:2] == [4, 8]
    assert Action.objects.open().filter(due_on__lt=timezone.localdate()).exists()
    assert TimelineEvent.objects.filter(kind="appointment", appointment_outcome="missed").exists()
    followed_twice = [p for p in Person.objects.all()
                      if Consent.objects.filter(person=p, scope=ConsentScope.PATH)
                      .values("organisation").distinct().count() > 1]
    assert followed_twice
    assert Consent.objects.filter(withdrawn_at__isnull=False).exists()
    assert Person.objects.filter(user__isnull=False).count() == 1
    # Built through the services: every person has a creation audit event.
    assert AuditEvent.objects.filter(action="create", object_type="person").count() == 20


def test_demo_runs_esf_operations_and_detects_risks(demo, client):
    """The mission locale, the PLIE and the ACI each run an ESF+ operation with their persons enrolled, and the
    risks of rupture have been computed once, so those pages are not empty."""
    for op in Operation.objects.all():
        assert op.participations.exists(), op.title
    assert Operation.objects.count() == 3
    assert Participation.objects.exclude(gender="").exists()  # prefilled from the passport
    assert Alert.objects.exists()
    manager = Membership.objects.filter(role=Role.MANAGER, organisation__kind="plie").first()
    client.login(username=manager.user.email, password=PASSWORD)
    html = client.get(reverse("reporting:operations")).content.decode()
    assert "Accompagnement renforcé" in html


def test_demo_person_has_an_assessed_immersion_with_the_employer_evaluation(demo, client):
    """The demo person did an immersion at the ACI; the ACI's levels are in their skills."""
    from passeport.jobs.models import Immersion
    from passeport.skills.models import Evaluation

    person = Person.objects.get(user__isnull=False)
    immersion = Immersion.objects.get(person=person)
    assert immersion.status == "assessed" and immersion.employer.kind == "aci"
    evaluations = Evaluation.objects.filter(person=person, source="employer", organisation=immersion.employer)
    assert {e.grid.code for e in evaluations} == {"rome-k1304-sf", "rome-k1304-se"}
    client.login(username=person.user.email, password=PASSWORD)
    page = client.get(reverse("skills:me")).content.decode()
    assert "Mes évaluations au travail" in page and "Préparer des repas" in page


def test_demo_is_idempotent(demo):
    counts = (Person.objects.count(), Path.objects.count(), TimelineEvent.objects.count())
    out = run("--persons", "20", "--password", PASSWORD)
    assert "déjà chargées" in out
    assert (Person.objects.count(), Path.objects.count(), TimelineEvent.objects.count()) == counts
    assert Organisation.objects.count() == 6


def test_every_demo_path_is_in_its_referents_caseload(demo):
    for path in Path.objects.select_related("referent__user", "referent__organisation"):
        assert path.referent is not None
        actor = Actor(user=path.referent.user, membership=path.referent)
        status = PathStatus.CLOSED if path.status == PathStatus.CLOSED else ""
        visible = caseload_queryset(actor, CaseloadFilters(status=status))
        assert visible.filter(pk=path.pk).exists(), path


def test_password_is_not_the_fixed_one_outside_debug(db):
    out = run("--persons", "3")
    assert demo_password() not in out
    assert "Mot de passe de tous ces comptes : " in out


@override_settings(PRODUCTION=True)
def test_refused_in_production_unless_forced(db):
    with pytest.raises(CommandError):
        run("--persons", "2")
    assert not Organisation.objects.exists()
    run("--persons", "2", "--force", "--password", PASSWORD)
    assert Person.objects.count() == 2


def test_demo_directory_and_orientations(demo):
    """The demo territory publishes its offer (valid data·inclusion) and shows orientations
    waiting, accepted and refused, written in the persons' timelines."""
    from data_inclusion.schema.v1 import Service as DiService

    from passeport.directory.models import Orientation, Service
    from passeport.directory.selectors import directory_export

    assert Service.objects.filter(structure__organisation__isnull=False).count() >= 10
    _structures, services = directory_export()
    for record in services:
        DiService.model_validate(record)
    statuses = set(Orientation.objects.values_list("status", flat=True))
    assert {"sent", "accepted"} <= statuses
    for orientation in Orientation.objects.all():
        assert TimelineEvent.objects.filter(path__person=orientation.person,
                                            kind="orientation").exists()


def test_demo_person_keeps_papers_in_the_safe(demo, client):
    """The demo person's safe holds three readable papers; the identity card expires
    soon and is shared with the référent's organisation."""
    import re

    from passeport.vault.models import Document, Share
    from passeport.vault.services import verify_version

    person = Person.objects.get(user__isnull=False, paths__isnull=False)
    documents = list(Document.objects.filter(person=person).order_by("pk"))
    assert [d.title for d in documents] == ["Carte d'identité", "Attestation de paiement CAF",
                                            "Quittance de loyer"]
    identity = documents[0]
    assert 0 < (identity.expires_on - timezone.localdate()).days <= 30
    share = Share.objects.get(document=identity)
    assert share.organisation_id == person.paths.get().organisation_id
    for document in documents:
        assert verify_version(document.versions.get()) == ""  # sound
    # The person reads them in their space and downloads a real PDF.
    client.force_login(person.user)
    page = client.get("/mon-passeport/documents/").content.decode()
    assert "Carte d'identité" in page or "Carte d&#x27;identité" in page
    from passeport.web.demo import demo_pdf

    pdf = demo_pdf("Quittance de loyer")
    xref = int(re.search(rb"startxref\n(\d+)", pdf).group(1))
    offsets = [int(o) for o in re.findall(rb"(\d{10}) 00000 n", pdf[xref:])]
    assert pdf.startswith(b"%PDF-") and len(offsets) == 5
    assert all(pdf[o:].startswith(f"{n} 0 obj".encode()) for n, o in enumerate(offsets, 1))


def test_demo_person_has_a_pending_access_request(demo, client):
    """An organisation that does not follow the demo person asks to see their passport:
    « Demandes d'accès » shows it."""
    from passeport.people.models import AccessRequest

    person = Person.objects.get(user__isnull=False)
    request = AccessRequest.objects.get(person=person)
    assert request.is_pending
    assert not Consent.objects.active().filter(person=person,
                                               organisation=request.organisation).exists()
    client.force_login(person.user)
    page = client.get(reverse("me:access")).content.decode()
    assert 'id="demandes"' in page and request.organisation.name in page


def test_demo_booking_invitations(demo, client):
    """The demo person is invited to choose a slot (their space opens on it); another
    person already chose one through their link, which created the appointment."""
    from passeport.paths.enums import BookingStatus
    from passeport.paths.models import BookingInvitation

    person = Person.objects.get(user__isnull=False)
    pending = BookingInvitation.objects.get(path__person=person)
    assert pending.status == BookingStatus.PENDING and pending.is_open
    assert pending.slots.count() == 3
    client.force_login(person.user)
    home = client.get(reverse("me:home")).content.decode()
    assert "Choisissez votre rendez-vous" in home
    answered = BookingInvitation.objects.exclude(path__person=person).get()
    assert answered.status == BookingStatus.BOOKED and answered.answered_via == "link"
    assert answered.appointment.appointment_outcome == "planned"
    assert answered.appointment.occurred_at == answered.chosen_slot.starts_at
