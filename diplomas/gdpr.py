"""The register extract lists a person's diplomas; anonymisation removes name and PDFs."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from people.extract_display import CTX
from people.gdpr import Provider, register

from . import services
from .models import Diploma, Status

# Swedish labels for the readable extract page (the JSON keeps the keys).
LABELS = {
    "holder": pgettext_lazy(CTX, "Name on the diploma"),
    "issued": pgettext_lazy(CTX, "Issued"),
    "revoked": pgettext_lazy(CTX, "Revoked"),
    "revoke_reason": pgettext_lazy(CTX, "Reason for revoking"),
    "status": pgettext_lazy(CTX, "Status"),
}
VALUES = {"status": {choice.value: choice.label for choice in Status}}


def extract_diplomas(user) -> list[dict]:
    diplomas = Diploma.objects.filter(completion__user=user).select_related("completion")
    return [
        {
            "code": d.display_code,
            "course": d.course_title,
            "holder": d.holder_name,
            "completed": timezone.localdate(d.completion.completed_at).isoformat(),
            "valid_until": d.valid_until.isoformat() if d.valid_until else None,
            "issued": d.issued_at.isoformat(),
            "status": d.status.value,
            "revoked": d.revoked_at.isoformat() if d.revoked_at else None,
            "revoke_reason": d.revoke_reason or None,
        }
        for d in diplomas.order_by("issued_at", "pk")
    ]


def register_providers() -> None:
    register(
        Provider(
            "diplomas",
            _("Diplomas"),
            extract_diplomas,
            anonymise=lambda user: services.diplomas_anonymise(user=user),
            labels=LABELS,
            values=VALUES,
        )
    )
