"""Demo: a local sports club that took the diversity introduction, earned its diploma and is on
the public list; a coordinator who decides registrations; and the public page itself."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from . import orgnr, services
from .models import (
    CourseOffering,
    DiplomatedOrganisationsPage,
    ExternalOrganisation,
    Membership,
    Status,
)

DEMO_COURSE_SLUG = "antidiskriminering-introduktion"
DEMO_ORGANISATION = "Strandbyns Idrottsförening"
# (username, first name, last name, contact)
DEMO_MEMBERS = (
    ("kontakt", "Lina", "Holm", True),
    ("extern", "Ahmed", "Sundberg", False),
    ("extern-tranare", "Maja", "Forsberg", False),
    ("extern-kassor", "Nils", "Åström", False),
    ("extern-ledare", "Tove", "Lindgren", False),
)
DEMO_USERS = (
    ("koordinator", "Elin", "Vik", "Extern samordnare (external coordinator)"),
    ("kontakt", "Lina", "Holm", "Kontaktperson, extern organisation (contact)"),
    ("extern", "Ahmed", "Sundberg", "Medlem, extern organisation (external member)"),
)
PAGE_INTRO = (
    "Företag och föreningar i kommunen kan gå vår introduktion om mångfald och "
    "antidiskriminering. De som har genomfört utbildningen visas här, med sitt samtycke, och "
    "uppmärksammas på kommunens näringslivsdag."
)


def _demo_orgnr() -> str:
    for digit in "0123456789":
        if orgnr.luhn_ok("802471337" + digit):
            return "802471337" + digit
    raise RuntimeError("no check digit")  # cannot happen: one digit always fits


@transaction.atomic
def ensure_external(*, password: str, home=None) -> ExternalOrganisation:
    """Idempotent: creates what is missing, changes nothing an editor or HR changed."""
    from courses.models import CoursePage
    from progress.models import Completion, CourseProgress

    User = get_user_model()
    coordinator, _created = User.objects.get_or_create(username="koordinator")
    coordinator.first_name, coordinator.last_name = "Elin", "Vik"
    coordinator.email = "koordinator@demo.example"
    coordinator.set_password(password)
    coordinator.save()
    coordinator.groups.add(Group.objects.get_or_create(name="External coordinators")[0])

    organisation = ExternalOrganisation.objects.filter(name=DEMO_ORGANISATION).first()
    if organisation is None:
        organisation = ExternalOrganisation.objects.create(
            name=DEMO_ORGANISATION,
            org_number=_demo_orgnr(),
            contact_name="Lina Holm",
            contact_email="kontakt@demo.example",
            public_listing_consent=True,
            status=Status.APPROVED,
            email_confirmed_at=timezone.now(),
            decided_at=timezone.now(),
            decided_by=coordinator,
            decision_message="Välkomna! Vi har öppnat introduktionen om mångfald för er.",
        )
    for username, first, last, is_contact in DEMO_MEMBERS:
        user, _created = User.objects.get_or_create(username=username)
        user.first_name, user.last_name = first, last
        user.email = f"{username}@demo.example"
        user.set_password(password)
        user.save()
        Membership.objects.get_or_create(
            user=user, defaults={"organisation": organisation, "is_contact": is_contact}
        )

    course = CoursePage.objects.filter(slug=DEMO_COURSE_SLUG).first()
    if course is not None:
        CourseOffering.objects.get_or_create(
            course=course, defaults={"min_members": 3, "min_percent": 50}
        )
        # Three members (not the demo's "extern", whose journey starts clean) completed.
        done = timezone.now() - timedelta(days=20)
        for username in ("extern-tranare", "extern-kassor", "extern-ledare"):
            user = User.objects.get(username=username)
            if not Completion.objects.filter(user=user, course_id=course.pk).exists():
                progress = CourseProgress.objects.create(
                    user=user, course_id=course.pk, started_at=done, completed_at=done
                )
                Completion.objects.create(
                    user=user, course_id=course.pk, course_progress=progress, completed_at=done
                )
        services.awards_sweep()

    if home is not None and not DiplomatedOrganisationsPage.objects.exists():
        page = DiplomatedOrganisationsPage(
            title="Diplomerade organisationer",
            slug="diplomerade-organisationer",
            intro=PAGE_INTRO,
            show_in_menus=True,
        )
        home.add_child(instance=page)
        page.save_revision().publish()
    return organisation
