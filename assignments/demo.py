"""Demo: the manager demo user finished "Från #metoo till metod" a little over three years ago;
the completion has lapsed and the renewal is due (a new round, "Förnya senast …"), with the
first round kept as history. Runs once; the other demo users keep a clean slate."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from wagtail.models import Page

from progress.models import Completion, CourseProgress, ModuleProgress
from progress.services import add_months

from . import services

DEMO_USER = "chef"
DEMO_COURSE = "fran-metoo-till-metod"


@transaction.atomic
def ensure_renewal_due() -> bool:
    """True when the lapsed completion and its renewal were written now."""
    user = get_user_model().objects.filter(username=DEMO_USER).first()
    course = Page.objects.filter(slug=DEMO_COURSE).specific().first()
    validity = getattr(course, "validity_months", None)
    if user is None or course is None or not validity:
        return False
    if CourseProgress.objects.filter(user=user, course_id=course.pk).exists():
        return False
    today = timezone.localdate()
    # Completed so that the completion lapsed three weeks ago.
    completed_on = add_months(today - timedelta(days=21), -validity)
    completed_at = timezone.make_aware(datetime.combine(completed_on, time(14, 10)))
    started_at = completed_at - timedelta(days=6)
    first = CourseProgress.objects.create(
        user=user, course_id=course.pk, round=1, started_at=started_at, completed_at=completed_at
    )
    ModuleProgress.objects.bulk_create(
        ModuleProgress(
            course_progress=first,
            module_id=module_id,
            started_at=started_at,
            completed_at=completed_at,
        )
        for module_id in Page.objects.live().child_of(course).values_list("pk", flat=True)
    )
    Completion.objects.create(
        user=user,
        course_id=course.pk,
        course_progress=first,
        completed_at=completed_at,
        valid_until=add_months(completed_on, validity),
    )
    return services.renewal_open_if_due(user=user, course_id=course.pk, today=today)
