"""HR's diplomas in the Wagtail admin: list, download one, ZIP of a unit, revoke.

Only administrators and HR reach it, and only for people inside `hr_units(user)` (HR scopes
only, not units the user manages): a diploma or unit outside the scope answers 404, as if it
did not exist.
"""

from __future__ import annotations

import tempfile

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from . import selectors, services
from .models import Diploma
from .views import pdf_response, private

PER_PAGE = 50


def _access(request: HttpRequest) -> None:
    if not selectors.may_manage(request.user):
        raise PermissionDenied


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _diploma_or_404(request: HttpRequest, diploma_id: int) -> Diploma:
    diploma = selectors.diplomas_in_scope(request.user).filter(pk=diploma_id).first()
    if diploma is None:
        raise Http404(_("No such diploma in your part of the organisation."))
    return diploma


class DiplomaIndexView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "diplomas/admin/index.html"
    header_icon = "doc-full"
    page_title = _("Diplomas")

    def dispatch(self, request, *args, **kwargs):
        _access(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": _("Diplomas")}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        units = list(selectors.visible_units_for(user).only("pk", "name", "code", "depth"))
        courses = selectors.course_choices()
        unit_id = _int(self.request.GET.get("unit"))
        unit = next((u for u in units if u.pk == unit_id), None)
        course_id = _int(self.request.GET.get("course"))
        if course_id not in {pk for pk, _title in courses}:
            course_id = None
        subunits = self.request.GET.get("subunits") == "1" or "unit" not in self.request.GET
        diplomas = selectors.diplomas_in_scope(user)
        if unit is not None:
            diplomas = selectors.diplomas_of_unit(user, unit, subunits=subunits)
        if course_id:
            diplomas = diplomas.filter(completion__course_id=course_id)
        diplomas = diplomas.order_by("-issued_at", "-pk")
        page = Paginator(diplomas, PER_PAGE).get_page(self.request.GET.get("p"))
        query = {"subunits": "1" if subunits else "0"}
        if unit:
            query["unit"] = unit.pk
        if course_id:
            query["course"] = course_id
        context.update(
            units=units,
            unit=unit,
            courses=courses,
            course_id=course_id,
            subunits=subunits,
            page_obj=page,
            query=urlencode(query),
            zip_url=(
                reverse("diplomas_admin_zip", args=[unit.pk])
                + "?"
                + urlencode({"subunits": "1" if subunits else "0"})
                if unit
                else ""
            ),
        )
        return context


def download(request: HttpRequest, diploma_id: int) -> HttpResponse:
    _access(request)
    diploma = _diploma_or_404(request, diploma_id)
    if diploma.holder_removed_at is not None:
        raise Http404
    return pdf_response(diploma)


def unit_zip(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Every current (not revoked) diploma of a unit, optionally with its sub-units, as a ZIP.

    Written to a temporary file one PDF at a time (PDFs are compressed already: stored, not
    deflated) and streamed from there, so that memory does not grow with the unit.
    """
    _access(request)
    unit = selectors.unit_in_scope(request.user, unit_id)
    if unit is None:
        raise Http404(_("No such unit in your part of the organisation."))
    subunits = request.GET.get("subunits", "1") != "0"
    diplomas = selectors.diplomas_of_unit(request.user, unit, subunits=subunits).filter(
        revoked_at__isnull=True, holder_removed_at__isnull=True
    )
    total = diplomas.count()
    if total > settings.DIPLOMA_ZIP_MAX:
        messages.error(
            request,
            _(
                "The unit has %(count)s diplomas; one ZIP file holds at most %(max)s. Choose a "
                "smaller unit, or leave out its sub-units."
            )
            % {"count": total, "max": settings.DIPLOMA_ZIP_MAX},
        )
        return redirect("diplomas_admin")
    archive = tempfile.TemporaryFile()  # noqa: SIM115  (closed by the response)
    services.diplomas_zip(diplomas=diplomas, target=archive)
    archive.seek(0)
    filename = f"diplom-{slugify(unit.code) or unit.pk}.zip"
    response = FileResponse(
        archive, as_attachment=True, filename=filename, content_type="application/zip"
    )
    return private(response)


def revoke(request: HttpRequest, diploma_id: int) -> HttpResponse:
    _access(request)
    diploma = _diploma_or_404(request, diploma_id)
    error = ""
    if request.method == "POST":
        try:
            services.diploma_revoke(
                diploma=diploma, user=request.user, reason=request.POST.get("reason", "")
            )
        except services.DiplomaError as exc:
            error = str(exc)
        else:
            messages.success(request, _("The diploma has been revoked."))
            return redirect("diplomas_admin")
    return TemplateResponse(
        request,
        "diplomas/admin/revoke.html",
        {"diploma": diploma, "error": error, "reason": request.POST.get("reason", "")[:2000]},
        status=400 if error else 200,
    )
