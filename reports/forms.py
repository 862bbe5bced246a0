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
