"""Single sign-on (OpenID Connect) settings. Imported at the end of base.py.

Everything comes from the environment. Without `OIDC_RP_CLIENT_ID` SSO is off: no backend is
added, the `/oidc/` URLs answer 404 and the login page shows only the password form.
base.py splices `SSO_AUTHENTICATION_BACKENDS` into `AUTHENTICATION_BACKENDS` after Axes.
"""

import os

from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse_lazy


def _env(name: str, default: str = "") -> str:
    # An empty variable counts as unset, so that `FOO=` in an env file gives the default.
    return os.environ.get(name, "").strip() or default


OIDC_RP_CLIENT_ID = _env("OIDC_RP_CLIENT_ID")
SSO_ENABLED = bool(OIDC_RP_CLIENT_ID)

OIDC_RP_CLIENT_SECRET = _env("OIDC_RP_CLIENT_SECRET")
OIDC_OP_AUTHORIZATION_ENDPOINT = _env("OIDC_OP_AUTHORIZATION_ENDPOINT")
OIDC_OP_TOKEN_ENDPOINT = _env("OIDC_OP_TOKEN_ENDPOINT")
OIDC_OP_USER_ENDPOINT = _env("OIDC_OP_USER_ENDPOINT")
# None, not "": the library only fetches keys when this is set.
OIDC_OP_JWKS_ENDPOINT = _env("OIDC_OP_JWKS_ENDPOINT") or None
# Azure AD/Entra ID, ADFS and Keycloak sign ID tokens with RS256 by default.
OIDC_RP_SIGN_ALGO = _env("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = _env("OIDC_RP_SCOPES", "openid email profile")
# The claim that carries the HR system's employee number (`Person.employee_number`).
OIDC_EMPLOYEE_ID_CLAIM = _env("OIDC_EMPLOYEE_ID_CLAIM", "employee_id")
# Text of the login button; each organisation names its own login service.
OIDC_LOGIN_LABEL = _env("OIDC_LOGIN_LABEL", "Logga in med kommunens inloggning")

# People come from the HR import only; SSO never creates accounts.
OIDC_CREATE_USER = False
# Nothing here needs the ID token after login, so it is not kept in the session.
OIDC_STORE_ID_TOKEN = False
OIDC_USE_NONCE = True
# Refused or failed logins go back to the login page, which shows why.
LOGIN_REDIRECT_URL_FAILURE = reverse_lazy("login")
OIDC_CALLBACK_CLASS = "people.sso.EmployeeCallbackView"

SSO_AUTHENTICATION_BACKENDS = ["people.sso.EmployeeOIDCBackend"] if SSO_ENABLED else []

if SSO_ENABLED:
    # Fail at start-up, not on the first login, when the provider is half configured.
    _required = [
        "OIDC_RP_CLIENT_SECRET",
        "OIDC_OP_AUTHORIZATION_ENDPOINT",
        "OIDC_OP_TOKEN_ENDPOINT",
        "OIDC_OP_USER_ENDPOINT",
    ]
    if OIDC_RP_SIGN_ALGO.startswith(("RS", "ES")):
        _required.append("OIDC_OP_JWKS_ENDPOINT")
    _missing = [name for name in _required if not globals()[name]]
    if _missing:
        raise ImproperlyConfigured(
            "OIDC_RP_CLIENT_ID is set, so single sign-on also needs: " + ", ".join(_missing)
        )

# Only the settings reach base.py's namespace through its `import *`.
__all__ = [name for name in list(globals()) if name.isupper()]
