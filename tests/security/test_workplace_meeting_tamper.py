"""Workplace meetings under attack: forged people, other managers' meetings, replays."""

import pytest

from progress.models import ModuleProgress
from tests.factories import UserFactory
from tests.workplace_meetings.conftest import apt, held_meeting, today  # noqa: F401 (fixtures)
from workplace_meetings import services
from workplace_meetings.models import Attendance, AttendanceChange, MeetingStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned(apt, today):  # noqa: F811
    return services.meeting_plan(
        actor=apt["manager"], unit=apt["north"], module_id=apt["module"].pk, date=today
    )


def _credited(user) -> bool:
    return ModuleProgress.objects.filter(
        course_progress__user=user, credit_key__startswith="workplace_meeting:"
    ).exists()


def test_forged_attendee_id_credits_nobody(apt, planned, client):  # noqa: F811
    client.force_login(apt["manager"])
    response = client.post(
        f"/arbetsplatstraffar/{planned.pk}/genomford/",
        {"present": [apt["staff"][0].pk, apt["outsider"].pk, "x", "99999999"]},
    )
    assert response.status_code == 302
    planned.refresh_from_db()
    assert planned.status == MeetingStatus.PLANNED
    assert not _credited(apt["staff"][0]) and not _credited(apt["outsider"])


def test_forged_guest_outside_scope(apt, planned, client):  # noqa: F811
    client.force_login(apt["manager"])
    client.post(f"/arbetsplatstraffar/{planned.pk}/gaster/", {"user": apt["outsider"].pk})
    assert not Attendance.objects.filter(user=apt["outsider"]).exists()


def test_another_manager_cannot_see_or_act_on_the_meeting(apt, planned, client):  # noqa: F811
    other = UserFactory(username="annan-chef")
    apt["school"].managers.add(other)
    client.force_login(other)
    for path in ("", "samtalsguide/"):
        assert client.get(f"/arbetsplatstraffar/{planned.pk}/{path}").status_code == 404
    for path in ("genomford/", "rattelse/", "gaster/", "stall-in/"):
        response = client.post(
            f"/arbetsplatstraffar/{planned.pk}/{path}",
            {"present": [apt["staff"][0].pk], "user": apt["outsider"].pk},
        )
        assert response.status_code == 404
    planned.refresh_from_db()
    assert planned.status == MeetingStatus.PLANNED
    assert not _credited(apt["staff"][0])


def test_an_attendee_cannot_hold_or_correct(apt, held_meeting, client):  # noqa: F811
    attendee = apt["staff"][0]
    client.force_login(attendee)
    response = client.post(
        f"/arbetsplatstraffar/{held_meeting.pk}/rattelse/", {"present": [attendee.pk]}
    )
    assert response.status_code == 404
    assert not AttendanceChange.objects.exists()


def test_replayed_hold_changes_nothing(apt, held_meeting, client):  # noqa: F811
    client.force_login(apt["manager"])
    before = list(ModuleProgress.objects.order_by("pk").values_list("pk", "credit_key"))
    response = client.post(
        f"/arbetsplatstraffar/{held_meeting.pk}/genomford/",
        {"present": [u.pk for u in apt["staff"]]},
    )
    assert response.status_code == 302
    assert list(ModuleProgress.objects.order_by("pk").values_list("pk", "credit_key")) == before


def test_correction_cannot_credit_outsiders(apt, held_meeting):  # noqa: F811
    with pytest.raises(services.MeetingError):
        services.meeting_correct(
            actor=apt["manager"],
            meeting=held_meeting,
            present_user_ids={apt["staff"][0].pk, apt["outsider"].pk},
        )
    assert not _credited(apt["outsider"])
    assert not AttendanceChange.objects.exists()
