from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views, selectors
from .services import REVOKE_ACTION


@hooks.register("register_admin_urls")
def register_diploma_urls():
    return [
        path("diplomas/", admin_views.DiplomaIndexView.as_view(), name="diplomas_admin"),
        path(
            "diplomas/<int:diploma_id>/pdf/",
            admin_views.download,
            name="diplomas_admin_download",
        ),
        path(
            "diplomas/<int:diploma_id>/revoke/",
            admin_views.revoke,
            name="diplomas_admin_revoke",
        ),
        path("diplomas/units/<int:unit_id>/zip/", admin_views.unit_zip, name="diplomas_admin_zip"),
    ]


@hooks.register("register_log_actions")
def register_revoke_action(actions):
    actions.register_action(REVOKE_ACTION, _("Revoke diploma"), _("Diploma revoked"))


class DiplomaMenuItem(MenuItem):
    def is_shown(self, request):
        return selectors.may_manage(request.user)


@hooks.register("register_reports_menu_item")
def register_diploma_menu_item():
    return DiplomaMenuItem(
        _("Diplomas"), reverse("diplomas_admin"), icon_name="doc-full", order=730
    )
