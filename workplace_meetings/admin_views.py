"""HR's view of workplace meetings in the Wagtail admin: per group module, which units held it
in the period and which have not (with their managers), rolled up the unit tree."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from people.models import OrgUnit
from people.selectors import hr_units

from . import selectors

NOT_HELD_SHOWN = 200  # per module; the count says how many more there are


class GroupModulesView(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "group"
    page_title = _("Workplace meetings")
    template_name = "workplace_meetings/admin/figures.html"

    def dispatch(self, request, *args, **kwargs):
        if not selectors.may_view_figures(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("workplace_meetings_figures"), "label": _("Workplace meetings")},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unit = None
        if self.request.GET.get("unit"):
            try:
                unit = hr_units(self.request.user).get(pk=int(self.request.GET["unit"]))
            except (ValueError, OrgUnit.DoesNotExist):
                raise Http404(_("No such unit in your part of the organisation.")) from None
        roots = [unit] if unit else selectors.hr_roots(self.request.user)
        today = timezone.localdate()
        figures = selectors.group_module_figures(roots=roots, today=today)
        for item in figures:
            item.not_held_count = len(item.not_held)
            item.not_held = item.not_held[:NOT_HELD_SHOWN]
        context.update(
            unit=unit,
            figures=figures,
            since=selectors.period_start(today),
            roots=roots,
        )
        return context
