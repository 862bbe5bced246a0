"""The xAPI outbox in the Wagtail admin, for administrators: what waits, what was sent, what
failed and why; failed statements can be queued again."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import selectors, services
from .models import Status


def outbox_view(request):
    if not request.user.is_superuser:
        raise PermissionDenied
    if request.method == "POST":
        services.retry_failed()
        return redirect("xapi_outbox")
    status = request.GET.get("status")
    return TemplateResponse(
        request,
        "learning_records/admin/outbox.html",
        {
            "counts": [
                (value, label, selectors.outbox_counts()[value]) for value, label in Status.choices
            ],
            "rows": selectors.outbox_rows(status),
            "status": status if status in Status.values else "",
            "configured": services.lrs_configured(),
        },
    )


@hooks.register("register_admin_urls")
def register_outbox_url():
    return [path("xapi-outbox/", outbox_view, name="xapi_outbox")]


class AdministratorsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser


@hooks.register("register_settings_menu_item")
def register_outbox_menu_item():
    return AdministratorsMenuItem(
        _("xAPI statements"), reverse("xapi_outbox"), icon_name="list-ul", order=900
    )
