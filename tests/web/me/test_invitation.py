"""The invitation link: the person chooses a password, gets logged in, lands in their space."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from passeport.people.models import Invitation
from passeport.people.services import invitation_create

GOOD_PASSWORD = "Trois mots faciles 29"


@pytest.fixture
def invited(actor, followed_path, django_capture_on_commit_callbacks):
    """The référent invites Élodie; returns the URL path of the link sent by e-mail."""
    with django_capture_on_commit_callbacks(execute=True):
        sent = invitation_create(actor=actor, person=followed_path.person,
                                 email="elodie@example.org", base_url="http://testserver")
    return sent


def test_link_sent_by_email_is_the_invitation_page(invited):
    url = reverse("me:invitation", args=[invited.url_token])
    assert f"http://testserver{url}" in mail.outbox[0].body


def test_invitation_page_explains_and_names_who_invites(client, invited):
    response = client.get(reverse("me:invitation", args=[invited.url_token]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bonjour Élodie" in html
    assert "Mission locale du Pays de Brest vous invite à ouvrir votre passeport." in html
    assert "C'est Rozenn Le Bihan qui vous a envoyé ce lien." in html
    assert "Passeport, c'est quoi ?" in html
    assert "elodie@example.org" in html
    # The rules of the password are said plainly, linked to the field.
    assert "au moins 10 caractères" in html
    assert 'aria-describedby="mot-de-passe-messages"' in html
    assert response.headers["Cache-Control"].startswith("max-age=0")


def test_accepting_logs_in_and_opens_the_space(client, invited, followed_path):
    url = reverse("me:invitation", args=[invited.url_token])
    response = client.post(url, {"password": GOOD_PASSWORD, "password_again": GOOD_PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("me:home")
    person = followed_path.person
    person.refresh_from_db()
    assert person.user is not None and person.user.email == "elodie@example.org"
    assert person.user.check_password(GOOD_PASSWORD)
    assert Invitation.objects.get(pk=invited.invitation.pk).used_at is not None
    home = client.get(reverse("me:home"))
    assert home.status_code == 200
    assert "Bonjour Élodie" in home.content.decode()
    assert "votre espace est ouvert" in home.content.decode()
    # The person can come back later with their e-mail and password.
    client.logout()
    assert client.login(username="elodie@example.org", password=GOOD_PASSWORD)


def test_weak_password_is_refused_and_nothing_is_kept(client, invited, followed_path):
    url = reverse("me:invitation", args=[invited.url_token])
    response = client.post(url, {"password": "123456", "password_again": "123456"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Il y a un problème" in html
    assert "trop court" in html
    assert 'aria-invalid="true"' in html
    assert not get_user_model().objects.filter(email="elodie@example.org").exists()
    followed_path.person.refresh_from_db()
    assert followed_path.person.user is None
    assert Invitation.objects.get(pk=invited.invitation.pk).used_at is None
    # Not logged in: the space asks to log in.
    assert client.get(reverse("me:home")).status_code == 302
    # The link still works: the person tries again with a good password.
    ok = client.post(url, {"password": GOOD_PASSWORD, "password_again": GOOD_PASSWORD})
    assert ok.status_code == 302


def test_two_different_passwords_are_refused(client, invited):
    url = reverse("me:invitation", args=[invited.url_token])
    response = client.post(url, {"password": GOOD_PASSWORD, "password_again": GOOD_PASSWORD + "x"})
    assert response.status_code == 200
    assert "Les deux mots de passe ne sont pas pareils" in response.content.decode()
    assert not get_user_model().objects.filter(email="elodie@example.org").exists()


def test_expired_link_says_to_ask_the_referent(client, invited):
    Invitation.objects.filter(pk=invited.invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1))
    url = reverse("me:invitation", args=[invited.url_token])
    response = client.get(url)
    assert response.status_code == 404
    html = response.content.decode()
    assert "Ce lien ne marche plus" in html
    assert "Demandez un nouveau lien à votre référent" in html
    response = client.post(url, {"password": GOOD_PASSWORD, "password_again": GOOD_PASSWORD})
    assert response.status_code == 404
    assert not get_user_model().objects.filter(email="elodie@example.org").exists()


def test_used_or_unknown_link_is_refused(client, invited):
    url = reverse("me:invitation", args=[invited.url_token])
    client.post(url, {"password": GOOD_PASSWORD, "password_again": GOOD_PASSWORD})
    client.logout()
    assert client.get(url).status_code == 404
    unknown = client.get(reverse("me:invitation", args=["pas-un-vrai-lien"]))
    assert unknown.status_code == 404
    assert "Ce lien ne marche plus" in unknown.content.decode()
