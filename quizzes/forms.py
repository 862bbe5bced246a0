from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

# Kinds as plain strings: this module is imported by models.py.
MULTIPLE, TRUE_FALSE, SCENARIO = "multiple", "true_false", "scenario"


class QuestionForm(WagtailAdminModelForm):
    """Checks the choices against the question type, in the editor's language."""

    def clean(self):
        cleaned = super().clean()
        formset = self.formsets.get("choices")
        if formset is None or not formset.is_valid():
            return cleaned
        rows = [
            form.cleaned_data
            for form in formset.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        correct = sum(1 for row in rows if row.get("is_correct"))
        kind = cleaned.get("kind")
        if kind == MULTIPLE and correct < 1:
            raise forms.ValidationError(_("Mark at least one choice as correct."))
        if kind != MULTIPLE and correct != 1:
            raise forms.ValidationError(_("Mark exactly one choice as correct."))
        if kind == TRUE_FALSE and len(rows) != 2:
            raise forms.ValidationError(
                _("A true-or-false question has exactly two choices: true and false.")
            )
        if kind == SCENARIO and not cleaned.get("case_text"):
            self.add_error("case_text", _("A scenario question needs a case."))
        return cleaned
