from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.models import Page

from people.selectors import visible_units


class AssignmentRuleForm(WagtailAdminModelForm):
    """HR may only write rules for units inside their own scope, and only for courses."""

    def __init__(self, *args, for_user=None, **kwargs):
        data = kwargs.get("data") if "data" in kwargs else (args[0] if args else None)
        if data is not None and not str(data.get("course", "")).isdigit():
            # A hand-made course value would crash the page chooser when the form is shown
            # again; dropping it gives the normal "required" error instead.
            data = data.copy()
            data.pop("course", None)
            if "data" in kwargs:
                kwargs["data"] = data
            else:
                args = (data, *args[1:])
        super().__init__(*args, for_user=for_user, **kwargs)
        if for_user is not None and "unit" in self.fields:
            self.fields["unit"].queryset = visible_units(for_user).order_by("path")
        if "course" in self.fields:
            from django.apps import apps

            course_model = apps.get_model("courses", "CoursePage")
            self.fields["course"].queryset = Page.objects.type(course_model)

    def clean_course(self):
        course = self.cleaned_data["course"]
        if course is not None and course.specific_class.__name__ != "CoursePage":
            raise forms.ValidationError(_("Choose a course."))
        return course


class ExemptionForm(WagtailAdminModelForm):
    exempt = forms.BooleanField(
        label=_("Exempt this person from the course"),
        required=False,
        help_text=_("For example: trained elsewhere, or on long-term leave. State why below."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["exempt"].initial = self.instance.exempted_at is not None
        self.fields["exemption_reason"].required = False

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("exempt") and not (cleaned.get("exemption_reason") or "").strip():
            self.add_error("exemption_reason", _("Say why the person is exempted."))
        return cleaned
