"""/api/v1/: the integration API. Every view decides access itself (tokens, never sessions),
so Django's login-required default does not apply to it."""

from .views import api

patterns, app_name, namespace = api.urls
for pattern in patterns:
    # `login_not_required` without wrapping: the attribute is what the middleware reads.
    pattern.callback.login_required = False

urlpatterns = patterns
