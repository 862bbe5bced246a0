from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .services import TEXT_MAX
from .uploads import ALLOWED


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("PDF, Word (.docx), OpenDocument (.odt), PNG or JPEG."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(f".{ext}" for ext in ALLOWED)}),
    )
    text = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Describe the evidence, or write it here instead of uploading a file."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        mb = settings.CERTIFICATION_EVIDENCE_MAX_BYTES // 2**20
        self.fields["file"].help_text = _(
            "PDF, Word (.docx), OpenDocument (.odt), PNG or JPEG, at most %(mb)s MB."
        ) % {"mb": mb}
