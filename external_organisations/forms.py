from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import orgnr


class RegistrationForm(forms.Form):
    name = forms.CharField(label=_("Organisation's name"), max_length=200)
    org_number = forms.CharField(
        label=_("Organisation number"),
        max_length=20,
        help_text=_("Ten digits, for example 556036-0793."),
    )
    contact_name = forms.CharField(label=_("Contact person's name"), max_length=200)
    contact_email = forms.EmailField(label=_("Contact person's email"))
    consent = forms.BooleanField(
        label=_(
            "When we are diplomated, the municipality may show our organisation's name, the "
            "year and the course on its public list of diplomated organisations."
        ),
        required=False,
    )

    def clean_org_number(self) -> str:
        digits = orgnr.normalise(self.cleaned_data["org_number"])
        if digits is None:
            raise forms.ValidationError(
                _(
                    "The organisation number is not valid: it must be ten digits and the last "
                    "one (the check digit) must match. Check the number with the Swedish "
                    "Companies Registration Office."
                )
            )
        return digits


class AcceptInvitationForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    password = forms.CharField(
        label=_("Choose a password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters; not only digits."),
    )


class InviteForm(forms.Form):
    addresses = forms.CharField(
        label=_("Email addresses"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One address per line, or separated by commas. At most 200 at a time."),
    )


class LeaveForm(forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "Yes, our organisation leaves: all our members' accounts are closed and we are "
            "removed from the public list."
        )
    )


class DecisionForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the organisation"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Sent by email. Required when you decline."),
    )
