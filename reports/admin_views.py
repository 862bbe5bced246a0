"""HR's coverage dashboard in the Wagtail admin: overview, drill-down per unit, exports.

Only administrators and HR reach it, and only for units inside `visible_units(user)`. A unit
outside the scope answers 404, as if it did not exist.
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from people.models import OrgUnit

from . import exports, forecast, selectors

OVERDUE_PER_PAGE = 50


class KnownCountPaginator(Paginator):
    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self.known_count = count

    @property
    def count(self) -> int:
        return self.known_count


def _course_id(request: HttpRequest, choices: list[tuple[int, str]]) -> int | None:
    """The course filter from `?course=`; anything that is not a known course means all."""
    try:
        value = int(request.GET.get("course", ""))
    except ValueError:
        return None
    return value if any(pk == value for pk, _title in choices) else None


def _dashboard_access(request: HttpRequest) -> None:
    if not selectors.may_view_dashboard(request.user):
        raise PermissionDenied


def _unit_or_404(request: HttpRequest, unit_id: int) -> OrgUnit:
    try:
        return selectors.unit_in_scope(request.user, unit_id)
    except OrgUnit.DoesNotExist:
        raise Http404(_("No such unit in your part of the organisation.")) from None


EXPORTS = (("units", _("Coverage per unit")), ("overdue", _("Overdue assignments")))


def _export_links(unit_id: int | None, query: str) -> list[dict]:
    links = []
    for kind, label in EXPORTS:
        urls = {}
        for fmt in ("csv", "xlsx"):
            if unit_id is None:
                url = reverse("reports_coverage_export", args=[kind, fmt])
            else:
                url = reverse("reports_coverage_unit_export", args=[unit_id, kind, fmt])
            urls[fmt] = f"{url}?{query}" if query else url
        links.append({"label": label, **urls})
    return links


def trend_chart(points: list[selectors.TrendPoint]) -> dict:
    """Bar geometry for the SVG next to the trend table (the table holds the same figures)."""
    height, bar, gap, left = 120, 28, 12, 56
    bars = []
    for index, point in enumerate(points):
        share = point.coverage or 0
        bar_height = round(height * share / 100)
        bars.append(
            {
                "point": point,
                "x": left + index * (bar + gap),
                "y": 10 + height - bar_height,
                "height": bar_height,
                "label_x": left + index * (bar + gap) + bar // 2,
            }
        )
    return {
        "bars": bars,
        "width": left + len(points) * (bar + gap),
        "height": height + 40,
        "bar": bar,
        "base": 10 + height,
        "gridlines": [{"y": 10 + height - height * p // 100, "label": p} for p in (0, 50, 100)],
    }


class CoverageView(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "tasks"
    page_title = _("Coverage")

    def dispatch(self, request, *args, **kwargs):
        _dashboard_access(request)
        return super().dispatch(request, *args, **kwargs)

    def setup_filters(self) -> None:
        self.courses = selectors.course_choices()
        self.course_id = _course_id(self.request, self.courses)
        self.today = timezone.localdate()
        self.query = urlencode({"course": self.course_id}) if self.course_id else ""

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("reports_coverage"), "label": _("Coverage")},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            courses=self.courses,
            course_id=self.course_id,
            course_title=dict(self.courses).get(self.course_id),
            query=self.query,
            today=self.today,
            small_group=selectors.SMALL_GROUP,
        )
        return context


class OverviewView(CoverageView):
    template_name = "reports/admin/overview.html"

    def get_context_data(self, **kwargs):
        self.setup_filters()
        context = super().get_context_data(**kwargs)
        roots = selectors.scope_roots(self.request.user)
        goals = selectors.goals_for(self.course_id)
        sections = selectors.coverage_by_unit(
            parents=roots, course_id=self.course_id, today=self.today, goals=goals
        )
        trend = selectors.coverage_trend(roots=roots, course_id=self.course_id, today=self.today)
        relevant = selectors.relevant_goals(goals, roots)
        context.update(
            sections=sections,
            goals=relevant,
            forecasts=forecast.forecast_goals(relevant, roots=roots, today=self.today),
            forecast_weeks=forecast.WINDOW_WEEKS,
            trend=trend,
            chart=trend_chart(trend),
            exports=_export_links(None, self.query),
        )
        return context


class UnitView(CoverageView):
    template_name = "reports/admin/unit.html"

    def get_page_subtitle(self):
        return self.unit.name

    def get_breadcrumbs_items(self):
        items = super().get_breadcrumbs_items()
        for ancestor in self.ancestors:
            items.append(
                {
                    "url": reverse("reports_coverage_unit", args=[ancestor.pk]),
                    "label": ancestor.name,
                }
            )
        return [*items, {"url": "", "label": self.unit.name}]

    def get_context_data(self, **kwargs):
        self.setup_filters()
        self.unit = _unit_or_404(self.request, self.kwargs["unit_id"])
        roots = selectors.scope_roots(self.request.user)
        self.ancestors = [
            a
            for a in self.unit.get_ancestors()
            if any(a.path.startswith(root.path) for root in roots)
        ]
        context = super().get_context_data(**kwargs)
        goals = selectors.goals_for(self.course_id)
        relevant = selectors.relevant_goals(goals, [self.unit])
        (section,) = selectors.coverage_by_unit(
            parents=[self.unit], course_id=self.course_id, today=self.today, goals=goals
        )
        trend = selectors.coverage_trend(
            roots=[self.unit], course_id=self.course_id, today=self.today
        )
        # The aggregate has counted them already: no second pass for the paginator.
        overdue = KnownCountPaginator(
            selectors.overdue_assignments(
                roots=[self.unit], course_id=self.course_id, today=self.today
            ),
            OVERDUE_PER_PAGE,
            count=section.total.overdue,
        ).get_page(self.request.GET.get("page"))
        for assignment in overdue:
            assignment.days_overdue = (self.today - assignment.due_on).days
        context.update(
            unit=self.unit,
            section=section,
            goals=relevant,
            forecasts=forecast.forecast_goals(relevant, roots=[self.unit], today=self.today),
            forecast_weeks=forecast.WINDOW_WEEKS,
            trend=trend,
            chart=trend_chart(trend),
            overdue=overdue,
            parent=self.ancestors[-1] if self.ancestors else None,
            exports=_export_links(self.unit.pk, self.query),
        )
        return context


def export(request: HttpRequest, kind: str, fmt: str, unit_id: int | None = None) -> HttpResponse:
    """Per-unit coverage (every unit, rolled up) or the overdue list, as CSV or XLSX."""
    _dashboard_access(request)
    courses = selectors.course_choices()
    course_id = _course_id(request, courses)
    today = timezone.localdate()
    if unit_id is None:
        roots = selectors.scope_roots(request.user)
        stem = "tackning"
    else:
        unit = _unit_or_404(request, unit_id)
        roots = [unit]
        stem = f"tackning-{re.sub(r'[^A-Za-z0-9_-]', '', unit.code) or unit.pk}"
    if kind == "units":
        table = exports.unit_table(
            selectors.coverage_of_every_unit(roots=roots, course_id=course_id, today=today)
        )
        name = f"{stem}-enheter-{today.isoformat()}"
    else:
        table = exports.overdue_table(
            selectors.overdue_assignments(roots=roots, course_id=course_id, today=today), today
        )
        name = f"{stem}-forsenade-{today.isoformat()}"
    if fmt == "csv":
        return exports.csv_response(f"{name}.csv", table)
    return exports.xlsx_response(f"{name}.xlsx", table)


# --- The active-measures report (issue 17) -----------------------------------------------------


def _active_measures_form(request: HttpRequest):
    """The bound form, or None when nothing was chosen yet. A unit id outside the scope (or
    forged) answers 404, as on the dashboards; other errors show on the form."""
    from .forms import ActiveMeasuresForm

    today = timezone.localdate()
    raw_unit = request.GET.get("unit", "")
    if raw_unit.isdigit():
        _unit_or_404(request, int(raw_unit))
    if not request.GET:
        initial = {"start": today.replace(month=1, day=1), "end": today}
        return ActiveMeasuresForm(user=request.user, today=today, initial=initial), False
    return ActiveMeasuresForm(request.GET, user=request.user, today=today), True


def _active_measures_report(form):
    from .active_measures import build_report

    data = form.cleaned_data
    return build_report(unit=data["unit"], start=data["start"], end=data["end"])


class ActiveMeasuresView(WagtailAdminTemplateMixin, TemplateView):
    """HR chooses a unit and a period and sees the report, with links to the PDF and XLSX."""

    template_name = "reports/admin/active_measures.html"
    header_icon = "doc-full"
    page_title = _("Active measures report")

    def dispatch(self, request, *args, **kwargs):
        _dashboard_access(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("reports_active_measures"), "label": _("Active measures report")},
        ]

    def get_context_data(self, **kwargs):
        form, bound = _active_measures_form(self.request)
        context = super().get_context_data(**kwargs)
        report = _active_measures_report(form) if bound and form.is_valid() else None
        query = self.request.GET.urlencode() if report else ""
        context.update(
            form=form,
            report=report,
            pdf_url=f"{reverse('reports_active_measures_file', args=['pdf'])}?{query}",
            xlsx_url=f"{reverse('reports_active_measures_file', args=['xlsx'])}?{query}",
        )
        return context


def active_measures_file(request: HttpRequest, fmt: str) -> HttpResponse:
    """The report as PDF or XLSX, for the same choices as the preview. Invalid choices: 400."""
    from .active_measures import XLSX_TYPE, render_pdf, render_xlsx

    _dashboard_access(request)
    form, bound = _active_measures_form(request)
    if not bound or not form.is_valid():
        return HttpResponse(
            _("Choose a unit and a valid period on the report page first."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    report = _active_measures_report(form)
    if fmt == "pdf":
        body, content_type = render_pdf(report), "application/pdf"
    else:
        body, content_type = render_xlsx(report), XLSX_TYPE
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{report.filename(fmt)}"'
    response["Cache-Control"] = "no-store"
    return response
