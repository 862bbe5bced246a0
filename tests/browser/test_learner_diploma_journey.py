"""The demo learner's whole journey to a diploma: from the to-do list on the home page, through
the assigned course, to the diploma, its verify address and a readable register extract."""

import re

import pypdf
import pytest
from django.utils.formats import date_format

from tests.browser.test_learner_journey import (
    log_in,
    press_and_follow,
    tab_to,
    take_quiz_with_keyboard,
    watch_film_with_keyboard,
)
from tests.helpers import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COURSE = "jamlikhet-i-styrning"  # assigned to every demo employee; the shortest assigned course


def test_demo_learner_goes_from_to_do_to_a_verified_diploma(
    page, browser, live_server, demo_courses, demo_organisation, settings
):
    from django.contrib.auth import get_user_model

    from assignments.models import Assignment
    from diplomas import tasks
    from diplomas.models import Diploma
    from lms import demo
    from people import gdpr
    from tests.people.test_register_extract_page import PYTHON_LITERALS, SWEDISH_TOO, keys_of

    # The PDF's verify address points at this server.
    settings.DIPLOMA_BASE_URL = live_server.url
    demo.ensure_assignment_rules()
    learner = get_user_model().objects.get(username="medarbetare")
    assigned = Assignment.objects.filter(user=learner, ended_at=None)
    assert {a.course.slug for a in assigned} == {COURSE}
    assignment = assigned.get()
    course = demo_courses[COURSE]

    # Home: the to-do list shows the assigned course with its due date, in Swedish.
    log_in(page, "medarbetare", demo_organisation)
    to_do = page.locator("section[aria-labelledby=to-do-heading]")
    assert to_do.get_by_role("heading", level=2).inner_text() == "Att göra"
    item = to_do.locator("li", has_text=course.title)
    due = date_format(assignment.due_on, "j F Y")
    assert re.fullmatch(r"\d{1,2} [a-zåäö]+ \d{4}", due)  # "30 november 2027"
    assert f"Klar senast {due}" in item.inner_text()
    assert_accessible(page)

    # The course, module by module, with the keyboard where it counts.
    item.get_by_role("link", name=re.compile("Starta")).click()
    page.wait_for_url(re.compile(re.escape(course.url) + "$"))
    assert page.get_by_role("heading", level=1).inner_text() == course.title
    assert_accessible(page)
    page.get_by_role("link", name="Starta kursen").click()
    modules = course.get_children().live().count()
    for number in range(1, modules + 1):
        assert_accessible(page)
        if page.locator("video").count():
            watch_film_with_keyboard(page, fastest=True)
        if number == modules:
            # The last module holds the final test: passing it completes the course.
            take_quiz_with_keyboard(page, right=True)
            break
        page.get_by_role("button", name=re.compile("Markera som klar")).click()
        page.wait_for_load_state()
    status = page.get_by_role("status").inner_text()
    assert "Godkänt!" in status and f"Kursen ”{course.title}” är slutförd" in status

    # The worker renders the diploma once the completion has committed; run its task here.
    diploma = Diploma.objects.get(completion__user=learner, completion__course_id=course.pk)
    tasks.render_diploma(diploma.pk)
    diploma.refresh_from_db()
    assert diploma.pdf

    # Mina kurser: the diploma downloads as a PDF naming the learner and the course.
    tab_to(page, "main a.button")  # back to the course
    press_and_follow(page)
    page.get_by_role("link", name="Mina kurser").click()
    link = page.get_by_role("link", name=re.compile("Ladda ner ditt diplom"))
    assert link.count() == 1
    assert_accessible(page)
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(download.path()).pages)
    assert "Alva Lindqvist" in text and course.title in " ".join(text.split())
    url = re.search(r"(https?://\S+/verify/[0-9A-Z-]+/)", text).group(1)
    assert url.startswith(live_server.url)

    # Anyone, without logging in, opens the verify address from the PDF.
    context = browser.new_context(locale="sv-SE", reduced_motion="reduce")
    try:
        stranger = context.new_page()
        stranger.goto(url)
        assert "/accounts/login/" not in stranger.url
        main = stranger.locator("main").inner_text()
        assert "Diplomet är äkta och giltigt." in main
        assert "Alva Lindqvist" in main and course.title in main
        assert_accessible(stranger)
    finally:
        context.close()

    # The register extract reads as Swedish: no JSON field names, no Python literals.
    page.get_by_role("link", name="Mina uppgifter").click()
    page.get_by_role("link", name="Visa mitt registerutdrag").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Registerutdrag"
    text = page.locator("main").inner_text()
    assert course.title in text  # the completion just made is in it
    extract = gdpr.register_extract(learner)
    keys = keys_of(extract) - SWEDISH_TOO
    assert {"first_name", "seconds_played"} & keys_of(extract)  # the check has teeth
    shown = sorted(k for k in keys if re.search(rf"(?<![\w-]){re.escape(k)}(?![\w-])", text))
    assert shown == [], f"field names on the page: {shown}"
    literals = [lit for lit in [*PYTHON_LITERALS, "datetime("] if lit in text]
    assert literals == [], f"Python literals on the page: {literals}"
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}|\d{2}:\d{2}:\d{2}\.\d+", text)
    assert_accessible(page)
