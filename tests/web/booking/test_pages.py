"""Pages of the booking invitations: the référent's form and list, the person's space,
and the single-use link that shows nothing but the organisation, the slots and the
motive. Another organisation gets 404 everywhere."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from passeport.paths.booking_services import booking_invite
from passeport.paths.enums import BookingStatus, EventKind
from passeport.paths.models import BookingInvitation, BookingSlot
from tests.factories import UserFactory
from tests.paths.booking_helpers import at, deadline, slots


def invite(actor, path, **kwargs):
    return booking_invite(actor=actor, path=path, slots=slots(), answer_by=deadline(),
                          motive="Faire le point sur votre recherche", **kwargs)


def form_data(rows, answer_by=None, motive="Point emploi"):
    data = {"motive": motive, "answer_by": (answer_by or deadline()).isoformat(),
            "creneau-TOTAL_FORMS": str(len(rows)), "creneau-INITIAL_FORMS": "0",
            "creneau-MIN_NUM_FORMS": "0", "creneau-MAX_NUM_FORMS": "10"}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"creneau-{i}-{key}"] = value
    return data


def row(days, hour="10:00", duration="45", mode="on_site", place="12 rue de Siam"):
    day = (timezone.localdate() + dt.timedelta(days=days)).isoformat() if days is not None else ""
    return {"day": day, "time": hour, "duration": duration, "mode": mode, "place": place}


BLANK = {"day": "", "time": "", "duration": "45", "mode": "on_site", "place": ""}


def test_referent_invites_from_the_form(pro_client, followed_path):
    url = reverse("booking:pro_invite", kwargs={"public_id": followed_path.person.public_id})
    page = pro_client.get(url)
    assert page.status_code == 200 and "Créneau 4" in page.content.decode()
    response = pro_client.post(url, form_data([row(3), row(4, "14:30", mode="phone", place=""), BLANK]))
    assert response.status_code == 302
    invitation = BookingInvitation.objects.get()
    assert [s.starts_at for s in invitation.slots.all()] == [at(3, 10), at(4, 14, 30)]
    listing = pro_client.get(response.url).content.decode()
    assert "Point emploi" in listing and "En attente de réponse" in listing


@pytest.mark.parametrize(("rows", "answer_by", "message"), [
    ([row(3), BLANK], None, "Indiquez le jour de ce créneau."),
    ([row(-2), row(3)], None, "Créneau 1 : cette date est passée. Proposez une date à venir."),
    ([row(3), row(3, "10:15", mode="video", place="")], None, "Créneau 2 : il chevauche le créneau 1."),
    ([row(3), row(4, place="")], None, "Créneau 2 : indiquez le lieu du rendez-vous."),
    ([row(3), {**BLANK, "day": (timezone.localdate() + dt.timedelta(days=5)).isoformat()}], None,
     "Indiquez l&#x27;heure de ce créneau."),
    ([row(3), row(4)], timezone.localdate() - dt.timedelta(days=1), "La date limite de réponse est passée."),
])
def test_bad_slots_show_french_errors_and_store_nothing(pro_client, followed_path, rows, answer_by,
                                                         message):
    url = reverse("booking:pro_invite", kwargs={"public_id": followed_path.person.public_id})
    response = pro_client.post(url, form_data(rows, answer_by))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and "Rien n'a été enregistré." in html
    assert BookingInvitation.objects.count() == 0 and BookingSlot.objects.count() == 0


def _fieldset(html: str, n: int) -> str:
    return html.split(f'id="creneau-{n}"')[1].split("</fieldset>")[0]


def test_the_first_two_slots_are_required_the_others_optional(pro_client, followed_path):
    url = reverse("booking:pro_invite", kwargs={"public_id": followed_path.person.public_id})
    html = pro_client.get(url).content.decode()
    for n in (1, 2):
        row_html = _fieldset(html, n)
        assert "ptionnel" not in row_html and "facultatif" not in row_html
        for name in ("day", "time", "duration"):
            field = row_html.split(f'id="id_creneau-{n - 1}-{name}"')[0].rsplit("<input", 1)[1]
            assert " required" in field, name
    third = _fieldset(html, 3)
    assert "facultatif" in third and "(Optionnel)" in third and " required" not in third
    # A required row left empty says what is missing, next to the field.
    response = pro_client.post(url, form_data([row(3), BLANK, BLANK]))
    second = _fieldset(response.content.decode(), 2)
    assert "Indiquez le jour de ce créneau." in second and "Indiquez l&#x27;heure de ce créneau." in second
    assert BookingInvitation.objects.count() == 0


def test_more_rows_keep_what_was_typed(pro_client, followed_path):
    url = reverse("booking:pro_invite", kwargs={"public_id": followed_path.person.public_id})
    first = pro_client.get(url).content.decode()
    assert "n&#x27;est pas gardé" not in first and "n'est pas gardé" not in first
    typed = form_data([row(3, "09:30", place="Salle 2"), row(4, "14:00", mode="phone", place=""),
                       {**BLANK, "day": "pas une date"}, BLANK], motive="Faire le point")
    response = pro_client.post(url, {**typed, "plus_de_lignes": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Créneau 7" in html and "Créneau 8" not in html
    assert 'value="Faire le point"' in html and 'value="09:30"' in html and 'value="Salle 2"' in html
    assert 'value="14:00"' in html and 'value="pas une date"' in html
    assert '<option value="phone" selected>' in _fieldset(html, 2)
    assert "Vérifiez" not in html and "Indiquez" not in html  # nothing checked yet
    assert BookingInvitation.objects.count() == 0
    # The rows added are sent like the others.
    sent = pro_client.post(url, form_data([row(3), row(4, "14:30", mode="phone", place=""), BLANK, BLANK,
                                           BLANK, BLANK, row(6, "11:00")]))
    assert sent.status_code == 302
    assert BookingInvitation.objects.get().slots.count() == 3


def test_every_slot_in_error_shows_at_once(pro_client, followed_path):
    url = reverse("booking:pro_invite", kwargs={"public_id": followed_path.person.public_id})
    rows = [row(-2), row(4, place=""), {**BLANK, "day": (timezone.localdate() + dt.timedelta(days=5)).isoformat(),
                                        "duration": "5"}]
    html = pro_client.post(url, form_data(rows, timezone.localdate() - dt.timedelta(days=1))).content.decode()
    assert "Créneau 1 : cette date est passée." in _fieldset(html, 1)
    assert "Créneau 2 : indiquez le lieu du rendez-vous." in _fieldset(html, 2)
    third = _fieldset(html, 3)
    assert "Indiquez l&#x27;heure de ce créneau." in third and "10" in third.split("duration")[-1]
    assert "La date limite de réponse est passée." in html
    # Rules of the whole invitation (overlaps) also come all together.
    overlapping = [row(3), row(3, "10:15", mode="video", place=""), row(3, "10:30", mode="phone", place="")]
    html = pro_client.post(url, form_data(overlapping)).content.decode()
    assert "Créneau 2 : il chevauche le créneau 1." in html and "Créneau 3 : il chevauche le créneau" in html
    assert BookingInvitation.objects.count() == 0


def test_another_organisation_gets_404(client, outsider, followed_path, actor):
    invitation = invite(actor, followed_path).invitation
    client.force_login(outsider.user)
    pid = followed_path.person.public_id
    assert client.get(reverse("booking:pro_list", kwargs={"public_id": pid})).status_code == 404
    assert client.get(reverse("booking:pro_invite", kwargs={"public_id": pid})).status_code == 404
    assert client.post(reverse("booking:pro_invite", kwargs={"public_id": pid}),
                       form_data([row(3), row(4)])).status_code == 404
    assert client.post(reverse("booking:pro_cancel", kwargs={"public_id": pid, "pk": invitation.pk})
                       ).status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == BookingStatus.PENDING and BookingInvitation.objects.count() == 1


def test_unanswered_invitation_shows_on_the_passport_page(pro_client, followed_path, actor):
    invitation = invite(actor, followed_path).invitation
    BookingInvitation.objects.filter(pk=invitation.pk).update(
        answer_by=timezone.localdate() - dt.timedelta(days=1))
    pid = followed_path.person.public_id
    html = pro_client.get(reverse("pro:passport", kwargs={"public_id": pid})).content.decode()
    assert "1 invitation à prendre rendez-vous sans réponse" in html
    assert "Sans réponse" in pro_client.get(reverse("booking:pro_list", kwargs={"public_id": pid})
                                            ).content.decode()


def test_the_referent_cancels(pro_client, followed_path, actor):
    created = invite(actor, followed_path)
    pid = followed_path.person.public_id
    response = pro_client.post(reverse("booking:pro_cancel",
                                       kwargs={"public_id": pid, "pk": created.invitation.pk}))
    assert response.status_code == 302
    assert pro_client.get(reverse("booking:link", kwargs={"token": created.raw_token})).status_code == 404


def test_the_link_page_shows_only_the_organisation_the_slots_and_the_motive(client, actor, followed_path):
    person = followed_path.person
    person.phone, person.email, person.commune_name = "06 12 34 56 78", "elodie@example.org", "Brest"
    person.save()
    created = invite(actor, followed_path)
    url = reverse("booking:link", kwargs={"token": created.raw_token})
    html = client.get(url).content.decode()
    assert followed_path.organisation.name in html and "Faire le point sur votre recherche" in html
    assert "12 rue de Siam" in html and "Aucun créneau ne me convient" in html
    for secret in (person.first_name, person.last_name, person.public_id, "06 12 34 56 78",
                   "elodie@example.org", "1990"):
        assert secret not in html
    # Choosing: one appointment, then the link is dead.
    slot = created.invitation.slots.first()
    done = client.post(url, {"slot": slot.pk})
    assert done.status_code == 200 and "C'est noté" in done.content.decode()
    assert person.first_name not in done.content.decode()
    again = client.post(url, {"slot": slot.pk})
    assert again.status_code == 404 and "Ce lien ne marche plus" in again.content.decode()
    assert followed_path.events.filter(kind=EventKind.APPOINTMENT).count() == 1


def test_an_expired_link_is_404(client, actor, followed_path):
    created = invite(actor, followed_path)
    BookingInvitation.objects.filter(pk=created.invitation.pk).update(
        answer_by=timezone.localdate() - dt.timedelta(days=1))
    url = reverse("booking:link", kwargs={"token": created.raw_token})
    assert client.get(url).status_code == 404
    assert client.post(url, {"slot": created.invitation.slots.first().pk}).status_code == 404
    assert not followed_path.events.filter(kind=EventKind.APPOINTMENT).exists()


def test_decline_through_the_link(client, actor, followed_path):
    created = invite(actor, followed_path)
    url = reverse("booking:link_decline", kwargs={"token": created.raw_token})
    assert client.get(url).status_code == 200
    response = client.post(url, {"message": "Je suis libre le jeudi."})
    assert response.status_code == 200
    event = followed_path.events.get(kind=EventKind.MESSAGE)
    assert event.body == "Je suis libre le jeudi." and event.by_person
    assert client.get(url).status_code == 404


def test_a_bogus_slot_id_is_a_clear_error(client, actor, followed_path):
    created = invite(actor, followed_path)
    url = reverse("booking:link", kwargs={"token": created.raw_token})
    for value in ("99999999999999999999", "abc", "²", ""):
        response = client.post(url, {"slot": value})
        assert response.status_code == 200
        assert "Choisissez un des créneaux proposés." in response.content.decode()


def test_the_person_chooses_in_their_space(me_client, actor, followed_path):
    invitation = invite(actor, followed_path).invitation
    home = me_client.get(reverse("me:home")).content.decode()
    assert "Choisissez votre rendez-vous" in home and "Choisir mon rendez-vous" in home
    url = reverse("booking:me_invitation", kwargs={"pk": invitation.pk})
    slot = invitation.slots.all()[1]
    response = me_client.post(url, {"slot": slot.pk})
    assert response.status_code == 302
    page = me_client.get(url).content.decode()
    assert "Votre rendez-vous est pris" in page and "<h1>Choisir votre rendez-vous" not in page
    assert me_client.post(url, {"slot": invitation.slots.first().pk}).status_code == 200
    assert followed_path.events.filter(kind=EventKind.APPOINTMENT).count() == 1
    assert "Choisir mon rendez-vous" not in me_client.get(reverse("me:home")).content.decode()


def test_the_person_says_none_suits_them(me_client, actor, followed_path):
    invitation = invite(actor, followed_path).invitation
    url = reverse("booking:me_decline", kwargs={"pk": invitation.pk})
    assert me_client.post(url, {"message": ""}).status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == BookingStatus.DECLINED


def test_someone_elses_invitation_is_404(client, actor, followed_path):
    invitation = invite(actor, followed_path).invitation
    from tests.factories import PersonFactory

    other = PersonFactory(user=UserFactory())
    client.force_login(other.user)
    url = reverse("booking:me_invitation", kwargs={"pk": invitation.pk})
    assert client.get(url).status_code == 404
    assert client.post(url, {"slot": invitation.slots.first().pk}).status_code == 404
    assert client.post(reverse("booking:me_decline", kwargs={"pk": invitation.pk})).status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == BookingStatus.PENDING
