"""authlib (PyPI, pinned in requirements.txt) against the reference service: what an OAuth
client library does with its standard endpoints. Run by service/tests/authlib.rs, which starts
the service and gives this script, as JSON on standard input, the metadata URL, the clients'
credentials, the signer's private JWK and two refresh tokens of a user. Prints one JSON object of
what authlib saw; any unexpected answer raises (exit status 1)."""

import json
import sys

import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from joserfc.jwk import ECKey

cfg = json.load(sys.stdin)
seen = {}

# RFC 8414: everything else comes from the metadata document.
metadata = requests.get(cfg["metadata"], timeout=5)
metadata.raise_for_status()
meta = metadata.json()
token_url = meta["token_endpoint"]
seen["metadata"] = {
    "issuer": meta["issuer"],
    "token_endpoint_auth_methods_supported": meta["token_endpoint_auth_methods_supported"],
}

# client_credentials, client_secret_basic, with a scope and an RFC 8707 resource.
batch_id, batch_secret = cfg["batch"]
batch = OAuth2Session(
    batch_id, batch_secret, token_endpoint_auth_method="client_secret_basic", scope="reports:read"
)
token = batch.fetch_token(token_url, grant_type="client_credentials", resource=cfg["resource"])
seen["client_secret_basic"] = {
    "token_type": token["token_type"],
    "scope": token["scope"],
    "expires_in": token["expires_in"],
    "refresh_token": "refresh_token" in token,
}

# A wrong secret: authlib raises the RFC 6749 §5.2 error.
try:
    OAuth2Session(batch_id, "wrong", token_endpoint_auth_method="client_secret_basic").fetch_token(
        token_url, grant_type="client_credentials"
    )
    raise SystemExit("a wrong secret was accepted")
except OAuthError as error:
    seen["wrong_secret"] = error.error

# client_credentials, private_key_jwt (RFC 7523): aud the token endpoint (authlib's default),
# then the issuer.
key = ECKey.import_key(cfg["signer"]["jwk"])
for name, audience in [("private_key_jwt", token_url), ("private_key_jwt_issuer_aud", meta["issuer"])]:
    signer = OAuth2Session(
        cfg["signer"]["client_id"],
        key,
        token_endpoint_auth_method="private_key_jwt",
        revocation_endpoint_auth_method="private_key_jwt",
    )
    signer.register_client_auth_method(PrivateKeyJWT(audience, alg="ES256"))
    signed = signer.fetch_token(token_url, grant_type="client_credentials")
    seen[name] = {"token_type": signed["token_type"], "scope": signed["scope"]}

# The signer introspects its own token, authenticating with a fresh assertion.
introspected = signer.introspect_token(meta["introspection_endpoint"], token=signed["access_token"])
introspected.raise_for_status()
seen["private_key_jwt_introspection"] = introspected.json()["active"]

# refresh_token, a public client (`none`): rotation, then the spent token is a reuse.
public = OAuth2Session(cfg["public_client"], token_endpoint_auth_method="none")
pair = public.refresh_token(token_url, refresh_token=cfg["refresh_token"])
seen["refresh_token"] = {
    "token_type": pair["token_type"],
    "rotated": pair["refresh_token"] != cfg["refresh_token"],
}
try:
    public.refresh_token(token_url, refresh_token=cfg["refresh_token"])
    raise SystemExit("a spent refresh token was accepted")
except OAuthError as error:
    seen["refresh_token_reused"] = [error.error, error.description]

# RFC 7662 introspection by the resource server's client, RFC 7009 revocation by the token's.
rs_id, rs_secret = cfg["resource_server"]
resource_server = OAuth2Session(rs_id, rs_secret)
before = resource_server.introspect_token(
    meta["introspection_endpoint"], token=token["access_token"], token_type_hint="access_token"
)
before.raise_for_status()
seen["introspection"] = before.json()
revoked = batch.revoke_token(
    meta["revocation_endpoint"], token=token["access_token"], token_type_hint="access_token"
)
seen["revocation_status"] = revoked.status_code
after = resource_server.introspect_token(meta["introspection_endpoint"], token=token["access_token"])
after.raise_for_status()
seen["introspection_after_revocation"] = after.json()

# Another login's refresh token, rotated, then revoked by the public client: 200, and its
# family is gone.
second = public.refresh_token(token_url, refresh_token=cfg["second_refresh_token"])
gone = public.revoke_token(
    meta["revocation_endpoint"], token=second["refresh_token"], token_type_hint="refresh_token"
)
seen["refresh_revocation_status"] = gone.status_code
try:
    public.refresh_token(token_url, refresh_token=second["refresh_token"])
    raise SystemExit("a revoked refresh token was accepted")
except OAuthError as error:
    seen["refresh_after_revocation"] = [error.error, error.description]

json.dump(seen, sys.stdout, sort_keys=True)
