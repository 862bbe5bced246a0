from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.deprecation import MiddlewareMixin

from lms import content_cache


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Django's login-required default, with two exceptions handled elsewhere.

    - The Wagtail admin has its own login and permission checks.
    - Wagtail's page serving decides per page type (see `home.wagtail_hooks`): pages are
      private unless their class says `is_public = True`.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is not None and match.url_name == "wagtail_serve":
            return None
        if request.path_info.startswith("/admin/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class LanguageMiddleware(LocaleMiddleware):
    """Swedish unless the person has chosen another language with the language switch.

    The browser's Accept-Language is not used: staff on English-language computers still get
    the Swedish interface their organisation works in, and can switch to English themselves.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class ContentCacheScopeMiddleware:
    """The content cache's generation is read once per request, not once per cached entry:
    each read is a round trip to Redis (lms.content_cache.request_scope)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with content_cache.request_scope():
            return self.get_response(request)


class CachedSiteMiddleware(MiddlewareMixin):
    """The request's site and its root page from the content cache (`lms.content_cache`),
    instead of up to three queries: for pages Wagtail serves, and for the site's own learner
    views whose templates link to pages (`pageurl` asks for the site). Wagtail keeps the site
    it finds on `request._wagtail_site` and reads it from there. Not for the admin, where
    editors change sites, nor the API, which links to no page."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.path_info.startswith(("/admin/", "/api/")):
            content_cache.site_for_request(request)
        return None
