from django import forms
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy as _

MAX_FILE_MB = 50


class EmployeeImportForm(forms.Form):
    file = forms.FileField(
        label=_("Employee file from the HR system"),
        help_text=_("CSV (semicolon or comma separated, UTF-8) or XLSX, with Swedish headers."),
        validators=[FileExtensionValidator(["csv", "txt", "xlsx"])],
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_MB * 2**20:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.") % {"mb": MAX_FILE_MB}
            )
        return upload
