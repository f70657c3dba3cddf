"""The OpenID Connect relying party (Authlib's Django client): authorization code flow
with PKCE (S256), state and nonce kept in the session, the ID token checked against the
provider's JWKS (signature, issuer, audience, expiry, nonce), then the userinfo claims."""

from __future__ import annotations

from authlib.integrations.base_client import OAuthError
from authlib.integrations.django_client import OAuth
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from .selectors import oidc_provider_config

_clients: dict[tuple, object] = {}


class OidcFailure(Exception):
    """The provider's answer cannot be trusted (forged state, bad or expired token…)."""


def client_for(name: str):
    config = oidc_provider_config(name)
    if config is None:
        return None
    key = (name, config["discovery_url"], config["client_id"], config["client_secret"],
           config["scopes"])
    if key not in _clients:
        oauth = OAuth()
        _clients[key] = oauth.register(
            name=f"passeport_{name}",
            client_id=config["client_id"],
            client_secret=config["client_secret"],
            server_metadata_url=config["discovery_url"],
            client_kwargs={"scope": config["scopes"], "code_challenge_method": "S256",
                           "timeout": 10},
        )
    return _clients[key]


def authorize_redirect(name: str, request, redirect_uri: str):
    config = oidc_provider_config(name)
    extra = {"acr_values": config["acr_values"]} if config and config["acr_values"] else {}
    return client_for(name).authorize_redirect(request, redirect_uri, **extra)


def authorize_callback(name: str, request) -> dict:
    """Finish the flow; the claims of the ID token completed by the userinfo endpoint."""
    client = client_for(name)
    if request.GET.get("error"):
        raise OidcFailure(request.GET.get("error"))
    try:
        token = client.authorize_access_token(request)
        id_claims = dict(token.get("userinfo") or {})
        if not id_claims.get("sub"):
            raise OidcFailure("no ID token")
        claims = dict(id_claims)
        claims.update(_userinfo(client, token))
    except (OAuthError, JoseError, ValueError) as exc:
        raise OidcFailure(str(exc)) from exc
    if claims.get("sub") != id_claims["sub"]:
        raise OidcFailure("userinfo sub differs from the ID token")
    return claims


def _userinfo(client, token) -> dict:
    metadata = client.load_server_metadata()
    if not metadata.get("userinfo_endpoint"):
        return {}
    response = client.get(metadata["userinfo_endpoint"], token=token)
    response.raise_for_status()
    if response.headers.get("Content-Type", "").startswith("application/jwt"):
        # ProConnect and FranceConnect sign the userinfo answer with their JWKS.
        token = jwt.decode(response.text, KeySet.import_key_set(client.fetch_jwk_set()))
        return dict(token.claims)
    return response.json()
