from typing import Any

from django.conf import settings
from django.http import HttpRequest


def sso(request: HttpRequest) -> dict[str, Any]:
    """Whether the login page offers single sign-on, and the text of its button."""
    if not settings.SSO_ENABLED:
        return {"sso_enabled": False}
    return {"sso_enabled": True, "sso_login_label": settings.OIDC_LOGIN_LABEL}
