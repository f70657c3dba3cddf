from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests

from passeport.identity import oidc

from .oidc_provider import LoopbackProvider

CALLBACK = "http://testserver/connexion/oidc/{name}/retour/"


@pytest.fixture
def oidc_provider(settings, monkeypatch):
    """Start one loopback provider per test and configure both Passeport providers
    ("pro" and "person") against it, with their own client ids."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    provider = LoopbackProvider(redirect_uris=[CALLBACK.format(name="pro"),
                                               CALLBACK.format(name="person")]).start()
    config = {
        name: {"discovery_url": provider.discovery_url, "client_id": "passeport",
               "client_secret": "secret-de-test", "scopes": scopes, "acr_values": "",
               "label": label}
        for name, scopes, label in (
            ("pro", "openid email given_name usual_name siret", "ProConnect"),
            ("person", "openid given_name family_name birthdate email", "FranceConnect"),
        )
    }
    settings.PASSEPORT_OIDC = config
    oidc._clients.clear()
    yield provider
    provider.stop()
    oidc._clients.clear()


def start_login(client, name, **params):
    """Click the provider's button: Passeport redirects to the provider's authorize page."""
    response = client.get(f"/connexion/oidc/{name}/", params)
    assert response.status_code == 302, response.content[:300]
    return response["Location"]


def provider_redirect(authorize_url):
    """The browser follows the provider's authorize page, which redirects back with a code."""
    answer = requests.get(authorize_url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    return back.path, back.query


def full_login(client, name, **params):
    path, query = provider_redirect(start_login(client, name, **params))
    return client.get(f"{path}?{query}")
