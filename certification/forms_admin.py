"""The programme form in the admin: criteria that already have evidence are kept."""

from __future__ import annotations

import json

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm


class ProgrammeForm(WagtailAdminModelForm):
    def clean(self):
        cleaned = super().clean()
        from .models import Evidence

        formset = self.formsets.get("criteria")
        removed = [
            f.instance.pk for f in (formset.deleted_forms if formset else []) if f.instance.pk
        ]
        if removed and Evidence.objects.filter(criterion_id__in=removed).exists():
            # The evidence and its review history belong to the units: removing the criterion
            # would take them with it. Make a new programme instead.
            raise ValidationError(
                _(
                    "A criterion that units have sent evidence for cannot be removed. Make the "
                    "programme inactive and create a new one instead."
                )
            )
        return cleaned


class ModuleCheckboxes(forms.CheckboxSelectMultiple):
    """`Criterion.module_ids` (a JSON list of page ids) as one checkbox per module that some
    kind of criterion offers. The choices are read when the form is drawn, so modules
    published later appear; what is posted goes back as JSON for the model's JSONField."""

    def get_context(self, name, value, attrs):
        from . import evaluators

        self.choices = [(str(pk), label) for pk, label in evaluators.module_choices()]
        return super().get_context(name, value, attrs)

    def format_value(self, value):
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                value = []
        if not isinstance(value, list):
            return []
        return [str(v) for v in value]

    def value_from_datadict(self, data, files, name):
        picked = data.getlist(name) if hasattr(data, "getlist") else data.get(name) or []
        # Anything but whole numbers is dropped here; Criterion.clean() refuses ids that are
        # not on offer (forged or unpublished modules).
        return json.dumps(sorted({int(v) for v in picked if str(v).isdigit()}))
