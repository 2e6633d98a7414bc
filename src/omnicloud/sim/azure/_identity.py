"""Microsoft Entra ID (AAD) as the SDKs use it: OpenID discovery, the v2.0 and v1 token
endpoints (client credentials) and the managed-identity endpoint. Errors use AAD's own
``{"error", "error_description", "error_codes", ...}`` documents."""

from __future__ import annotations

import base64
import math
import uuid
from datetime import UTC, datetime
from typing import Any

from ._request import Reply, Req

__all__ = ["ROUTES"]


def _lifetime(req: Req) -> int:
    """``expires_in``: the token's lifetime in whole seconds (3599 by default, as AAD says)."""
    return max(int(req.config.token_ttl), 1)


def _aad_error(req: Req, status: int, error: str, code: int, text: str) -> Reply:
    trace, correlation = uuid.uuid4(), uuid.uuid4()
    stamp = datetime.fromtimestamp(req.now, UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    return Reply(
        status,
        {
            "error": error,
            "error_description": f"AADSTS{code}: {text} Trace ID: {trace} Correlation ID: "
            f"{correlation} Timestamp: {stamp}",
            "error_codes": [code],
            "timestamp": stamp,
            "trace_id": str(trace),
            "correlation_id": str(correlation),
            "error_uri": f"{req.origin}/error?code={code}",
        },
    )


def _tenant_known(req: Req, tenant: str) -> bool:
    return tenant.lower() in (req.state.tenant_id.lower(), "organizations", "common")


def _no_tenant(req: Req, tenant: str) -> Reply:
    return _aad_error(
        req,
        400,
        "invalid_tenant",
        90002,
        f"Tenant '{tenant}' not found. Check to make sure you have the correct "
        "tenant ID and are signing in to the correct cloud.",
    )


def _discovery(req: Req, version: str) -> Reply:
    tenant = req.args[0]
    if not _tenant_known(req, tenant):
        return _no_tenant(req, tenant)
    base = f"{req.origin}/{req.state.tenant_id}"
    oauth = f"{base}/oauth2/v2.0" if version == "v2.0" else f"{base}/oauth2"
    return Reply(
        200,
        {
            "token_endpoint": f"{oauth}/token",
            "token_endpoint_auth_methods_supported": [
                "client_secret_post",
                "private_key_jwt",
                "client_secret_basic",
            ],
            "jwks_uri": f"{base}/discovery/{version}/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": f"{base}/v2.0"
            if version == "v2.0"
            else f"{req.origin}/{req.state.tenant_id}/",
            "request_uri_parameter_supported": False,
            "userinfo_endpoint": f"{req.origin}/oidc/userinfo",
            "authorization_endpoint": f"{oauth}/authorize",
            "device_authorization_endpoint": f"{oauth}/devicecode",
            "http_logout_supported": True,
            "frontchannel_logout_supported": True,
            "end_session_endpoint": f"{oauth}/logout",
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "tid"],
            "tenant_region_scope": "NA",
            "cloud_instance_name": "microsoftonline.com",
            "cloud_graph_host_name": "graph.windows.net",
            "msgraph_host": "graph.microsoft.com",
            "rbac_url": "https://pas.windows.net",
        },
    )


def _discovery_v2(req: Req) -> Reply:
    return _discovery(req, "v2.0")


def _discovery_v1(req: Req) -> Reply:
    return _discovery(req, "v1.0")


def _form(req: Req) -> dict[str, str]:
    return req.body if isinstance(req.body, dict) else {}


def _basic(req: Req) -> tuple[str, str] | None:
    header = req.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, colon, secret = base64.b64decode(token, validate=True).decode().partition(":")
    except ValueError:
        return None
    return (user, secret) if colon else None


def _check_client(req: Req) -> Reply | None:
    """None when the request authenticates the application, else AAD's error answer."""
    tenant = req.args[0]
    if not _tenant_known(req, tenant):
        return _no_tenant(req, tenant)
    form = _form(req)
    if form.get("grant_type") != "client_credentials":
        return _aad_error(
            req,
            400,
            "unsupported_grant_type",
            70003,
            f"The app requested an unsupported grant type '{form.get('grant_type', '')}'.",
        )
    client, secret = form.get("client_id", ""), form.get("client_secret")
    basic = _basic(req)
    if basic is not None:
        client, secret = client or basic[0], secret if secret is not None else basic[1]
    if client.lower() != req.state.client_id.lower():
        return _aad_error(
            req,
            400,
            "unauthorized_client",
            700016,
            f"Application with identifier '{client}' was not found in the "
            f"directory '{req.state.tenant_id}'. This can happen if the "
            "application has not been installed by the administrator of the "
            "tenant or consented to by any user in the tenant. You may have sent "
            "your authentication request to the wrong tenant.",
        )
    if secret is None:
        return _aad_error(
            req,
            401,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: "
            "'client_assertion' or 'client_secret'.",
        )
    if not req.state.check_secret(secret):
        return _aad_error(
            req,
            401,
            "invalid_client",
            7000215,
            "Invalid client secret provided. Ensure the secret being sent in the "
            "request is the client secret value, not the client secret ID, for a "
            f"secret added to app '{req.state.client_id}'.",
        )
    return None


def _token_v2(req: Req) -> Reply:
    refused = _check_client(req)
    if refused is not None:
        return refused
    scope = _form(req).get("scope", "")
    if not scope.split() or not all(s.endswith("/.default") for s in scope.split()):
        return _aad_error(
            req,
            400,
            "invalid_scope",
            1002012,
            f"The provided value for scope {scope} is not valid. Client "
            "credential flows must have a scope value with /.default suffixed to "
            "the resource identifier (application ID URI).",
        )
    token, _ = req.state.issue_token(req.config.token_ttl)
    return Reply(
        200,
        {
            "token_type": "Bearer",
            "expires_in": _lifetime(req),
            "ext_expires_in": _lifetime(req),
            "access_token": token,
        },
    )


def _v1_document(req: Req, resource: str, token: str, expires: float) -> dict[str, Any]:
    return {
        "token_type": "Bearer",
        "expires_in": str(_lifetime(req)),
        "ext_expires_in": str(_lifetime(req)),
        "expires_on": str(math.floor(expires)),
        "not_before": str(math.floor(req.now)),
        "resource": resource,
        "access_token": token,
    }


def _token_v1(req: Req) -> Reply:
    refused = _check_client(req)
    if refused is not None:
        return refused
    resource = _form(req).get("resource", "")
    if not resource:
        return _aad_error(
            req,
            400,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'resource'.",
        )
    token, expires = req.state.issue_token(req.config.token_ttl)
    return Reply(200, _v1_document(req, resource, token, expires))


def _managed_identity(req: Req) -> Reply:
    if req.headers.get("metadata", "").lower() != "true":
        return Reply(
            400,
            {
                "error": "invalid_request",
                "error_description": "Required metadata header not specified",
            },
        )
    resource = req.q("resource")
    if not resource:
        return Reply(
            400,
            {
                "error": "invalid_request",
                "error_description": "Required query variable 'resource' is missing",
            },
        )
    token, expires = req.state.issue_token(req.config.token_ttl)
    document = _v1_document(req, resource, token, expires)
    document["client_id"] = req.state.client_id
    return Reply(200, document)


ROUTES = [
    ("GET", "*/v2.0/.well-known/openid-configuration", _discovery_v2),
    ("GET", "*/.well-known/openid-configuration", _discovery_v1),
    ("POST", "*/oauth2/v2.0/token", _token_v2),
    ("POST", "*/oauth2/token", _token_v1),
    ("GET", "metadata/identity/oauth2/token", _managed_identity),
]
