from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import health


@login_not_required
@never_cache
@require_GET
def health_view(request: HttpRequest) -> JsonResponse:
    """JSON status of database, broker, worker and beat; 503 names what is down.

    `?check=database,broker` limits the checks (the web container's own health check uses it,
    so that a stopped worker does not restart the web server).
    """
    names = [n.strip() for n in request.GET.get("check", "").split(",") if n.strip()] or None
    healthy, body = health.report(names)
    return JsonResponse(body, status=200 if healthy else 503)


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """Shown by django-axes instead of the login form once the failure limit is reached."""
    minutes = max(1, round(settings.AXES_COOLOFF_TIME * 60))
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)
