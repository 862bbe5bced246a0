import pytest

from tests.helpers import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_learner_logs_in_through_the_real_form_and_sees_home(page, demo_site, demo_users):
    page.goto(page.base_url + "/")
    assert page.locator("html").get_attribute("lang") == "sv"
    assert_accessible(page)

    page.get_by_role("link", name="Logga in", exact=True).first.click()
    page.wait_for_url("**/accounts/login/**")
    assert_accessible(page)

    page.get_by_label("Användarnamn").fill("medarbetare")
    page.get_by_label("Lösenord").fill(demo_users)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(page.base_url + "/")
    # Logged in, the home page is the learner's own: a greeting and what they have to do.
    assert page.get_by_role("heading", level=1).inner_text() == "Hej Alva"
    assert page.get_by_role("heading", name="Att göra").is_visible()
    assert "Alva Lindqvist" in page.locator("footer").inner_text()
    assert page.get_by_role("link", name="Till kurskatalogen").is_visible()
    assert_accessible(page)


def test_visitors_see_the_welcome(page, demo_site):
    page.goto(page.base_url + "/")
    assert page.get_by_role("heading", level=1).inner_text() == "Välkommen till Normkritik LMS"
    assert page.get_by_role("heading", name="Att göra").count() == 0


def test_wrong_password_error_is_announced_and_accessible(page, demo_site, demo_users):
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("Användarnamn").fill("medarbetare")
    page.get_by_label("Lösenord").fill("inte-rätt")
    page.get_by_role("button", name="Logga in").click()
    alert = page.get_by_role("alert")
    assert "Ange ett korrekt" in alert.inner_text()
    assert_accessible(page)


def test_skip_link_is_first_and_moves_focus_to_main(page, demo_site):
    page.goto(page.base_url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Hoppa till innehållet"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_home_and_login_work_on_a_phone(phone_page, demo_site):
    phone_page.goto(phone_page.base_url + "/accounts/login/")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, "the login page must not scroll sideways on a phone"
    assert_accessible(phone_page)
