"""Login of persons through an OpenID Connect provider (FranceConnect-compatible): the
identity is linked to a passport only after the person confirms it, with the invitation
their référent sent; never silently."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from passeport.core.models import AuditEvent
from passeport.identity.models import OidcIdentity
from passeport.people.models import Invitation, Person
from passeport.people.services import invitation_create

ME = reverse("me:home")
LINK = reverse("identity:person_link")


@pytest.fixture
def invited(actor, followed_path):
    return invitation_create(actor=actor, person=followed_path.person,
                             email="elodie@example.org", base_url="http://testserver")


def fc_claims(**extra):
    """What FranceConnect says about Élodie Kerouac, born on 17 May 1990 (all given names,
    upper case, birth name)."""
    return {"sub": "fc-4f8a1c", "given_name": "ÉLODIE MARIE", "family_name": "KEROUAC",
            "birthdate": "1990-05-17", "email": "elodie.k@example.net", **extra}


def text(response):
    return html.unescape(response.content.decode())


def test_invitation_page_offers_the_provider(client, invited, oidc_provider):
    page = text(client.get(reverse("me:invitation", args=[invited.url_token])))
    assert "Entrer avec FranceConnect" in page
    assert f"/connexion/oidc/person/?invitation={invited.url_token}" in page


def test_person_confirms_then_is_linked(client, invited, oidc_provider):
    from .conftest import full_login

    oidc_provider.login_as(fc_claims())
    back = full_login(client, "person", invitation=invited.url_token)
    assert back.status_code == 302 and back["Location"] == LINK
    # Nothing is linked and nobody is logged in before the confirmation.
    assert client.get(ME).status_code == 302
    assert not OidcIdentity.objects.exists()

    proposal = text(client.get(LINK))
    assert "FranceConnect vous a reconnu" in proposal
    assert "Est-ce bien votre passeport ?" in proposal
    assert "Élodie Kerouac" in proposal

    done = client.post(LINK, {"confirm": "yes"})
    assert done.status_code == 302 and done["Location"] == ME
    person = Person.objects.get(pk=invited.invitation.person.pk)
    assert person.user is not None and not person.user.has_usable_password()
    assert OidcIdentity.objects.get(provider="person", subject="fc-4f8a1c").user == person.user
    assert Invitation.objects.get(pk=invited.invitation.pk).used_at is not None
    assert AuditEvent.objects.filter(person_uid=person.public_id, detail__via="FranceConnect").exists()
    home = text(client.get(ME))
    assert "votre passeport est relié à FranceConnect" in home

    # Next time: straight into the space, no confirmation.
    client.post(reverse("logout"))
    again = full_login(client, "person")
    assert again.status_code == 302 and again["Location"] == ME
    assert client.get(ME).status_code == 200


def test_without_the_invitation_the_person_pastes_the_link(client, invited, oidc_provider):
    from .conftest import full_login

    oidc_provider.login_as(fc_claims())
    assert full_login(client, "person")["Location"] == LINK
    ask = text(client.get(LINK))
    assert "collez le lien d'invitation" in ask

    bad = client.post(LINK, {"invitation": "http://testserver/invitation/pas-un-vrai-lien/"})
    assert bad.status_code == 400
    assert "Ce lien n'est plus valable" in text(bad)

    pasted = client.post(LINK, {"invitation": f"http://testserver/invitation/{invited.url_token}/"})
    assert "Est-ce bien votre passeport ?" in text(pasted)
    assert not OidcIdentity.objects.exists()
    assert client.post(LINK, {"confirm": "yes"})["Location"] == ME


def test_identity_that_does_not_match_is_never_linked(client, invited, oidc_provider):
    from .conftest import full_login

    oidc_provider.login_as(fc_claims(birthdate="1991-05-17"))
    full_login(client, "person", invitation=invited.url_token)
    page = text(client.get(LINK))
    assert "Votre identité ne correspond pas à ce passeport" in page
    assert "Est-ce bien votre passeport ?" not in page
    # Even a forged confirmation does nothing.
    client.post(LINK, {"confirm": "yes"})
    assert not OidcIdentity.objects.exists()
    assert Person.objects.get(pk=invited.invitation.person.pk).user is None
    assert client.get(ME).status_code == 302


def test_link_page_needs_a_fresh_provider_login(client, invited, oidc_provider):
    response = client.post(LINK, {"invitation": invited.url_token, "confirm": "yes"})
    assert response.status_code == 400
    assert not OidcIdentity.objects.exists()


def test_person_forged_state_is_rejected(client, invited, oidc_provider):
    from urllib.parse import parse_qs

    from .conftest import provider_redirect, start_login

    oidc_provider.login_as(fc_claims())
    path, back = provider_redirect(start_login(client, "person", invitation=invited.url_token))
    response = client.get(path, {"code": parse_qs(back)["code"][0], "state": "autre"})
    assert response.status_code == 400
    assert client.get(LINK).status_code == 400


@pytest.mark.parametrize(("claims", "matches"), [
    ({"given_name": "Élodie", "family_name": "Kerouac", "birthdate": "1990-05-17"}, True),
    ({"given_name": "ELODIE Marie Anne", "family_name": "kérouac", "birthdate": "1990-05-17"}, True),
    ({"given_name": "Élodie", "family_name": "Le Goff", "birthdate": "1990-05-17"}, True),  # birth name
    ({"given_name": "Marie Élodie", "family_name": "Kerouac", "birthdate": "1990-05-17"}, False),
    ({"given_name": "Élodie", "family_name": "Kerouac", "birthdate": "1990-17-05"}, False),
    ({"given_name": "Élodie", "family_name": "Kerouac"}, False),
    ({"given_name": "", "family_name": "Kerouac", "birthdate": "1990-05-17"}, False),
])
def test_identity_match_rules(db, claims, matches):
    from passeport.identity.services import person_identity_match
    from tests.factories import PersonFactory

    person = PersonFactory(first_name="Élodie", last_name="Kerouac", birth_name="Le Goff")
    assert person_identity_match(person, {"sub": "x", **claims}).matches is matches


def test_person_with_a_password_account_confirms_with_it(client, invited, oidc_provider):
    from passeport.people.services import invitation_accept

    from .conftest import full_login

    user = invitation_accept(raw_token=invited.url_token, password="Trois mots faciles 29")
    oidc_provider.login_as(fc_claims())
    assert full_login(client, "person")["Location"] == LINK
    wrong = client.post(LINK, {"email": "elodie@example.org", "password": "pas le bon"})
    assert wrong.status_code == 400
    assert "ne correspond pas à un passeport" in text(wrong)
    assert not OidcIdentity.objects.exists()

    proposal = client.post(LINK, {"email": "Elodie@example.org", "password": "Trois mots faciles 29"})
    assert "Est-ce bien votre passeport ?" in text(proposal)
    assert client.get(ME).status_code == 302  # not logged in before the confirmation
    assert client.post(LINK, {"confirm": "yes"})["Location"] == ME
    assert OidcIdentity.objects.get(provider="person").user == user
    client.post(reverse("logout"))
    assert full_login(client, "person")["Location"] == ME
