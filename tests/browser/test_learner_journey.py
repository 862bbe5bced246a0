"""The learner's main journey through Normdiplomering, as a new user would try it."""

import re

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from tests.helpers import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, username, password):
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(re.compile(r".*/$"))


def watch_film_with_keyboard(page):
    video = page.locator("video").first
    # Reach the player with the keyboard and start it with the space bar.
    video.focus()
    page.keyboard.press("Space")
    page.wait_for_function("document.querySelector('video').currentTime > 0")
    # Only to keep the test short: the played ranges are still real media time.
    page.evaluate("document.querySelector('video').playbackRate = 16")
    page.wait_for_function("document.querySelector('video').ended", timeout=30_000)
    status = page.locator("[data-film-status]").first
    page.wait_for_function(
        "document.querySelector('[data-film-status]').textContent.includes('Sedd')"
    )
    assert "Sedd" in status.inner_text()


def test_learner_takes_normdiplomering_from_catalogue_to_completion(page, demo_courses, demo_users):
    log_in(page, "medarbetare", demo_users)
    page.get_by_role("link", name="Kurser", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == "Kurser"
    assert_accessible(page)

    page.get_by_role("link", name="Normdiplomering").click()
    assert_accessible(page)
    page.get_by_role("link", name="Starta kursen").click()

    saw_film = saw_reflection = False
    for _number in range(1, 6):
        assert_accessible(page)
        if page.locator("video").count():
            watch_film_with_keyboard(page)
            saw_film = True
        reflection = page.locator(".reflection textarea").first
        if reflection.count():
            reflection.fill("Jag ska fråga i stället för att anta.")
            page.get_by_role("button", name="Spara min reflektion").first.click()
            assert "Din reflektion är sparad" in page.locator(".messages").inner_text()
            assert page.locator(".reflection textarea").first.input_value() == (
                "Jag ska fråga i stället för att anta."
            )
            saw_reflection = True
            assert_accessible(page)
        page.get_by_role("button", name=re.compile("Markera som klar")).click()

    assert saw_film and saw_reflection
    today = date_format(timezone.localdate(), "j F Y")
    assert "Bra jobbat! Du är klar med kursen" in page.locator(".messages").inner_text()
    assert f"Du blev klar med kursen den {today}" in page.locator("main").inner_text()
    assert_accessible(page)

    # The state survives logging out and in again.
    page.get_by_role("button", name="Logga ut").click()
    log_in(page, "medarbetare", demo_users)
    page.get_by_role("link", name="Mina kurser").click()
    completed = page.locator("main").inner_text()
    assert f"Normdiplomering – klar {today}" in completed
    assert_accessible(page)


def test_locked_module_says_why_also_by_direct_url(page, demo_courses, demo_users):
    log_in(page, "medarbetare", demo_users)
    course = demo_courses["jamlikhet-i-styrning"]
    page.goto(page.base_url + course.url)
    level2 = page.locator(".module-item").nth(1)
    assert "Gå klart modulen ”Nivå 1: Grundkompetens om jämlikhet” först." in level2.inner_text()
    assert level2.get_by_role("link").count() == 0
    assert_accessible(page)

    module2 = course.get_children().live().order_by("path")[1]
    response = page.goto(page.base_url + module2.url)
    assert response.status == 403
    assert "Modulen är låst" in page.get_by_role("alert").inner_text()
    assert_accessible(page)


def test_catalogue_works_on_a_phone(phone_page, demo_courses, demo_users):
    log_in(phone_page, "medarbetare", demo_users)
    phone_page.goto(phone_page.base_url + "/kurser/?audience=managers")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    assert "Från #metoo till metod" in phone_page.locator("main").inner_text()
    assert_accessible(phone_page)
