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


def wait_in_page(page, expression: str, *, timeout: float = 15_000) -> None:
    """Poll a JavaScript expression until it is true.

    Not page.wait_for_function: Playwright evaluates its predicate with eval() inside the page,
    which our strict Content-Security-Policy (no 'unsafe-eval') refuses. page.evaluate goes
    through the DevTools protocol, which the policy does not govern.
    """
    waited = 0.0
    while not page.evaluate(expression):
        if waited >= timeout:
            raise AssertionError(f"timed out after {timeout / 1000:.0f} s waiting for {expression}")
        page.wait_for_timeout(100)
        waited += 100


def watch_film_with_keyboard(page, *, fastest: bool = False):
    """Play the film to its end, at normal speed or at the fastest rate the player offers.

    The server credits played seconds no faster than they can really pass, so the film runs
    its real length (or half of it at 2x) before it counts as watched.
    """
    video = page.locator("video").first
    # Reach the player with the keyboard and start it with the space bar.
    video.focus()
    page.keyboard.press("Space")
    wait_in_page(page, "document.querySelector('video').currentTime > 0")
    if fastest:
        # A script asking for 16x gets the player's fastest rate, 2x.
        page.evaluate("document.querySelector('video').playbackRate = 16")
        wait_in_page(page, "document.querySelector('video').playbackRate === 2")
    wait_in_page(page, "document.querySelector('video').ended", timeout=60_000)
    status = page.locator("[data-film-status]").first
    wait_in_page(page, "document.querySelector('[data-film-status]').textContent.includes('Sedd')")
    assert "Sedd" in status.inner_text()


def tab_to(page, css: str) -> None:
    """Move keyboard focus forward with Tab until an element matching `css` has it."""
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("(css) => !!document.activeElement?.matches(css)", css):
            return
    raise AssertionError(f"could not reach {css} with the Tab key")


def press_and_follow(page, key: str = "Enter") -> None:
    """Press a key that submits a form or follows a link, and wait for the next page."""
    with page.expect_navigation():
        page.keyboard.press(key)


def answer_with_keyboard(page, question: dict, *, right: bool) -> None:
    wanted = [c["key"] for c in question["choices"] if c["correct"] == right]
    if question["kind"] == "multiple":
        for key in wanted:
            tab_to(page, f"#choice-{key}")
            page.keyboard.press("Space")
    else:
        keys = [c["key"] for c in question["choices"]]
        tab_to(page, "input[name=choice]")
        page.keyboard.press("Space")  # selects the first choice
        for _ in range(keys.index(wanted[0])):
            page.keyboard.press("ArrowDown")  # arrow keys move the selection in a radio group
    assert page.locator("input[name=choice]:checked").count() == (
        len(wanted) if question["kind"] == "multiple" else 1
    )
    tab_to(page, "button[value=next]")
    press_and_follow(page)


def take_quiz_with_keyboard(page, *, right: bool) -> None:
    from quizzes.models import QuizAttempt

    # One button, on the module or on a failed result, starts (or retakes) the quiz.
    assert page.locator("form.quiz-start-form button").count() == 1
    tab_to(page, "form.quiz-start-form button")
    press_and_follow(page)
    assert re.search(r"/questions/1/$", page.url)
    attempt = QuizAttempt.objects.filter(user__username="medarbetare").latest("number")
    assert_accessible(page)
    for question in attempt.snapshot["questions"]:
        answer_with_keyboard(page, question, right=right)
    assert page.get_by_role("heading", level=1).inner_text() == "Granska dina svar"
    assert_accessible(page)
    tab_to(page, "main form button[type=submit]")
    press_and_follow(page)
    assert re.search(r"/result/$", page.url)
    assert_accessible(page)


def test_learner_takes_normdiplomering_from_catalogue_to_completion(page, demo_courses, demo_users):
    log_in(page, "medarbetare", demo_users)
    page.get_by_role("link", name="Kurser", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == "Kurser"
    assert_accessible(page)

    page.get_by_role("link", name="Normdiplomering").click()
    assert_accessible(page)
    page.get_by_role("link", name="Starta kursen").click()

    saw_film = saw_reflection = False
    for number in range(1, 6):
        assert_accessible(page)
        if page.locator("video").count():
            # The first film at normal speed, the next at the fastest rate.
            watch_film_with_keyboard(page, fastest=saw_film)
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
        if number == 5:
            # The final test must be passed first: marking the module done is refused.
            page.get_by_role("button", name=re.compile("Markera som klar")).click()
            assert "Klara kunskapstestet" in page.locator(".messages").inner_text()
            assert "Kursen" not in page.locator(".messages").inner_text()
            take_quiz_with_keyboard(page, right=False)
            assert "Inte godkänt den här gången" in page.get_by_role("status").inner_text()
            # A failed final test keeps its right answers while attempts remain.
            result = page.locator("main").inner_text()
            assert "Rätt svar visas när du har fått godkänt" in result
            assert "Rätt svar:" not in result and "Inte rätt." in result
            # The retake is offered on the result itself ("Gör om testet").
            assert page.get_by_role("button", name="Gör om testet").count() == 1
            take_quiz_with_keyboard(page, right=True)
            break
        page.get_by_role("button", name=re.compile("Markera som klar")).click()

    assert saw_film and saw_reflection
    # Passing the final test was all the course still needed: it is complete, with no click.
    today = date_format(timezone.localdate(), "j F Y")
    status = page.get_by_role("status").inner_text()
    assert "Godkänt!" in status
    assert f"Kursen ”Normdiplomering” är slutförd den {today}." in status
    assert page.get_by_role("button", name="Markera modulen som klar").count() == 0
    tab_to(page, "main a.button")  # back to the course
    press_and_follow(page)
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
