from django import forms
from django.utils.translation import gettext_lazy as _

from progress.selectors import COMPLETED, IN_PROGRESS, NOT_STARTED

from .models import Audience


class CatalogueFilterForm(forms.Form):
    audience = forms.ChoiceField(
        label=_("Target audience"),
        required=False,
        choices=[("", _("All audiences")), *Audience.choices],
    )
    level = forms.ChoiceField(
        label=_("Level"),
        required=False,
        choices=[("", _("All levels"))] + [(str(n), str(n)) for n in range(1, 6)],
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Any status")),
            (NOT_STARTED, _("Not started")),
            (IN_PROGRESS, _("In progress")),
            (COMPLETED, _("Completed")),
        ],
    )
