from django.http import Http404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSet

from . import admin_views, selectors
from .models import CourseOffering


@hooks.register("register_admin_urls")
def register_external_urls():
    return [
        path(
            "external-organisations/",
            admin_views.OrganisationIndexView.as_view(),
            name="external_organisations_admin",
        ),
        path(
            "external-organisations/<int:organisation_id>/",
            admin_views.OrganisationDecideView.as_view(),
            name="external_organisations_admin_decide",
        ),
    ]


class OrganisationsMenuItem(MenuItem):
    def is_shown(self, request):
        return selectors.may_coordinate(request.user)


@hooks.register("register_admin_menu_item")
def register_external_menu_item():
    return OrganisationsMenuItem(
        _("External organisations"),
        reverse("external_organisations_admin"),
        icon_name="group",
        order=850,
    )


class CourseOfferingViewSet(ModelViewSet):
    model = CourseOffering
    icon = "openquote"
    menu_label = _("Courses for external organisations")
    menu_order = 851
    add_to_admin_menu = True
    list_display = ["course", "active", "min_members", "min_percent"]
    form_fields = ["course", "active", "min_members", "min_percent"]
    search_backend_name = None
    copy_view_enabled = False


@hooks.register("register_admin_viewset")
def register_offerings():
    return CourseOfferingViewSet("external_offerings", url_prefix="external-offerings")


@hooks.register("before_serve_page")
def refuse_courses_not_offered(page, request, serve_args, serve_kwargs):
    """External members reach only courses opened to them (and the modules inside)."""
    if not selectors.page_open_to_external(page, request):
        raise Http404
    return None
