from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from people.models import OrgUnit

from .models import IntegrationToken, Scope


class IntegrationTokenForm(WagtailAdminModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Which parts of the API the system may read. Choose only what it needs."),
    )
    units = forms.ModelMultipleChoiceField(
        label=_("Units and everything below them"),
        queryset=OrgUnit.objects.order_by("path"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 12}),
    )

    class Meta:
        model = IntegrationToken
        fields = ["name", "scopes", "whole_organisation", "units", "expires_at"]

    def clean(self):
        data = super().clean()
        whole = data.get("whole_organisation")
        units = data.get("units")
        if whole and units:
            self.add_error("units", _("Choose units or the whole organisation, not both."))
        elif not whole and not units:
            self.add_error(
                "units",
                _("Choose the units the system may see, or tick “the whole organisation”."),
            )
        return data
