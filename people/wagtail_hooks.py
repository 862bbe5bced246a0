from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import HeaderButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from . import admin_views, selectors
from .models import OrgUnit, Person


class ManagedByImportPolicy(ModelPermissionPolicy):
    """Units and people come from the HR system's file: nobody adds or deletes them by hand,
    and only administrators correct them."""

    def user_has_permission(self, user, action):
        if action in ("add", "delete"):
            return False
        if action == "change":
            return user.is_active and user.is_superuser
        return super().user_has_permission(user, action)


class ScopedUnitIndexView(IndexView):
    def get_base_queryset(self):
        return selectors.visible_units(self.request.user).order_by("path")


class ScopedPersonIndexView(IndexView):
    def get_base_queryset(self):
        return (
            selectors.people_in_scope(self.request.user)
            .select_related("user", "unit")
            .order_by("user__last_name", "user__first_name")
        )


class ScopedInspectView(InspectView):
    """Shows an object only if it is in the user's scope (`visible` gives the queryset)."""

    visible = None

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not type(self).visible(self.request.user).filter(pk=obj.pk).exists():
            raise PermissionDenied
        return obj


class ScopedUnitInspectView(ScopedInspectView):
    visible = staticmethod(selectors.visible_units)


class ScopedPersonInspectView(ScopedInspectView):
    visible = staticmethod(selectors.people_in_scope)

    @cached_property
    def header_buttons(self):
        # The person's course history (rounds, completions, validity): progress's admin view.
        url = reverse("progress_person_history", args=[self.object.pk])
        return [
            *super().header_buttons,
            HeaderButton(_("Course history"), url, icon_name="history"),
        ]


class OrgUnitViewSet(ModelViewSet):
    model = OrgUnit
    name = "organisation_units"
    url_prefix = "organisation/units"
    icon = "group"
    menu_label = _("Units")
    index_view_class = ScopedUnitIndexView
    inspect_view_class = ScopedUnitInspectView
    list_display = ["name", "code", "depth", "active"]
    search_fields = ["name", "code"]
    search_backend_name = None
    form_fields = ["name", "active"]
    inspect_view_enabled = True


class PersonViewSet(ModelViewSet):
    model = Person
    name = "organisation_people"
    url_prefix = "organisation/people"
    icon = "user"
    menu_label = _("People")
    index_view_class = ScopedPersonIndexView
    inspect_view_class = ScopedPersonInspectView
    inspect_view_enabled = True
    list_display = ["name", "employee_number", "unit", "position_title", "is_manager", "end_date"]
    list_filter = ["is_manager", "end_date"]
    search_fields = ["employee_number", "user__first_name", "user__last_name", "user__email"]
    search_backend_name = None
    form_fields = ["sex", "is_manager", "is_staff_member", "position_title"]
    inspect_view_fields = [
        "employee_number",
        "unit",
        "position_title",
        "is_manager",
        "is_staff_member",
        "start_date",
        "end_date",
        "sex",
    ]


register_permission_policy(OrgUnit, ManagedByImportPolicy(OrgUnit))
register_permission_policy(Person, ManagedByImportPolicy(Person))


class OrganisationGroup(ViewSetGroup):
    items = (OrgUnitViewSet, PersonViewSet)
    menu_icon = "group"
    menu_label = _("Organisation")
    menu_order = 230


@hooks.register("register_admin_viewset")
def register_organisation_viewsets():
    return OrganisationGroup()


@hooks.register("register_admin_urls")
def register_import_urls():
    return [
        path("employee-imports/", admin_views.import_list, name="employee_import_list"),
        path("employee-imports/new/", admin_views.import_upload, name="employee_import_upload"),
        path(
            "employee-imports/<int:pk>/", admin_views.import_detail, name="employee_import_detail"
        ),
        path(
            "employee-imports/<int:pk>/apply/",
            admin_views.import_apply,
            name="employee_import_apply",
        ),
    ]


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views._may_import(request.user)


@hooks.register("register_admin_menu_item")
def register_import_menu_item():
    return ImportMenuItem(
        _("Employee import"), reverse("employee_import_list"), icon_name="upload", order=231
    )
