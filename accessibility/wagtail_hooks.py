from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

from .models import ProblemReport


class ProblemReportViewSet(ModelViewSet):
    model = ProblemReport
    icon = "help"
    menu_label = _("Accessibility reports")
    menu_order = 900
    add_to_admin_menu = True
    list_display = ["created_at", "status", "page_url", "notified_at"]
    list_filter = ["status"]
    search_fields = ["description", "page_url"]
    # Reports come from the public form; the admin only follows them up.
    form_fields = ["status", "notes"]
    inspect_view_enabled = True
    copy_view_enabled = False


@hooks.register("register_admin_viewset")
def register_problem_reports():
    return ProblemReportViewSet("accessibility_reports", url_prefix="accessibility-reports")
