"""HR's certification pages in the Wagtail admin: units per programme, one unit (criteria,
evidence to review, certificates), certify, review, and the files.

Only administrators and HR reach them, and only for units inside their HR scopes: anything
outside answers 404, as if it did not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from diplomas.views import private

from . import selectors, services
from .models import CertificationProgramme

PER_PAGE = 50
STATE_LABELS = {
    selectors.CERTIFIED: _("Certified"),
    selectors.LAPSED: _("Lapsed"),
    selectors.READY: _("All criteria met"),
    selectors.IN_PROGRESS: _("Not yet met"),
}


def _access(request: HttpRequest) -> None:
    if not selectors.may_manage(request.user):
        raise PermissionDenied


def _programme_or_404(programme_id) -> CertificationProgramme:
    programme = CertificationProgramme.objects.filter(pk=programme_id).first()
    if programme is None:
        raise Http404(_("No such certification programme."))
    return programme


class OverviewView(WagtailAdminTemplateMixin, TemplateView):
    """Units in scope with their standing under one programme; filter to certified, lapsed,
    ready. Every unit is evaluated at once (constant queries), then filtered and paged."""

    template_name = "certification/admin/overview.html"
    header_icon = "success"
    page_title = _("Workplace certification")

    def dispatch(self, request, *args, **kwargs):
        _access(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": _("Workplace certification")}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        programmes = list(CertificationProgramme.objects.order_by("-active", "name"))
        try:
            wanted = int(self.request.GET.get("programme", ""))
        except ValueError:
            wanted = None
        programme = next((p for p in programmes if p.pk == wanted), None) or (
            programmes[0] if programmes else None
        )
        state = self.request.GET.get("state", "")
        if state not in STATE_LABELS:
            state = ""
        rows = []
        counts = dict.fromkeys(STATE_LABELS, 0)
        if programme is not None:
            units = list(selectors.hr_units_for(self.request.user).order_by("path"))
            today = timezone.localdate()
            for row in selectors.standings(programme, units, today):
                counts[row.state] += 1
                if not state or row.state == state:
                    rows.append(row)
        page = Paginator(rows, PER_PAGE).get_page(self.request.GET.get("p"))
        query = {"programme": programme.pk} if programme else {}
        if state:
            query["state"] = state
        context.update(
            programmes=programmes,
            programme=programme,
            state=state,
            states=[(key, label, counts[key]) for key, label in STATE_LABELS.items()],
            state_labels=STATE_LABELS,
            page_obj=page,
            query=urlencode(query),
        )
        return context


class UnitView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "certification/admin/unit.html"
    header_icon = "success"
    page_title = _("Workplace certification")

    def dispatch(self, request, *args, **kwargs):
        _access(request)
        self.programme = _programme_or_404(kwargs["programme_id"])
        self.unit = selectors.unit_for_hr(request.user, kwargs["unit_id"])
        if self.unit is None:
            raise Http404(_("No such unit in your part of the organisation."))
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return f"{self.unit.name} – {self.programme.name}"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse("certification_admin") + f"?programme={self.programme.pk}",
                "label": _("Workplace certification"),
            },
            {"url": "", "label": self.unit.name},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        standing = selectors.standing(self.programme, self.unit, timezone.localdate())
        context.update(
            programme=self.programme,
            unit=self.unit,
            standing=standing,
            state_label=STATE_LABELS[standing.state],
            evidence=selectors.evidence_history(self.unit, self.programme),
        )
        return context


@require_POST
def certify(request: HttpRequest, programme_id: int, unit_id: int) -> HttpResponse:
    _access(request)
    try:
        certification = services.certification_issue(
            user=request.user, unit_id=unit_id, programme_id=programme_id
        )
    except services.NotFound as exc:
        raise Http404(str(exc)) from exc
    except services.CertificationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("The unit is certified until %(date)s.")
            % {"date": certification.valid_until.isoformat()},
        )
    return redirect("certification_admin_unit", programme_id=programme_id, unit_id=unit_id)


@require_POST
def review(request: HttpRequest, evidence_id: int) -> HttpResponse:
    _access(request)
    decision = request.POST.get("decision")
    if decision not in ("approve", "return"):
        messages.error(request, _("Choose whether to approve or return the evidence."))
        evidence = selectors.evidence_for_hr(request.user, evidence_id)
        if evidence is None:
            raise Http404
    else:
        try:
            evidence = services.evidence_review(
                user=request.user,
                evidence_id=evidence_id,
                approve=decision == "approve",
                comment=request.POST.get("comment", ""),
            )
        except services.NotFound as exc:
            raise Http404(str(exc)) from exc
        except services.CertificationError as exc:
            messages.error(request, str(exc))
            evidence = selectors.evidence_for_hr(request.user, evidence_id)
        else:
            messages.success(
                request,
                _("The evidence is approved.")
                if decision == "approve"
                else _("The evidence is returned to the manager."),
            )
    return redirect(
        "certification_admin_unit",
        programme_id=evidence.criterion.programme_id,
        unit_id=evidence.unit_id,
    )


def evidence_response(evidence) -> HttpResponse:
    if not evidence.file:
        raise Http404
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    name = evidence.file.name.rsplit("/", 1)[-1]
    # Always a download (never rendered in our origin): an uploaded file is not our page.
    response = FileResponse(handle, as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    return private(response)


@require_safe
def evidence_file(request: HttpRequest, evidence_id: int) -> HttpResponse:
    _access(request)
    evidence = selectors.evidence_for_hr(request.user, evidence_id)
    if evidence is None:
        raise Http404
    return evidence_response(evidence)


def certificate_response(certification) -> HttpResponse:
    certification = services.certificate_ensure_pdf(certification=certification)
    response = FileResponse(
        certification.pdf.open("rb"),
        as_attachment=True,
        filename=f"certifikat-{certification.unit.code}-{certification.certified_on}.pdf",
        content_type="application/pdf",
    )
    return private(response)


@require_safe
def certificate_pdf(request: HttpRequest, certification_id: int) -> HttpResponse:
    _access(request)
    certification = selectors.certificate_for(request.user, certification_id)
    if certification is None or not selectors.unit_for_hr(request.user, certification.unit_id):
        raise Http404
    return certificate_response(certification)
