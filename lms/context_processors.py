"""Template context for the site's own navigation."""

from __future__ import annotations

import time
from functools import cache

from django.http import HttpRequest

# The "Editing" link may lag a change of a person's permissions by this long; the admin itself
# always checks the current permissions.
NAV_CACHE_SECONDS = 600
SESSION_KEY = "lms_shows_editing"


def navigation(request: HttpRequest) -> dict:
    """`shows_editing` for the menu's "Editing" link: asked only when a template looks at it,
    and remembered in the session for a while, so that a learner's page views do not pay the
    two permission queries each (the same approach as reports' "My unit")."""
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)

    @cache
    def shows_editing() -> bool:
        if user is None or not user.is_authenticated:
            return False
        if user.is_staff:
            return True
        now = int(time.time())
        remembered = session.get(SESSION_KEY) if session is not None else None
        if remembered and remembered[0] == user.pk and now - remembered[1] < NAV_CACHE_SECONDS:
            return bool(remembered[2])
        value = user.has_perm("wagtailadmin.access_admin")
        if session is not None:
            session[SESSION_KEY] = [user.pk, now, value]
        return value

    return {"shows_editing": shows_editing}
