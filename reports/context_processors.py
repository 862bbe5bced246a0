import time
from functools import cache

from django.http import HttpRequest

from .selectors import manages_a_unit

# The "My unit" link may lag a change of managers by this long; /min-enhet/ itself always
# reads the current units.
NAV_CACHE_SECONDS = 600
SESSION_KEY = "reports_manages_units"


def navigation(request: HttpRequest) -> dict:
    """`manages_units` for the site navigation ("My unit"): asked only when a template looks
    at it, and remembered in the session for a while, so that pages do not pay a query each."""
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)

    @cache
    def manages_units() -> bool:
        if user is None or not user.is_authenticated:
            return False
        now = int(time.time())
        remembered = session.get(SESSION_KEY) if session is not None else None
        if remembered and remembered[0] == user.pk and now - remembered[1] < NAV_CACHE_SECONDS:
            return bool(remembered[2])
        value = manages_a_unit(user)
        if session is not None:
            session[SESSION_KEY] = [user.pk, now, value]
        return value

    return {"manages_units": manages_units}
