"""Learner's download and the public verification page."""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from lms.ratelimit import hit_client

from . import codes, selectors, services
from .models import Diploma

# The 30th lookup within a minute from one address is refused: enough for a person at a
# desk, far too few to enumerate 2**80 codes.
VERIFY_LIMIT = 29
VERIFY_WINDOW = 60


def private(response: HttpResponse) -> HttpResponse:
    """Personal data: no proxy or shared cache keeps it, and the browser does not store it."""
    add_never_cache_headers(response)
    patch_cache_control(response, private=True, no_store=True)
    return response


def pdf_response(diploma: Diploma) -> HttpResponse:
    diploma = services.diploma_ensure_pdf(diploma=diploma)
    if not diploma.pdf:
        raise Http404
    filename = f"diplom-{slugify(diploma.course_title) or 'kurs'}-{diploma.code}.pdf"
    response = FileResponse(
        diploma.pdf.open("rb"),
        as_attachment=True,
        filename=filename,
        content_type="application/pdf",
    )
    return private(response)


@require_safe
def my_diploma(request: HttpRequest, course_id: int) -> HttpResponse:
    """The learner's own diploma for a course: there is no way to ask for anyone else's."""
    diploma = services.diploma_for_learner(user=request.user, course_id=course_id)
    if diploma is None or diploma.holder_removed_at:
        raise Http404
    if diploma.revoked_at is not None:
        # The link stays on the learner's pages; a plain page says why there is no file.
        response = TemplateResponse(
            request, "diplomas/revoked.html", {"diploma": diploma}, status=410
        )
        return private(response)
    return pdf_response(diploma)


@login_not_required
@require_safe
def verify_form(request: HttpRequest) -> HttpResponse:
    """Type a code (works without JavaScript: a GET form that lands on the code's page)."""
    typed = request.GET.get("code", "")
    error = ""
    if "code" in request.GET:
        code = codes.normalise(typed)
        if code is not None:
            return HttpResponseRedirect(reverse("diploma_verify", args=[codes.display(code)]))
        error = "invalid"
    response = TemplateResponse(
        request, "diplomas/verify_form.html", {"typed": typed[:80], "error": error}
    )
    return response


_PRINTABLE = re.compile(r"[^0-9A-Za-z -]")


@login_not_required
@require_safe
def verify(request: HttpRequest, code: str) -> HttpResponse:
    verdict = hit_client(request, "diploma-verify", limit=VERIFY_LIMIT, window=VERIFY_WINDOW)
    if not verdict.allowed:
        response = TemplateResponse(
            request,
            "diplomas/verify_limited.html",
            {"retry_after": verdict.retry_after},
            status=429,
        )
        response["Retry-After"] = str(verdict.retry_after)
        return private(response)
    diploma = selectors.by_code(code)
    if diploma is None:
        # An organisation's diploma (external_organisations) shares the codes' namespace.
        from external_organisations.selectors import award_by_code

        award = award_by_code(code)
        if award is not None:
            return private(
                TemplateResponse(
                    request, "external_organisations/verify_award.html", {"award": award}
                )
            )
    shown = codes.display(codes.normalise(code)) if diploma else _PRINTABLE.sub("", code)[:40]
    response = TemplateResponse(
        request,
        "diplomas/verify.html",
        {"diploma": diploma, "code": shown},
        status=200 if diploma else 404,
    )
    return private(response)
