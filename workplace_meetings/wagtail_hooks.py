from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views, selectors


@hooks.register("register_admin_urls")
def register_figures_url():
    return [
        path(
            "workplace-meetings/",
            admin_views.GroupModulesView.as_view(),
            name="workplace_meetings_figures",
        )
    ]


class FiguresMenuItem(MenuItem):
    def is_shown(self, request):
        return selectors.may_view_figures(request.user)


@hooks.register("register_reports_menu_item")
def register_figures_menu_item():
    return FiguresMenuItem(
        _("Workplace meetings"), reverse("workplace_meetings_figures"), icon_name="group", order=620
    )
