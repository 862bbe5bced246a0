"""The coverage goal form: HR sets goals only for the part of the organisation it sees."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.models import Page

from courses.models import CoursePage
from people.selectors import has_whole_organisation, visible_units

from .models import CoverageGoal


class CoverageGoalForm(WagtailAdminModelForm):
    class Meta:
        model = CoverageGoal
        fields = ["name", "target_percent", "deadline", "course", "unit"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        self.fields["course"].queryset = Page.objects.type(CoursePage).order_by("title")
        self.fields["course"].empty_label = _("All assigned courses")
        units = self.fields["unit"]
        units.queryset = visible_units(user).order_by("path") if user else units.queryset.none()
        self.whole_organisation = bool(user) and has_whole_organisation(user)
        units.empty_label = (
            _("The whole organisation") if self.whole_organisation else _("Choose a unit")
        )

    def clean_unit(self):
        unit = self.cleaned_data.get("unit")
        if unit is None and not self.whole_organisation:
            raise forms.ValidationError(
                _("Choose a unit: only HR for the whole organisation sets goals for all of it.")
            )
        return unit


class ActiveMeasuresForm(forms.Form):
    """The active-measures report's choices: a unit within the user's scope and a period that
    has begun (the status is read on its last day, which is today at the latest)."""

    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=None,
        empty_label=_("Choose a unit"),
        error_messages={"invalid_choice": _("Choose one of the units in the list.")},
    )
    start = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=_("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, user, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["unit"].queryset = visible_units(user).order_by("path")

    def clean(self):
        from .active_measures import MAX_PERIOD_DAYS

        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The period must end on or after its first day."))
            elif end > self.today:
                self.add_error(
                    "end", _("The period cannot end after today: the figures are not known yet.")
                )
            elif (end - start).days > MAX_PERIOD_DAYS:
                self.add_error("start", _("Choose a period of at most three years."))
        return cleaned
