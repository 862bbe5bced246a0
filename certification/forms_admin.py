"""The programme form in the admin: criteria that already have evidence are kept."""

from __future__ import annotations

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
