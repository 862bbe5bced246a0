"""Browser security headers, set in one place for every response Django makes.

Our own pages get a strict Content-Security-Policy: scripts, styles, images, media and fonts
only from this origin, no inline script or style, no plugins, not framed by other sites. The
Wagtail admin (and Django's admin) still use inline scripts and styles in Wagtail 8 (see
wagtail/wagtail#7053 and #12368), so paths listed in CSP_RELAXED_PREFIXES get the same policy
with 'unsafe-inline' for scripts and styles, blob:/data: images for the image editor, and
framing by this origin for the page preview. Only staff reach those paths.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse

STRICT = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "media-src": ["'self'"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "frame-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
RELAXED_CHANGES = {
    "script-src": ["'self'", "'unsafe-inline'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "media-src": ["'self'", "blob:"],
    "font-src": ["'self'", "data:"],
    "frame-ancestors": ["'self'"],
}
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), "
    "fullscreen=(self), picture-in-picture=(self), autoplay=(self)"
)


def _origin(url: str) -> str | None:
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def build_policy(*, relaxed: bool) -> str:
    directives = {name: list(values) for name, values in STRICT.items()}
    if relaxed:
        directives.update({name: list(values) for name, values in RELAXED_CHANGES.items()})
    # Single sign-on: the login and logout forms end at the identity provider, and Chromium
    # applies form-action to the redirect after a form post.
    for url in (
        getattr(settings, "OIDC_OP_AUTHORIZATION_ENDPOINT", None),
        getattr(settings, "OIDC_OP_LOGOUT_ENDPOINT", None),
    ):
        origin = _origin(url or "")
        if origin and origin not in directives["form-action"]:
            directives["form-action"].append(origin)
    # Embedded films (modules.Film.embed_url) play in the provider's player frame.
    for url in getattr(settings, "CSP_FRAME_SRC", []):
        origin = _origin(url)
        if origin and origin not in directives["frame-src"]:
            directives["frame-src"].append(origin)
    # Media on object storage (lms/storage.py): films play from signed addresses there, and
    # Wagtail's image renditions point there too.
    media = getattr(settings, "MEDIA_ORIGIN", None)
    if media:
        for name in ("media-src", "img-src"):
            if media not in directives[name]:
                directives[name].append(media)
    if getattr(settings, "SECURE_SSL_REDIRECT", False):
        directives["upgrade-insecure-requests"] = []
    return "; ".join(" ".join([name, *values]) for name, values in directives.items())


class SecurityHeadersMiddleware:
    """Content-Security-Policy, Referrer-Policy, Permissions-Policy and the cross-origin
    isolation headers. A view that has set a header itself keeps it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.strict = build_policy(relaxed=False)
        self.relaxed = build_policy(relaxed=True)
        self.header = (
            "Content-Security-Policy-Report-Only"
            if settings.CSP_REPORT_ONLY
            else "Content-Security-Policy"
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Wagtail renders a page preview through the middleware with a dummy request for the
        # page's own path; the admin shows it in a frame, so it gets the admin's policy.
        relaxed = getattr(request, "is_dummy", False) or request.path_info.startswith(
            tuple(settings.CSP_RELAXED_PREFIXES)
        )
        response.headers.setdefault(self.header, self.relaxed if relaxed else self.strict)
        response.headers.setdefault("Referrer-Policy", settings.SECURE_REFERRER_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response
