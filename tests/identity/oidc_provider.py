"""A real OpenID Connect provider on loopback, for the tests: Authlib's server side
(authorization code grant, PKCE required, OpenID Connect ID tokens signed RS256) in a Flask
app served by Werkzeug in a thread. It serves discovery, authorize, token, JWKS and
userinfo over HTTP. The user "logs in" at the provider without a form: the test chooses
who with `provider.login_as(claims)`.

Knobs for the failure cases: `id_token_lifetime` (negative: an already expired ID token),
`signing_key` (sign ID tokens with a key that is not in the JWKS).
Every authorization and token request is recorded in `provider.authorize_requests` and
`provider.token_requests`."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6749.errors import InvalidRequestError
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from flask import Flask, jsonify, request
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server


class RequiredCodeChallenge(CodeChallenge):
    """PKCE for every client, S256 only (Authlib requires it for public clients only)."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant, redirect_uri):
        data = grant.request.payload.data
        if not data.get("code_challenge") or data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("Missing 'code_challenge' (PKCE S256 is required)")
        super().validate_code_challenge(grant, redirect_uri)


@dataclass
class Client:
    client_id: str
    client_secret: str
    redirect_uris: list[str]

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope):
        return scope

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


@dataclass
class AuthCode:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: dict
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time

    def get_acr(self):
        return None

    def get_amr(self):
        return None


class LoopbackProvider:
    def __init__(self, client_id="passeport", client_secret="secret-de-test", redirect_uris=()):
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig"})
        self.client = Client(client_id, client_secret, list(redirect_uris))
        self.codes: dict[str, AuthCode] = {}
        self.tokens: dict[str, dict] = {}
        self.user: dict | None = None
        self.id_token_lifetime = 300
        self.signing_key = None  # another key: an ID token whose signature does not verify
        self.authorize_requests: list[dict] = []
        self.token_requests: list[dict] = []
        self.userinfo_as_jwt = False
        self.app = self._build_app()
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # --- lifecycle ---------------------------------------------------------------------
    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()

    @property
    def discovery_url(self):
        return f"{self.issuer}/.well-known/openid-configuration"

    def login_as(self, claims: dict):
        self.user = dict(claims)

    # --- the Authlib server ------------------------------------------------------------
    def _build_app(self):
        provider = self
        app = Flask("loopback-oidc")
        app.config["OAUTH2_TOKEN_EXPIRES_IN"] = {"authorization_code": 300}

        class CodeGrant(grants.AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

            def save_authorization_code(self, code, req):
                provider.codes[code] = AuthCode(
                    code=code, client_id=req.client.client_id, redirect_uri=req.payload.redirect_uri,
                    scope=req.payload.scope, user=req.user, nonce=req.payload.data.get("nonce"),
                    code_challenge=req.payload.data.get("code_challenge"),
                    code_challenge_method=req.payload.data.get("code_challenge_method"))

            def query_authorization_code(self, code, client):
                item = provider.codes.get(code)
                if item and item.client_id == client.client_id:
                    return item
                return None

            def delete_authorization_code(self, authorization_code):
                provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code):
                return authorization_code.user

        class IdToken(OpenIDCode):
            def resolve_client_private_key(self, client):
                return provider.signing_key or provider.key

            def get_client_algorithm(self, client):
                return "RS256"

            def get_encode_header(self, client):
                return {"alg": "RS256", "kid": "test-key"}

            def get_client_claims(self, client):
                now = int(time.time())
                return {"iss": provider.issuer, "aud": [client.client_id],
                        "iat": now + min(0, provider.id_token_lifetime) - 60,
                        "exp": now + provider.id_token_lifetime}

            def exists_nonce(self, nonce, req):
                return False

            def generate_user_info(self, user, scope):
                return UserInfo(sub=user["sub"])

        def save_token(token, req):
            provider.tokens[token["access_token"]] = dict(req.user)

        server = AuthorizationServer(
            app, query_client=lambda cid: provider.client if cid == provider.client.client_id else None,
            save_token=save_token)
        server.register_grant(CodeGrant, [IdToken(require_nonce=True), RequiredCodeChallenge()])

        @app.get("/.well-known/openid-configuration")
        def discovery():
            return jsonify({
                "issuer": provider.issuer,
                "authorization_endpoint": f"{provider.issuer}/authorize",
                "token_endpoint": f"{provider.issuer}/token",
                "userinfo_endpoint": f"{provider.issuer}/userinfo",
                "jwks_uri": f"{provider.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            })

        @app.get("/jwks")
        def jwks():
            return jsonify({"keys": [provider.key.as_dict(private=False)]})

        @app.get("/authorize")
        def authorize():
            provider.authorize_requests.append(request.args.to_dict())
            try:
                grant = server.get_consent_grant(end_user=provider.user)
            except OAuth2Error as error:
                return jsonify(dict(error.get_body())), error.status_code
            return server.create_authorization_response(grant=grant, grant_user=provider.user)

        @app.post("/token")
        def token():
            provider.token_requests.append(request.form.to_dict())
            return server.create_token_response()

        @app.get("/userinfo")
        def userinfo():
            auth = request.headers.get("Authorization", "")
            claims = provider.tokens.get(auth.removeprefix("Bearer ").strip())
            if claims is None:
                return jsonify({"error": "invalid_token"}), 401
            if provider.userinfo_as_jwt:
                from joserfc import jwt

                body = jwt.encode({"alg": "RS256", "kid": "test-key"},
                                  {**claims, "iss": provider.issuer, "aud": provider.client.client_id},
                                  provider.key)
                return body, 200, {"Content-Type": "application/jwt"}
            return jsonify(claims)

        return app
