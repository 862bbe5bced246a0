"""The OpenID Connect login URLs, mounted at /oidc/ by lms.urls.

The library's URLs are always in place and each view checks `settings.SSO_ENABLED` when it is
called: with SSO off they answer 404. Deciding per request, not when the URLconf is imported,
keeps the URLconf independent of settings (and lets tests switch SSO on and off).
"""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from mozilla_django_oidc import urls as oidc_urls


def when_enabled(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    # Logging in happens before anyone is logged in: exempt from LoginRequiredMiddleware.
    @login_not_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.SSO_ENABLED:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


# oidc_authentication_init, oidc_authentication_callback and oidc_logout.
urlpatterns = [
    path(str(pattern.pattern), when_enabled(pattern.callback), name=pattern.name)
    for pattern in oidc_urls.urlpatterns
]
