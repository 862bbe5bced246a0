"""Template context for the site's own navigation."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import cache

from django.http import HttpRequest

# The "Editing" link may lag a change of a person's permissions by this long; the admin itself
# always checks the current permissions.
NAV_CACHE_SECONDS = 600
SESSION_KEY = "lms_shows_editing"


def remembered_flag(
    request: HttpRequest, key: str, compute: Callable[[object], bool], seconds: int
) -> Callable[[], bool]:
    """A yes/no about the logged-in user for the menu, computed only when a template asks and
    remembered in the session for `seconds` (stored as [user id, time, value]), so that page
    views do not pay its queries each. The pages the link leads to always check afresh."""
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)

    @cache
    def flag() -> bool:
        if user is None or not user.is_authenticated:
            return False
        now = int(time.time())
        remembered = session.get(key) if session is not None else None
        if remembered and remembered[0] == user.pk and now - remembered[1] < seconds:
            return bool(remembered[2])
        value = bool(compute(user))
        if session is not None:
            session[key] = [user.pk, now, value]
        return value

    return flag


def navigation(request: HttpRequest) -> dict:
    """`shows_editing` for the menu's "Editing" link (staff always; others by permission)."""
    user = getattr(request, "user", None)
    remembered = remembered_flag(
        request, SESSION_KEY, lambda u: u.has_perm("wagtailadmin.access_admin"), NAV_CACHE_SECONDS
    )

    def shows_editing() -> bool:
        if user is not None and user.is_authenticated and user.is_staff:
            return True
        return remembered()

    return {"shows_editing": shows_editing}
