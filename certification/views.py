"""The manager's certification page for a unit they manage: each criterion met or not with
the figures behind it, evidence for the manual ones, and the unit's certificates."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from diplomas.views import private

from . import selectors, services
from .admin_views import STATE_LABELS, certificate_response, evidence_response
from .forms import EvidenceForm


def _unit_or_404(request: HttpRequest, unit_id: int):
    unit = selectors.unit_for_manager(request.user, unit_id)
    if unit is None:
        raise Http404
    return unit


@require_safe
def unit_page(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _unit_or_404(request, unit_id)
    today = timezone.localdate()
    programmes = [
        {
            "programme": programme,
            "standing": (standing := selectors.standing(programme, unit, today)),
            "state_label": STATE_LABELS[standing.state],
        }
        for programme in selectors.active_programmes()
    ]
    response = TemplateResponse(
        request,
        "certification/unit.html",
        {"unit": unit, "programmes": programmes, "form": EvidenceForm(), "today": today},
    )
    return private(response)


@require_POST
def submit_evidence(request: HttpRequest, unit_id: int, criterion_id: int) -> HttpResponse:
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("certification_unit", unit_id=unit_id)
    try:
        services.evidence_submit(
            user=request.user,
            unit_id=unit_id,
            criterion_id=criterion_id,
            upload=form.cleaned_data["file"],
            text=form.cleaned_data["text"],
        )
    except services.NotFound as exc:
        raise Http404(str(exc)) from exc
    except services.CertificationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, services.SUBMITTED_MESSAGE)
    return redirect("certification_unit", unit_id=unit_id)


@require_safe
def evidence_file(request: HttpRequest, evidence_id: int) -> HttpResponse:
    evidence = selectors.evidence_for_manager(request.user, evidence_id)
    if evidence is None:
        raise Http404
    return evidence_response(evidence)


@require_safe
def certificate_pdf(request: HttpRequest, certification_id: int) -> HttpResponse:
    certification = selectors.certificate_for(request.user, certification_id)
    if certification is None or not selectors.unit_for_manager(request.user, certification.unit_id):
        raise Http404
    return certificate_response(certification)
