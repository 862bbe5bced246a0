"""The statement page (served by Wagtail) with its problem-report form, and a stable address."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from wagtail.models import Site

from lms.ratelimit import hit_client

from . import services
from .forms import ProblemReportForm
from .models import DIGG_REPORT_URL, AccessibilityStatementPage

SENT = "skickat"


def serve_statement(page: AccessibilityStatementPage, request: HttpRequest) -> HttpResponse:
    status = 200
    limited = ""
    if request.method == "POST":
        form = ProblemReportForm(request.POST)
        if form.is_valid():
            verdict = hit_client(
                request,
                "a11y-report",
                limit=settings.ACCESSIBILITY_REPORTS_PER_CLIENT,
                window=settings.ACCESSIBILITY_REPORT_WINDOW,
            )
            if verdict.allowed:
                services.report_problem(**form.cleaned_data)
                # Post/redirect/get: a reload does not send the report twice.
                return HttpResponseRedirect(f"{page.url}?{SENT}=1#rapportera")
            status = 429
            minutes = max(1, round(verdict.retry_after / 60))
            limited = _(
                "You have sent several reports in a short time. Please wait %(minutes)s minutes "
                "and send again; your text is kept below."
            ) % {"minutes": minutes}
        else:
            status = 400
    else:
        form = ProblemReportForm(initial={"page_url": request.GET.get("sida", "")[:500]})
    context = page.get_context(request)
    context.update(
        form=form, sent=request.GET.get(SENT) == "1", limited=limited, digg_url=DIGG_REPORT_URL
    )
    response = TemplateResponse(request, page.get_template(request), context, status=status)
    if limited:
        response["Retry-After"] = str(verdict.retry_after)
    return response


@login_not_required
def statement(request: HttpRequest) -> HttpResponse:
    """A fixed address for the footer link: no query on every page for the statement's URL."""
    site = Site.find_for_request(request)
    pages = AccessibilityStatementPage.objects.live().public()
    if site is not None:
        pages = pages.descendant_of(site.root_page, inclusive=True)
    page = pages.first()
    if page is None:
        raise Http404(_("The accessibility statement has not been published."))
    url = page.get_url(request)
    came_from = request.GET.get("sida", "")
    if came_from.startswith("/") and not came_from.startswith("//"):
        url = f"{url}?{urlencode({'sida': came_from[:500]})}"
    return HttpResponseRedirect(url)
