from django import forms
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy as _


class EmployeeImportForm(forms.Form):
    file = forms.FileField(
        label=_("Employee file from the HR system"),
        help_text=_("CSV (semicolon or comma separated, UTF-8) or XLSX, with Swedish headers."),
        validators=[FileExtensionValidator(["csv", "txt", "xlsx"])],
    )
