import pytest

from progress.models import ModuleProgress
from workplace_meetings.demo import DEMO_MODULE_SLUG, ensure_meetings
from workplace_meetings.models import MeetingStatus, WorkplaceMeeting

pytestmark = pytest.mark.django_db


def test_demo_holds_one_meeting_in_the_managers_unit(demo_organisation, demo_courses):
    course = demo_courses["normdiplomering"]
    assert course.specific.allows_group_credit
    flagged = set(
        course.get_children()
        .filter(modulepage__for_group_viewing=True)
        .values_list("slug", flat=True)
    )
    assert flagged == {"film-normkritik-pa-arbetsplatsen", DEMO_MODULE_SLUG}
    assert ensure_meetings() == 1
    assert ensure_meetings() == 0
    meeting = WorkplaceMeeting.objects.get()
    assert meeting.status == MeetingStatus.HELD
    assert meeting.unit.managers.filter(username="chef").exists()
    credited = ModuleProgress.objects.filter(credit_key=meeting.credit_key)
    assert credited.count() == 6
    assert not credited.filter(course_progress__user__username="medarbetare").exists()
