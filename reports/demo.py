"""Demo: coverage goals for the demo municipality's assigned courses, so that the dashboards
and the active-measures report have goals to measure against."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from .models import CoverageGoal

# (goal name, course slug, target %): the managers' courses first, as in the demo's rules.
DEMO_GOALS = (
    ("Normdiplomering – 90 % av cheferna", "normdiplomering", 90),
    ("Jämlikhet i styrning – 80 % av alla", "jamlikhet-i-styrning", 80),
)


@transaction.atomic
def ensure_goals() -> int:
    """Creates the goals that are missing (by name); returns how many were created."""
    from courses.models import CoursePage

    courses = {c.slug: c for c in CoursePage.objects.filter(slug__in=[g[1] for g in DEMO_GOALS])}
    deadline = datetime.date(timezone.localdate().year, 12, 31)
    created = 0
    for name, slug, target in DEMO_GOALS:
        course = courses.get(slug)
        if course is None:
            continue
        _goal, new = CoverageGoal.objects.get_or_create(
            name=name,
            defaults={"course": course, "target_percent": target, "deadline": deadline},
        )
        created += new
    return created
