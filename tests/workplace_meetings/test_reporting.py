"""The workplace-meetings section of the active-measures report: meetings held in the period in
the unit's subtree, workplaces that held each film, people present (hidden when few)."""

from __future__ import annotations

import datetime

import pytest

from reports import active_measures
from workplace_meetings import services
from workplace_meetings.models import WorkplaceMeeting

pytestmark = pytest.mark.django_db


def section(unit, start, end):
    report = active_measures.build_report(unit=unit, start=start, end=end)
    return next(s for s in report.sections if s.key == "workplace_meetings")


def test_the_section_counts_meetings_workplaces_and_people(apt, today):
    start = today - datetime.timedelta(days=30)
    meeting = services.meeting_plan(
        actor=apt["manager"], unit=apt["north"], module_id=apt["module"].pk, date=today
    )
    services.meeting_hold(
        actor=apt["manager"], meeting=meeting, present_user_ids={u.pk for u in apt["staff"]}
    )
    report = section(apt["soc"], start, today)
    assert report.title == "Arbetsplatsträffar"
    (row,) = report.tables[0].rows
    course, module, meetings, held, workplaces, present = row
    assert (course, module) == ("Normkurs", apt["module"].title)
    # SOC's workplaces: SOC itself (the manager's own unit), Norr and Syd; Norr held it.
    assert (meetings, held, workplaces, present) == (1, 1, 3, 5)

    # A meeting before the period, and one in another administration, are not counted.
    WorkplaceMeeting.objects.filter(pk=meeting.pk).update(date=start - datetime.timedelta(days=1))
    (row,) = section(apt["soc"], start, today).tables[0].rows
    assert row[2:] == [0, 0, 3, 0]
    (row,) = section(apt["school"], start, today - datetime.timedelta(days=0)).tables[0].rows
    assert row[2:5] == [0, 0, 1]


def test_a_few_people_present_are_hidden(held_meeting, apt, today):
    # Three present: fewer than the small-group limit, so the number is not shown.
    (row,) = section(apt["soc"], today - datetime.timedelta(days=7), today).tables[0].rows
    assert row[2:4] == [1, 1] and row[5] == active_measures.HIDDEN


def test_the_section_is_in_the_pdf_an_hr_user_downloads(client, held_meeting, apt, today):
    from tests.reports.conftest import make_hr
    from tests.reports.test_active_measures import pdf_text

    hr = make_hr("hr-soc", apt["soc"])
    client.force_login(hr)
    q = f"unit={apt['soc'].pk}&start={(today - datetime.timedelta(days=7)).isoformat()}"
    response = client.get(f"/admin/active-measures/report.pdf?{q}&end={today.isoformat()}")
    assert response.status_code == 200
    text = pdf_text(response.content)
    flat = " ".join(text.split())
    assert "Arbetsplatsträffar" in flat and "Gruppmoduler visade på arbetsplatsträffar" in flat, (
        flat
    )
