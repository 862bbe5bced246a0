"""HR's report of the reminder emails: who got which reminders when, within HR's scope."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.auth import permission_denied
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.reports import ReportView

from . import selectors
from .models import Delivery, DeliveryStatus, NoticeKind


def note_display(error: str) -> str:
    """A delivery's note in the reader's language. Its first line is one of the sender's notes
    (stored in English) or the mail server's own words, shown as they are; further lines are
    technical details."""
    head, newline, detail = error.partition("\n")
    return gettext(head) + newline + detail if head else error


class DeliveryFilterSet(WagtailFilterSet):
    day = django_filters.DateFromToRangeFilter(label=_("Day"), widget=DateRangePickerWidget)
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=DeliveryStatus.choices, empty_label=_("Any")
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"),
        choices=NoticeKind.choices,
        empty_label=_("Any"),
        method="filter_kind",
    )

    class Meta:
        model = Delivery
        fields = ["day", "status"]

    def filter_kind(self, queryset, name, value):
        return queryset.filter(notices__kind=value).distinct() if value else queryset


class SentRemindersView(ReportView):
    page_title = _("Sent reminders")
    header_icon = "mail"
    index_url_name = "reminders_report"
    index_results_url_name = "reminders_report_results"
    filterset_class = DeliveryFilterSet
    paginate_by = 50
    columns = [
        Column("person", label=_("Person"), accessor="person_name"),
        DateColumn("day", label=_("Day"), accessor="day"),
        Column("kinds", label=_("Reminders"), accessor="kind_labels"),
        Column("status", label=_("Status"), accessor="get_status_display"),
        DateColumn("sent_at", label=_("Sent"), accessor="sent_at"),
        Column("error", label=_("Note"), accessor="note"),
    ]

    def dispatch(self, request, *args, **kwargs):
        # Reminders are about people: HR (within its scope) and administrators only.
        if not selectors.may_see_report(request.user):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.deliveries_for(self.request.user)

    def decorate_paginated_queryset(self, object_list):
        deliveries = list(object_list)
        kinds = selectors.kinds_by_delivery(d.pk for d in deliveries)
        labels = dict(NoticeKind.choices)
        for delivery in deliveries:
            delivery.person_name = delivery.user.get_full_name() or delivery.user.get_username()
            delivery.kind_labels = ", ".join(
                str(labels[kind]) for kind in kinds.get(delivery.pk, [])
            )
            delivery.note = note_display(delivery.error)
        return deliveries
