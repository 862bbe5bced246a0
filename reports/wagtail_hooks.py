from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.urls import path, re_path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic import CreateView, DeleteView, EditView, IndexView
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.viewsets.model import ModelViewSet

from people.selectors import has_whole_organisation, visible_units

from . import admin_views, forecast, selectors
from .forms import CoverageGoalForm
from .models import CoverageGoal

EXPORT = r"(?P<kind>units|overdue)\.(?P<fmt>csv|xlsx)"


@hooks.register("register_admin_urls")
def register_coverage_urls():
    return [
        path("coverage/", admin_views.OverviewView.as_view(), name="reports_coverage"),
        path(
            "coverage/units/<int:unit_id>/",
            admin_views.UnitView.as_view(),
            name="reports_coverage_unit",
        ),
        re_path(rf"^coverage/export/{EXPORT}$", admin_views.export, name="reports_coverage_export"),
        re_path(
            rf"^coverage/units/(?P<unit_id>[0-9]+)/export/{EXPORT}$",
            admin_views.export,
            name="reports_coverage_unit_export",
        ),
        path(
            "active-measures/",
            admin_views.ActiveMeasuresView.as_view(),
            name="reports_active_measures",
        ),
        re_path(
            r"^active-measures/report\.(?P<fmt>pdf|xlsx)$",
            admin_views.active_measures_file,
            name="reports_active_measures_file",
        ),
    ]


# --- Goals: HR sets them for its own part of the organisation -----------------------------


def goals_visible_to(user):
    goals = CoverageGoal.objects.select_related("unit", "course")
    if user.is_superuser:
        return goals
    return goals.filter(Q(unit__isnull=True) | Q(unit__in=visible_units(user)))


def may_change_goal(user, goal: CoverageGoal) -> bool:
    if user.is_superuser:
        return True
    if goal.unit_id is None:
        return has_whole_organisation(user)
    return visible_units(user).filter(pk=goal.unit_id).exists()


class GoalIndexView(IndexView):
    def get_base_queryset(self):
        return goals_visible_to(self.request.user).order_by("deadline", "name")


class ScopedGoalMixin:
    def get_object(self, *args, **kwargs):
        goal = super().get_object(*args, **kwargs)
        if not may_change_goal(self.request.user, goal):
            raise PermissionDenied
        return goal


class GoalCreateView(CreateView):
    def save_instance(self):
        goal = self.form.save(commit=False)
        goal.created_by = self.request.user
        goal.save()
        return goal


class GoalEditView(ScopedGoalMixin, EditView):
    pass


class GoalDeleteView(ScopedGoalMixin, DeleteView):
    pass


class GoalHistoryView(ScopedGoalMixin, HistoryView):
    pass


class GoalUsageView(ScopedGoalMixin, UsageView):
    pass


class CoverageGoalViewSet(ModelViewSet):
    model = CoverageGoal
    name = "coverage_goals"
    url_prefix = "coverage/goals"
    icon = "pick"
    menu_label = _("Coverage goals")
    add_to_admin_menu = False
    index_view_class = GoalIndexView
    add_view_class = GoalCreateView
    edit_view_class = GoalEditView
    delete_view_class = GoalDeleteView
    history_view_class = GoalHistoryView
    usage_view_class = GoalUsageView
    list_display = ["name", "target_percent", "deadline", "course", "unit"]
    search_fields = ["name"]
    search_backend_name = None
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return CoverageGoalForm


coverage_goal_viewset = CoverageGoalViewSet()


@hooks.register("register_admin_viewset")
def register_goal_viewset():
    return coverage_goal_viewset


class CoverageMenuItem(MenuItem):
    def is_shown(self, request):
        return selectors.may_view_dashboard(request.user)


class GoalMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("reports.view_coveragegoal")


@hooks.register("register_reports_menu_item")
def register_coverage_menu_item():
    return CoverageMenuItem(
        _("Coverage"), reverse("reports_coverage"), icon_name="tasks", order=600
    )


@hooks.register("register_reports_menu_item")
def register_active_measures_menu_item():
    return CoverageMenuItem(
        _("Active measures report"),
        reverse("reports_active_measures"),
        icon_name="doc-full",
        order=605,
    )


@hooks.register("register_reports_menu_item")
def register_goal_menu_item():
    return GoalMenuItem(
        _("Coverage goals"),
        reverse(coverage_goal_viewset.get_url_name("index")),
        icon_name="pick",
        order=610,
    )


# --- HR's start page (issue 11, item 6) -------------------------------------------------------


class CoverageGoalsPanel(Component):
    """On the admin home page of HR: coverage against each goal in their scope, the forecast
    and the units furthest behind, so that Monday starts there."""

    name = "coverage_goals"
    template_name = "reports/admin/home_panel.html"
    order = 50

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context=None):
        today = timezone.localdate()
        roots = selectors.scope_roots(self.user)
        goals = list(goals_visible_to(self.user).order_by("deadline", "name"))
        goals = selectors.relevant_goals(goals, roots)
        return {
            "forecasts": forecast.forecast_goals(goals, roots=roots, today=today),
            "today": today,
        }


@hooks.register("construct_homepage_panels")
def add_coverage_goals_panel(request, panels):
    if selectors.may_view_dashboard(request.user):
        panels.append(CoverageGoalsPanel(request.user))
