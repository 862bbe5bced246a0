"""The manager's pages end to end through the views, and the learner's "via arbetsplatsträff"."""

import pytest

from workplace_meetings.models import MeetingStatus, WorkplaceMeeting

pytestmark = pytest.mark.django_db


def test_plan_open_hold_and_learner_sees_the_source(apt, today, client):
    client.force_login(apt["manager"])
    response = client.post(
        "/arbetsplatstraffar/",
        {"unit": apt["north"].pk, "module": apt["module"].pk, "date": today.isoformat()},
    )
    meeting = WorkplaceMeeting.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{meeting.pk}/")
    page = client.get(f"/arbetsplatstraffar/{meeting.pk}/").content.decode()
    assert "Norr0" in page and "Skola" not in page
    response = client.post(
        f"/arbetsplatstraffar/{meeting.pk}/genomford/",
        {"present": [u.pk for u in apt["staff"]]},
    )
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    client.force_login(apt["staff"][0])
    page = client.get(apt["module"].url).content.decode()
    assert "arbetsplatsträff" in page
    assert client.get(f"/arbetsplatstraffar/{meeting.pk}/").status_code == 404


def test_guide_prints(apt, today, client):
    from workplace_meetings import services

    meeting = services.meeting_plan(
        actor=apt["manager"], unit=apt["north"], module_id=apt["module"].pk, date=today
    )
    client.force_login(apt["manager"])
    response = client.get(f"/arbetsplatstraffar/{meeting.pk}/samtalsguide/")
    assert response.status_code == 200
    assert 'class="meeting-guide"' in response.content.decode()


def test_a_forged_unit_is_refused(apt, today, client):
    client.force_login(apt["manager"])
    response = client.post(
        "/arbetsplatstraffar/",
        {"unit": apt["school"].pk, "module": apt["module"].pk, "date": today.isoformat()},
    )
    assert response.status_code == 400
    assert not WorkplaceMeeting.objects.exists()


def test_the_register_extract_lists_the_meetings_attended(apt, held_meeting):
    from people import gdpr

    rows = gdpr.register_extract(apt["staff"][0])["sections"]["workplace_meetings"]
    assert rows == [
        {
            "date": held_meeting.date.isoformat(),
            "module": apt["module"].title,
            "unit": "Hemtjänsten Norr",
            "present": True,
            "guest": False,
        }
    ]
