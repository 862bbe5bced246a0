from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ProblemReport


class ProblemReportForm(forms.ModelForm):
    class Meta:
        model = ProblemReport
        fields = ["description", "page_url", "contact_email"]
        labels = {
            "description": _("What did not work?"),
            "page_url": _("Which page (address or name), if you know"),
            "contact_email": _("Your email, if you want an answer"),
        }
        help_texts = {
            "description": _(
                "Describe what you tried to do and what happened. At most 5,000 characters."
            ),
            "contact_email": _("Only used to answer you. You can leave it empty."),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6, "maxlength": 5000}),
            "page_url": forms.TextInput(attrs={"autocomplete": "url"}),
            "contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }

    def clean_description(self) -> str:
        text = self.cleaned_data["description"].strip()
        if len(text) < 10:
            raise forms.ValidationError(
                _("Please describe the problem in a few words (at least 10 characters).")
            )
        return text

    def clean_page_url(self) -> str:
        return self.cleaned_data["page_url"].strip()
