"""The register extract shows an external member's organisation and invitation; anonymisation
removes the address from the invitation and ends the membership."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from people.extract_display import CTX
from people.gdpr import Provider, register

from . import services
from .models import Invitation, Membership

LABELS = {
    "organisation": pgettext_lazy(CTX, "Organisation"),
    "contact": pgettext_lazy(CTX, "Contact person"),
    "joined": pgettext_lazy(CTX, "Joined"),
    "invited": pgettext_lazy(CTX, "Invited"),
}


def extract_membership(user) -> list[dict]:
    rows = []
    for m in Membership.objects.filter(user=user).select_related("organisation"):
        invitation = Invitation.objects.filter(accepted_by=user).first()
        rows.append(
            {
                "organisation": m.organisation.name,
                "contact": m.is_contact,
                "joined": m.joined_at.isoformat(),
                "invited": invitation.created_at.isoformat() if invitation else None,
            }
        )
    return rows


def register_providers() -> None:
    register(
        Provider(
            key="external_organisation",
            title=_("External organisation"),
            extract=extract_membership,
            anonymise=services.member_anonymise,
            labels=LABELS,
        )
    )
