import re

import pytest
from django.core import mail
from django.urls import reverse

from lms.demo import DEFAULT_DEMO_PASSWORD
from tests.helpers import login_via_form


@pytest.mark.django_db
def test_private_pages_redirect_to_login_public_home_does_not(client, demo_site):
    assert client.get("/").status_code == 200
    response = client.get("/kurser/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=/kurser/")


@pytest.mark.django_db
def test_ten_wrong_passwords_lock_the_account_with_swedish_message(client, demo_users):
    url = reverse("login")
    for attempt in range(1, 10):
        response = client.post(url, {"username": "medarbetare", "password": "fel-lösenord"})
        assert response.status_code == 200, f"attempt {attempt} should only fail"
        assert "Ange ett korrekt" in response.content.decode()  # Django's Swedish login error
    response = client.post(url, {"username": "medarbetare", "password": "fel-lösenord"})
    assert response.status_code == 429
    text = response.content.decode()
    assert "För många inloggningsförsök" in text
    assert "kontot är låst" in text.lower()
    # Locked means locked: the right password does not get in either.
    response = client.post(url, {"username": "medarbetare", "password": DEFAULT_DEMO_PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_lockout_is_per_account_not_for_everyone(client, demo_users):
    url = reverse("login")
    for _ in range(10):
        client.post(url, {"username": "medarbetare", "password": "fel"})
    response = client.post(url, {"username": "chef", "password": DEFAULT_DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


@pytest.mark.django_db
def test_password_reset_sends_swedish_email_with_working_link(client, demo_users):
    response = client.post(reverse("password_reset"), {"email": "medarbetare@demo.example"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "Nytt lösenord" in message.subject
    assert "välja ett nytt lösenord" in message.body
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", message.body).group(1)
    response = client.get(link, follow=True)
    assert response.status_code == 200
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "Ett-nytt-langt-losen-42", "new_password2": "Ett-nytt-langt-losen-42"},
    )
    assert response.status_code == 302
    assert login_via_form(client, "medarbetare", "Ett-nytt-langt-losen-42")


@pytest.mark.django_db
def test_password_reset_does_not_reveal_unknown_addresses(client, demo_users):
    response = client.post(reverse("password_reset"), {"email": "finns-inte@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


@pytest.mark.django_db
def test_password_change_requires_login_and_validates(client, demo_users):
    url = reverse("password_change")
    assert client.get(url).status_code == 302
    assert login_via_form(client, "medarbetare", DEFAULT_DEMO_PASSWORD)
    response = client.post(
        url, {"old_password": "fel", "new_password1": "kort", "new_password2": "kort"}
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Ditt gamla lösenord var felaktigt" in text
    client.logout()
    assert login_via_form(client, "medarbetare", DEFAULT_DEMO_PASSWORD)


@pytest.mark.django_db
def test_english_is_available_as_second_language(client, demo_site):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get("/")
    assert '<html lang="en">' in response.content.decode()
    assert "Log in" in response.content.decode()


@pytest.mark.django_db
def test_swedish_even_when_the_browser_prefers_english(client, demo_site):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="sv">' in response.content.decode()


@pytest.mark.django_db
def test_lockout_counts_the_client_behind_the_proxy_not_the_proxy(client, demo_users, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    url = reverse("login")
    # An attacker behind the proxy locks only their own address out...
    for _ in range(10):
        client.post(
            url,
            {"username": "medarbetare", "password": "fel"},
            HTTP_X_FORWARDED_FOR="203.0.113.7",
            REMOTE_ADDR="10.0.0.2",
        )
    # ...while the employee, reaching the same proxy from another address, still gets in.
    response = client.post(
        url,
        {"username": "medarbetare", "password": DEFAULT_DEMO_PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.20",
        REMOTE_ADDR="10.0.0.2",
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_spoofed_forwarded_header_does_not_escape_the_lockout(client, demo_users, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    url = reverse("login")
    for attempt in range(10):
        client.post(
            url,
            {"username": "medarbetare", "password": "fel"},
            # The client prepends a fake address; the proxy appends the real one.
            HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}, 203.0.113.7",
            REMOTE_ADDR="10.0.0.2",
        )
    response = client.post(
        url,
        {"username": "medarbetare", "password": DEFAULT_DEMO_PASSWORD},
        HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.7",
        REMOTE_ADDR="10.0.0.2",
    )
    assert response.status_code == 429


@pytest.mark.django_db
def test_password_reset_lifts_the_lockout(client, demo_users):
    for _ in range(10):
        client.post(reverse("login"), {"username": "medarbetare", "password": "fel"})
    client.post(reverse("password_reset"), {"email": "medarbetare@demo.example"})
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "Ett-helt-nytt-losen-7", "new_password2": "Ett-helt-nytt-losen-7"},
    )
    assert login_via_form(client, "medarbetare", "Ett-helt-nytt-losen-7")
