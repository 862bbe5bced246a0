"""Single sign-on: staff log in with their organisation's OpenID Connect provider.

The provider proves who someone is; the HR import decides who may use the platform. So the
provider's employee-id claim is looked up in `Person.employee_number`, people who have left or
whose account is inactive are turned away, and no account is ever created here.
"""

from __future__ import annotations

import logging
from typing import Any

import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AbstractUser
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView

logger = logging.getLogger(__name__)

UNKNOWN_EMPLOYEE = _(
    "Your organisation's login worked, but there is no account here for your employee "
    "number. Contact your HR department."
)
HAS_LEFT = _("Your employment has ended, so you can no longer log in here.")
INACTIVE = _("Your account here has been deactivated. Contact your HR department.")
FAILED = _(
    "Logging in with your organisation's login did not work. Try again, or log in with "
    "username and password."
)

# Provider claim → user field, copied at every login when the provider sends a value.
PROFILE_CLAIMS = {"given_name": "first_name", "family_name": "last_name", "email": "email"}


class EmployeeOIDCBackend(OIDCAuthenticationBackend):
    """Finds the person by employee number; never creates users."""

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> AbstractUser | None:
        # Only the callback view passes a nonce, and only after checking the state. Without
        # this, any authenticate() call on a URL with ?code=…&state=… (the password form,
        # say) would redeem the code with no state check.
        if "nonce" not in kwargs:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except requests.RequestException:
            # A provider that is down or answers with an error is a failed login, not a 500.
            logger.exception("Single sign-on: the identity provider did not answer")
            return None

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        # The employee number identifies people here; the library's default wants an e-mail.
        if employee_number(claims):
            return True
        logger.warning(
            "Single sign-on: the provider sent no %r claim", settings.OIDC_EMPLOYEE_ID_CLAIM
        )
        return False

    def filter_users_by_claims(self, claims: dict[str, Any]) -> list[AbstractUser]:
        user = (
            self.UserModel.objects.select_related("person")
            .filter(person__employee_number=employee_number(claims))
            .first()
        )
        if user is None:
            refusal = UNKNOWN_EMPLOYEE
        elif user.person.has_left:
            refusal = HAS_LEFT
        elif not user.is_active:
            refusal = INACTIVE
        else:
            return [user]
        # The callback view shows this on the login page (see EmployeeCallbackView).
        self.request.sso_refusal = refusal
        logger.info("Single sign-on refused: %s", refusal)
        return []

    def create_user(self, claims: dict[str, Any]) -> None:
        # People come from the HR import only, whatever OIDC_CREATE_USER says.
        return None

    def update_user(self, user: AbstractUser, claims: dict[str, Any]) -> AbstractUser:
        # Names and e-mail follow the provider; the employee number stays HR's.
        changed = []
        for claim, field in PROFILE_CLAIMS.items():
            max_length = user._meta.get_field(field).max_length
            value = str(claims.get(claim) or "").strip()[:max_length]
            if value and getattr(user, field) != value:
                setattr(user, field, value)
                changed.append(field)
        if changed:
            user.save(update_fields=changed)
        return user


class EmployeeCallbackView(OIDCAuthenticationCallbackView):
    """The library's callback, telling people on the login page why they were not let in."""

    def login_failure(self) -> HttpResponseRedirect:
        messages.error(self.request, getattr(self.request, "sso_refusal", FAILED))
        return super().login_failure()


def employee_number(claims: dict[str, Any]) -> str:
    # Some providers send the number as a JSON number; Person stores text.
    return str(claims.get(settings.OIDC_EMPLOYEE_ID_CLAIM) or "").strip()
