"""The register extract lists a person's diplomas; anonymisation removes name and PDFs."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from people.gdpr import Provider, register

from . import services
from .models import Diploma


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
        )
    )
