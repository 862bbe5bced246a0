from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import selectors


class MeetingPlanForm(forms.Form):
    """Choices are limited to what the manager may plan; the service checks again."""

    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int)
    module = forms.TypedChoiceField(label=_("Module for group viewing"), coerce=int)
    date = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
    )
    facilitator = forms.TypedChoiceField(
        label=_("Facilitator (optional)"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Someone who may open the meeting and tick attendees instead of you."),
    )
    notes = forms.CharField(
        label=_("Notes (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = list(selectors.managed_units(user).order_by("path"))
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]
        self.fields["module"].choices = [
            (m.pk, m.title) for m in selectors.group_modules().only("pk", "title")
        ]
        people = (
            selectors._current(selectors.Person.objects.filter(unit__in=[u.pk for u in units]))
            .select_related("user")
            .order_by("user__last_name", "user__first_name")
        )
        self.fields["facilitator"].choices = [("", _("Nobody else: I lead it myself"))] + [
            (p.user_id, p.user.get_full_name()) for p in people
        ]
