"""Issue 14, acceptance 1: the demo manager plans the Normdiplomering film "normkritik på
arbetsplatsen" for their unit, opens it, ticks five attendees and marks it held; an attendee
sees the module done "via arbetsplatsträff" with the date; the course completes for someone who
had everything else done; HR sees the unit counted. axe-core clean on every page."""

import re

import pytest
from django.utils import dateformat, timezone

from tests.browser.test_learner_journey import log_in
from tests.helpers import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FILM_SLUG = "film-normkritik-pa-arbetsplatsen"


def _everything_else_done(user, course, film_module) -> None:
    """The person did every other module of the course themselves (rows as the services write)."""
    from progress.models import CourseProgress, ModuleProgress

    now = timezone.now()
    progress = CourseProgress.objects.create(user=user, course=course, started_at=now)
    for module in course.get_children().live():
        if module.pk != film_module.pk:
            ModuleProgress.objects.create(
                course_progress=progress, module=module, started_at=now, completed_at=now
            )


def test_manager_holds_a_workplace_meeting_and_it_counts(
    page, live_server, demo_organisation, demo_courses
):
    from people.models import OrgUnit, Person
    from progress.models import Completion

    password = demo_organisation
    course = demo_courses["normdiplomering"]
    film = course.get_children().get(slug=FILM_SLUG).specific
    assert film.for_group_viewing and course.specific.allows_group_credit
    unit = OrgUnit.objects.get(managers__username="chef")
    others = list(
        Person.objects.filter(unit=unit, is_manager=False)
        .exclude(user__username__in=["medarbetare", "chef"])
        .select_related("user")
        .order_by("employee_number")[:4]
    )
    almost_done = others[0].user
    _everything_else_done(almost_done, course, film)
    attendee_names = ["Alva Lindqvist"] + [p.user.get_full_name() for p in others]

    # The manager plans the meeting for today.
    log_in(page, "chef", password)
    page.goto(page.base_url + "/arbetsplatstraffar/")
    assert_accessible(page)
    page.get_by_label("Enhet").select_option(label=unit.name)
    page.get_by_label("Modul att se tillsammans").select_option(label=film.title)
    page.get_by_role("button", name="Planera träffen").click()
    page.wait_for_url(re.compile(r".*/arbetsplatstraffar/\d+/$"))
    assert "Träffen är planerad." in page.locator(".messages").inner_text()

    # Opened on the day: the film for the room, the questions large, the unit's list.
    assert page.locator("video").count() == 1
    assert page.locator("ol.meeting-questions li").count() >= 3
    assert_accessible(page)
    meeting_url = page.url
    page.get_by_role("link", name="Samtalsguide att skriva ut").click()
    assert page.get_by_role("heading", name=re.compile("Samtalsguide")).count() == 1
    assert_accessible(page)
    page.goto(meeting_url)
    for name in attendee_names:
        page.get_by_label(name, exact=True).check()
    page.get_by_role("button", name="Markera träffen som genomförd").click()
    page.wait_for_url(meeting_url)
    assert "Träffen är markerad som genomförd." in page.locator(".messages").inner_text()
    assert_accessible(page)

    # The attendee sees the module done via the workplace meeting, with the date.
    today = dateformat.format(timezone.localdate(), "j F Y")
    page.context.clear_cookies()
    log_in(page, "medarbetare", password)
    page.goto(page.base_url + film.url)
    done = page.locator(".done-box").inner_text()
    assert "via arbetsplatsträff" in done and today in done
    assert_accessible(page)
    page.goto(page.base_url + course.url)
    assert f"via arbetsplatsträff {today}" in page.locator("main").inner_text()
    assert_accessible(page)

    # The course completed for the person who had everything else done.
    assert Completion.objects.filter(user=almost_done, course_id=course.pk).exists()

    # HR sees the unit counted for the film.
    page.context.clear_cookies()
    log_in(page, "hr", password)
    page.goto(page.base_url + "/admin/workplace-meetings/")
    section = page.locator(f"section[aria-labelledby='module-{film.pk}']")
    assert re.search(r"\b1 av \d+ enheter har genomfört den", section.inner_text())
    assert unit.name not in section.locator("table").nth(1).inner_text()
    assert_accessible(page)
