"""Forgotten password: a single-use link by e-mail, the same answer for an unknown
address, a new password that works, and a used link that no longer does."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_forgotten_password_by_email_link(client):
    user = UserFactory(email="annaig@example.org")
    login_page = client.get(reverse("login")).content.decode()
    assert reverse("password_reset") in login_page and "Mot de passe oublié ?" in login_page

    response = client.post(reverse("password_reset"), {"email": "inconnu@example.org"}, follow=True)
    assert "Regardez vos e-mails" in response.content.decode()
    assert mail.outbox == []  # the answer does not tell whether an account exists

    client.post(reverse("password_reset"), {"email": "Annaig@Example.org"})
    [message] = mail.outbox
    assert message.to == ["annaig@example.org"]
    assert message.subject == "Passeport : choisir un nouveau mot de passe"
    link = re.search(r"https?://[^/]+(/connexion/nouveau-mot-de-passe/\S+)", message.body).group(1)

    form = client.get(link, follow=True)
    assert "Nouveau mot de passe" in form.content.decode()
    url = form.redirect_chain[-1][0]
    mismatch = client.post(url, {"new_password1": "un-nouveau-secret-42", "new_password2": "autre-chose-42"})
    assert "Les deux mots de passe ne correspondent pas" in mismatch.content.decode()
    done = client.post(url, {"new_password1": "un-nouveau-secret-42",
                             "new_password2": "un-nouveau-secret-42"}, follow=True)
    assert "Mot de passe changé" in done.content.decode()
    user.refresh_from_db()
    assert user.check_password("un-nouveau-secret-42")

    again = client.get(link, follow=True).content.decode()
    assert "Ce lien ne marche plus" in again
