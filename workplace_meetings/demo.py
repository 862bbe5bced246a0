"""Demo: a workplace meeting the demo manager's unit held three weeks ago (the HBTQIA film),
so that HR's figures, the learner's "via arbetsplatsträff" and the correction log have data.
The other film ("normkritik på arbetsplatsen") is left for the manager to plan and hold."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from lms.demo import DEMO_USERS
from people.models import OrgUnit, Person

from . import selectors, services
from .models import WorkplaceMeeting

DEMO_MODULE_SLUG = "film-hbtqia-och-bemotande"
DEMO_MANAGER = "chef"
ATTENDEES = 6


@transaction.atomic
def ensure_meetings() -> int:
    """Returns the number of meetings created (0 when the demo already has its meeting)."""
    manager = get_user_model().objects.filter(username=DEMO_MANAGER).first()
    module = selectors.group_modules().filter(slug=DEMO_MODULE_SLUG).first()
    unit = OrgUnit.objects.filter(managers=manager).order_by("path").first() if manager else None
    if module is None or unit is None:
        return 0
    if WorkplaceMeeting.objects.filter(unit=unit, module=module).exists():
        return 0
    day = timezone.localdate() - datetime.timedelta(days=21)
    # Planned in the past directly (the service refuses past dates), then held by the service.
    meeting = WorkplaceMeeting.objects.create(
        unit=unit,
        module=module,
        date=day,
        planned_by=manager,
        notes="Bra samtal om bemötande i telefon och i entrén. Vi följer upp på nästa APT.",
    )
    # The demo's own users keep their progress as it is, for the journeys that start from it.
    demo_usernames = [u.username for u in DEMO_USERS]
    attendees = list(
        Person.objects.filter(unit=unit, end_date__isnull=True)
        .exclude(user__username__in=demo_usernames)
        .order_by("employee_number")
        .values_list("user_id", flat=True)[:ATTENDEES]
    )
    if not attendees:
        return 1
    services.meeting_hold(actor=manager, meeting=meeting, present_user_ids=set(attendees))
    return 1
