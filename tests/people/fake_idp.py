"""A small OpenID provider for the SSO tests, served by pytest-django's live server.

Authorization code flow only. `/fake-idp/authorize/` sends the browser straight back with a
code (nobody types a password), `/fake-idp/token/` trades the code for an ID token signed with
HS256 and the client secret, `/fake-idp/userinfo/` returns the claims the test put in `CLAIMS`.
Use this module as ROOT_URLCONF: it serves the provider next to the whole site.
"""

from __future__ import annotations

import secrets
import time
from typing import Any
from urllib.parse import urlencode

import jwt
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from lms import urls as lms_urls

CLIENT_ID = "normkritik-lms-test"
# HS256 signs with the client secret; PyJWT wants at least 32 bytes.
CLIENT_SECRET = "fake-idp-secret-for-the-tests-only-0123456789"
ISSUER = "https://idp.kommun.example"

# What the provider says about whoever logs in next; each test sets it.
CLAIMS: dict[str, Any] = {}
# The endpoints the provider answered, in order, so that tests can see it was really asked.
CALLS: list[str] = []
_codes: dict[str, dict[str, str]] = {}
_access_tokens: dict[str, dict[str, Any]] = {}


def reset(**claims: Any) -> None:
    CLAIMS.clear()
    CLAIMS.update(claims)
    CALLS.clear()
    _codes.clear()
    _access_tokens.clear()


def settings_for(base_url: str) -> dict[str, Any]:
    """The settings that point the site at this provider, running at `base_url`."""
    return {
        "ROOT_URLCONF": __name__,
        "SSO_ENABLED": True,
        "OIDC_RP_CLIENT_ID": CLIENT_ID,
        "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_RP_SIGN_ALGO": "HS256",
        "OIDC_OP_JWKS_ENDPOINT": None,
        "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{base_url}/fake-idp/authorize/",
        "OIDC_OP_TOKEN_ENDPOINT": f"{base_url}/fake-idp/token/",
        "OIDC_OP_USER_ENDPOINT": f"{base_url}/fake-idp/userinfo/",
        "OIDC_TIMEOUT": 10,
    }


@login_not_required
@require_GET
def authorize(request: HttpRequest) -> HttpResponse:
    CALLS.append("authorize")
    params = request.GET
    if params.get("client_id") != CLIENT_ID or params.get("response_type") != "code":
        return HttpResponse("unknown client or response type", status=400)
    if "openid" not in params.get("scope", "").split():
        return HttpResponse("scope must include openid", status=400)
    code = secrets.token_urlsafe(16)
    _codes[code] = {"nonce": params.get("nonce", ""), "redirect_uri": params["redirect_uri"]}
    query = urlencode({"code": code, "state": params["state"]})
    return HttpResponseRedirect(f"{params['redirect_uri']}?{query}")


@csrf_exempt
@login_not_required
@require_POST
def token(request: HttpRequest) -> HttpResponse:
    CALLS.append("token")
    data = request.POST
    if data.get("client_id") != CLIENT_ID or data.get("client_secret") != CLIENT_SECRET:
        return JsonResponse({"error": "invalid_client"}, status=401)
    grant = _codes.pop(data.get("code", ""), None)  # a code works once
    if (
        data.get("grant_type") != "authorization_code"
        or grant is None
        or grant["redirect_uri"] != data.get("redirect_uri")
    ):
        return JsonResponse({"error": "invalid_grant"}, status=400)
    now = int(time.time())
    id_token = jwt.encode(
        {
            "iss": ISSUER,
            "sub": CLAIMS.get("sub", "anonymous"),
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": grant["nonce"],
        },
        CLIENT_SECRET,
        algorithm="HS256",
    )
    access_token = secrets.token_urlsafe(16)
    _access_tokens[access_token] = dict(CLAIMS)
    return JsonResponse(
        {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": id_token,
        }
    )


@login_not_required
@require_GET
def userinfo(request: HttpRequest) -> HttpResponse:
    CALLS.append("userinfo")
    scheme, _, access_token = request.headers.get("Authorization", "").partition(" ")
    claims = _access_tokens.get(access_token) if scheme == "Bearer" else None
    if claims is None:
        return JsonResponse({"error": "invalid_token"}, status=401)
    return JsonResponse(claims)


urlpatterns = [
    path(
        "fake-idp/",
        include(
            [
                path("authorize/", authorize),
                path("token/", token),
                path("userinfo/", userinfo),
            ]
        ),
    ),
    *lms_urls.urlpatterns,
]
