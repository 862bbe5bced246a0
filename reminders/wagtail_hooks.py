from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import selectors
from .admin_views import SentRemindersView


@hooks.register("register_admin_urls")
def register_reminder_report_urls():
    view = SentRemindersView.as_view()
    results = SentRemindersView.as_view(results_only=True)
    return [
        path("sent-reminders/", view, name="reminders_report"),
        path("sent-reminders/results/", results, name="reminders_report_results"),
    ]


class SentRemindersMenuItem(MenuItem):
    def is_shown(self, request):
        return selectors.may_see_report(request.user)


@hooks.register("register_reports_menu_item")
def register_sent_reminders_menu_item():
    return SentRemindersMenuItem(
        _("Sent reminders"), reverse("reminders_report"), icon_name="mail", order=720
    )
