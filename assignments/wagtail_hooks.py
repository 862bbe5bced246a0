from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList, PageChooserPanel
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import CreateView, EditView, IndexView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.models import Page
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from courses.wagtail_hooks import register_deletion_guard
from people.selectors import people_in_scope, visible_units

from . import selectors, services
from .forms import AssignmentRuleForm, ExemptionForm
from .models import Assignment, AssignmentRule


def _evaluate_on_commit(course_id: int) -> None:
    from . import tasks

    transaction.on_commit(lambda: tasks.evaluate_rules.delay([course_id]))


# ------------------------------------------------------------------ rules


class RuleIndexView(IndexView):
    def get_base_queryset(self):
        return (
            AssignmentRule.objects.filter(unit__in=visible_units(self.request.user))
            .select_related("course", "unit")
            .annotate(open_assignments=Count("assignments", filter=Q(assignments__ended_at=None)))
            .order_by("name")
        )


class ScopedRuleMixin:
    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        if not visible_units(self.request.user).filter(pk=obj.unit_id).exists():
            raise PermissionDenied
        return obj


class RuleCreateView(CreateView):
    def save_instance(self):
        self.form.instance.created_by = self.request.user
        instance = super().save_instance()
        _evaluate_on_commit(instance.course_id)
        return instance

    def get_success_message(self, instance=None):
        return gettext(
            "Rule '%(name)s' saved. The assignments are being updated; this can take a minute."
        ) % {"name": instance}


class RuleEditView(ScopedRuleMixin, EditView):
    def save_instance(self):
        before = AssignmentRule.objects.get(pk=self.object.pk).course_id
        instance = super().save_instance()
        _evaluate_on_commit(instance.course_id)
        if before != instance.course_id:
            _evaluate_on_commit(before)
        return instance

    def get_success_message(self):
        return gettext(
            "Rule '%(name)s' saved. The assignments are being updated; this can take a minute."
        ) % {"name": self.object}


class RuleHistoryView(ScopedRuleMixin, ModelViewSet.history_view_class):
    pass


class RuleUsageView(ScopedRuleMixin, ModelViewSet.usage_view_class):
    pass


class RuleDeleteView(ScopedRuleMixin, ModelViewSet.delete_view_class):
    def delete_action(self):
        course_id = self.object.course_id
        super().delete_action()
        _evaluate_on_commit(course_id)


class AssignmentRuleViewSet(ModelViewSet):
    model = AssignmentRule
    name = "assignment_rules"
    url_prefix = "assignments/rules"
    icon = "list-ul"
    menu_label = _("Rules")
    index_view_class = RuleIndexView
    add_view_class = RuleCreateView
    edit_view_class = RuleEditView
    delete_view_class = RuleDeleteView
    history_view_class = RuleHistoryView
    usage_view_class = RuleUsageView
    copy_view_enabled = False
    list_display = [
        "name",
        "course",
        "unit",
        "audience",
        "due_days",
        Column("open_assignments", label=_("Open assignments")),
        "active",
    ]
    list_filter = ["active", "audience"]
    search_fields = ["name"]
    search_backend_name = None
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            PageChooserPanel("course", "courses.CoursePage"),
            FieldRowPanel([FieldPanel("unit"), FieldPanel("include_subunits")]),
            FieldPanel("audience"),
            FieldRowPanel([FieldPanel("hired_within_days"), FieldPanel("due_days")]),
            FieldPanel("active"),
        ],
        base_form_class=AssignmentRuleForm,
    )


# ------------------------------------------------------------ assignments


class StateFilterSet(WagtailFilterSet):
    state = django_filters.ChoiceFilter(
        label=_("State"), choices=list(selectors.STATE_LABELS.items()), method="by_state"
    )
    course = django_filters.ModelChoiceFilter(
        label=_("Course"), queryset=Page.objects.none(), field_name="course"
    )

    class Meta:
        model = Assignment
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.apps import apps

        course_model = apps.get_model("courses", "CoursePage")
        self.filters["course"].queryset = Page.objects.type(course_model).order_by("title")

    def by_state(self, queryset, name, value):
        return queryset.filter(state=value)


class StateColumn(Column):
    def get_value(self, instance):
        return selectors.STATE_LABELS[instance.state]


class AssignmentIndexView(IndexView):
    filterset_class = StateFilterSet

    def get_base_queryset(self):
        people = people_in_scope(self.request.user).values("user_id")
        return (
            selectors.with_state(selectors.open_assignments().filter(user_id__in=people))
            .select_related("user", "course")
            .order_by("due_on", "pk")
        )


class ScopedAssignmentMixin:
    """Only assignments of people in the user's scope, and never one's own (nobody exempts
    themselves from mandatory training) unless an administrator."""

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        user = self.request.user
        people = people_in_scope(user).values("user_id")
        if not Assignment.objects.filter(pk=obj.pk, user_id__in=people).exists():
            raise PermissionDenied
        if obj.user_id == user.pk and not user.is_superuser:
            raise PermissionDenied
        return obj


class AssignmentHistoryView(ScopedAssignmentMixin, ModelViewSet.history_view_class):
    pass


class AssignmentUsageView(ScopedAssignmentMixin, ModelViewSet.usage_view_class):
    pass


class AssignmentEditView(ScopedAssignmentMixin, EditView):
    def save_instance(self):
        # Through the service: who exempted and when is recorded, never typed in.
        assignment = self.object
        if self.form.cleaned_data["exempt"]:
            return services.exempt(
                assignment=assignment,
                by=self.request.user,
                reason=self.form.cleaned_data["exemption_reason"],
            )
        return services.withdraw_exemption(assignment=assignment)

    def get_success_message(self):
        return gettext("Assignment for %(person)s saved.") % {
            "person": self.object.user.get_full_name() or self.object.user
        }


class AssignmentPolicy(ModelPermissionPolicy):
    """Assignments come from rules: nobody adds or deletes one by hand."""

    def user_has_permission(self, user, action):
        if action in ("add", "delete"):
            return False
        return super().user_has_permission(user, action)


class AssignmentViewSet(ModelViewSet):
    model = Assignment
    name = "assignments"
    url_prefix = "assignments/list"
    # Hundreds of thousands of rows that only point at courses (the rules already protect
    # those): indexing them would cost a query per row on every delete (GDPR erasure).
    add_to_reference_index = False
    icon = "date"
    menu_label = _("Assignments")
    index_view_class = AssignmentIndexView
    edit_view_class = AssignmentEditView
    history_view_class = AssignmentHistoryView
    usage_view_class = AssignmentUsageView
    copy_view_enabled = False
    list_display = [
        "person_name",
        "course",
        "due_on",
        StateColumn("state", label=_("State")),
    ]
    search_fields = ["user__first_name", "user__last_name", "user__email"]
    search_backend_name = None
    edit_handler = ObjectList(
        [FieldPanel("exempt"), FieldPanel("exemption_reason")], base_form_class=ExemptionForm
    )


register_permission_policy(Assignment, AssignmentPolicy(Assignment))


class AssignmentGroup(ViewSetGroup):
    items = (AssignmentRuleViewSet, AssignmentViewSet)
    menu_icon = "date"
    menu_label = _("Assignments")
    menu_order = 232


@hooks.register("register_admin_viewset")
def register_assignment_viewsets():
    return AssignmentGroup()


# ------------------------------------------------ courses that are assigned


def _assigned(page: Page) -> bool:
    ids = Page.objects.descendant_of(page, inclusive=True).values("pk")
    return (
        AssignmentRule.objects.filter(course_id__in=ids).exists()
        or Assignment.objects.filter(course_id__in=ids).exists()
    )


register_deletion_guard(
    _assigned,
    lambda: gettext(
        "“%(title)s” cannot be deleted because it is assigned to people (rules or their "
        "history). Unpublish it instead, or deactivate its rules."
    ),
)
