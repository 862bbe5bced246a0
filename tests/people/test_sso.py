"""Single sign-on through a real OpenID Connect flow against the fake provider in fake_idp.py.

Nothing in mozilla-django-oidc is mocked: `requests` plays the browser against the live
server, and the backend's own calls to the token and userinfo endpoints go over HTTP to the
same live server.
"""

from __future__ import annotations

import copy
import datetime
import html
import os
import subprocess
import sys
from importlib import import_module
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.test import override_settings
from django.utils import translation

from people import sso
from people.models import Person
from tests.factories import PASSWORD, UserFactory
from tests.helpers import login_via_form
from tests.people import fake_idp

BACKEND = "people.sso.EmployeeOIDCBackend"
CONTEXT_PROCESSOR = "people.context_processors.sso"
LABEL = "Logga in med kommunens inloggning"
OIDC_URLS = ["/oidc/authenticate/", "/oidc/callback/", "/oidc/logout/"]
ROOT = Path(__file__).resolve().parents[2]


def templates_with_sso() -> list[dict]:
    # The context processor may not be in base.py's TEMPLATES yet; the tests need it either way.
    templates = copy.deepcopy(settings.TEMPLATES)
    processors = templates[0]["OPTIONS"]["context_processors"]
    if CONTEXT_PROCESSOR not in processors:
        processors.append(CONTEXT_PROCESSOR)
    return templates


def backends_with_sso() -> list[str]:
    backends = [b for b in settings.AUTHENTICATION_BACKENDS if b != BACKEND]
    backends.insert(backends.index("axes.backends.AxesStandaloneBackend") + 1, BACKEND)
    return backends


@pytest.fixture
def sso_site(live_server):
    """The live server with SSO switched on against the fake provider; yields its URL."""
    fake_idp.reset()
    with override_settings(
        **fake_idp.settings_for(live_server.url),
        AUTHENTICATION_BACKENDS=backends_with_sso(),
        TEMPLATES=templates_with_sso(),
    ):
        yield live_server.url


def employee(number: str, **person_fields) -> Person:
    user = UserFactory(first_name="Gammalt", last_name="Namn", email="gammal@kommun.example")
    return Person.objects.create(user=user, employee_number=number, **person_fields)


def sso_callback(browser: requests.Session, base: str, next_url: str = "") -> requests.Response:
    """Click the SSO button and follow the provider back; return the callback's response."""
    params = {"next": next_url} if next_url else {}
    response = browser.get(f"{base}/oidc/authenticate/", params=params, allow_redirects=False)
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"{base}/fake-idp/authorize/")
    response = browser.get(response.headers["Location"], allow_redirects=False)
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"{base}/oidc/callback/?code=")
    return browser.get(response.headers["Location"], allow_redirects=False)


def session_user_id(browser: requests.Session) -> str | None:
    key = browser.cookies.get(settings.SESSION_COOKIE_NAME)
    if not key:
        return None
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
    return store.get("_auth_user_id")


def swedish(message) -> str:
    # Swedish once the msgid is translated in locale/sv; until then the English source.
    with translation.override("sv"):
        return str(message)


@pytest.mark.django_db(transaction=True)
def test_known_employee_logs_in_and_gets_name_and_email_from_the_provider(sso_site):
    person = employee("E1001")
    fake_idp.reset(
        sub="abc-123",
        employee_id="E1001",
        given_name="Saga",
        family_name="Lind",
        email="saga.lind@kommun.example",
    )
    browser = requests.Session()

    login_page = browser.get(f"{sso_site}/accounts/login/?next=/accounts/password_change/")
    assert LABEL in login_page.text
    assert 'href="/oidc/authenticate/?next=/accounts/password_change/"' in login_page.text

    callback = sso_callback(browser, sso_site, next_url="/accounts/password_change/")

    assert callback.status_code == 302
    assert callback.headers["Location"] == "/accounts/password_change/"
    assert fake_idp.CALLS == ["authorize", "token", "userinfo"]
    assert session_user_id(browser) == str(person.user.pk)
    landing = browser.get(f"{sso_site}/accounts/password_change/", allow_redirects=False)
    assert landing.status_code == 200
    person.refresh_from_db()
    person.user.refresh_from_db()
    assert (person.user.first_name, person.user.last_name) == ("Saga", "Lind")
    assert person.user.email == "saga.lind@kommun.example"
    assert person.employee_number == "E1001"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("unknown", sso.UNKNOWN_EMPLOYEE),
        ("left", sso.HAS_LEFT),
        ("inactive", sso.INACTIVE),
        ("no employee claim", sso.FAILED),
    ],
)
def test_refused_people_are_told_why_and_not_logged_in(sso_site, case, message):
    from django.contrib.auth import get_user_model

    person = employee("E2002")
    if case == "left":
        person.end_date = datetime.date(2025, 12, 31)
        person.save()
    elif case == "inactive":
        person.user.is_active = False
        person.user.save()
    claims = {"sub": "abc-456", "employee_id": "E2002", "given_name": "Ändrat"}
    if case == "unknown":
        claims["employee_id"] = "E9999"
    elif case == "no employee claim":
        del claims["employee_id"]
    fake_idp.reset(**claims)
    users_before = get_user_model().objects.count()
    browser = requests.Session()

    callback = sso_callback(browser, sso_site)

    assert callback.status_code == 302
    assert callback.headers["Location"] == "/accounts/login/"
    assert session_user_id(browser) is None
    login_page = browser.get(f"{sso_site}/accounts/login/")
    assert swedish(message) in html.unescape(login_page.text)
    assert LABEL in login_page.text  # they can try again
    assert get_user_model().objects.count() == users_before  # nobody was created
    person.user.refresh_from_db()
    assert person.user.first_name == "Gammalt"  # refused people are not updated


@pytest.mark.django_db(transaction=True)
def test_password_login_still_works_with_sso_on(sso_site, client):
    person = employee("E3003")
    login_page = client.get("/accounts/login/")
    assert LABEL in login_page.content.decode()
    assert 'name="password"' in login_page.content.decode()

    assert login_via_form(client, person.user.username, PASSWORD)
    assert client.session["_auth_user_backend"] == "django.contrib.auth.backends.ModelBackend"
    assert fake_idp.CALLS == []  # the password form never talks to the provider


@pytest.mark.django_db(transaction=True)
def test_oidc_urls_when_sso_is_on(sso_site):
    """The statuses each role gets on GET (documented in the SSO report)."""
    anonymous = requests.Session()
    logged_in = requests.Session()
    employee("E4004")
    fake_idp.reset(sub="x", employee_id="E4004")
    sso_callback(logged_in, sso_site)
    assert session_user_id(logged_in) is not None

    for browser in (anonymous, logged_in):
        init = browser.get(f"{sso_site}/oidc/authenticate/", allow_redirects=False)
        assert init.status_code == 302
        assert init.headers["Location"].startswith(f"{sso_site}/fake-idp/authorize/")
        callback = browser.get(f"{sso_site}/oidc/callback/", allow_redirects=False)
        assert (callback.status_code, callback.headers["Location"]) == (302, "/accounts/login/")
        logout = browser.get(f"{sso_site}/oidc/logout/", allow_redirects=False)
        assert logout.status_code == 405  # POST only


@pytest.mark.django_db
@override_settings(SSO_ENABLED=False, OIDC_RP_CLIENT_ID="", TEMPLATES=templates_with_sso())
def test_sso_off_shows_no_button_and_its_urls_are_404(client):
    login_page = client.get("/accounts/login/")
    assert login_page.status_code == 200
    assert LABEL not in login_page.content.decode()
    assert "/oidc/" not in login_page.content.decode()
    for url in OIDC_URLS:
        assert client.get(url).status_code == 404, url

    client.force_login(UserFactory())
    for url in OIDC_URLS:
        assert client.get(url).status_code == 404, url


def run_settings(**env: str) -> subprocess.CompletedProcess:
    """Load the real settings in a fresh interpreter with these environment variables."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OIDC_")}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(settings.AUTHENTICATION_BACKENDS)",
        ],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "lms.settings.test", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_settings_from_the_environment():
    off = run_settings()
    assert off.returncode == 0, off.stderr
    assert BACKEND not in off.stdout

    endpoints = {
        "OIDC_RP_CLIENT_SECRET": "s",
        "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://idp.example/authorize",
        "OIDC_OP_TOKEN_ENDPOINT": "https://idp.example/token",
        "OIDC_OP_USER_ENDPOINT": "https://idp.example/userinfo",
        "OIDC_OP_JWKS_ENDPOINT": "https://idp.example/jwks",
    }
    on = run_settings(OIDC_RP_CLIENT_ID="lms", **endpoints)
    assert on.returncode == 0, on.stderr
    assert on.stdout.strip() == str(
        [
            "axes.backends.AxesStandaloneBackend",
            BACKEND,
            "django.contrib.auth.backends.ModelBackend",
        ]
    )

    # RS256 (the default) needs the provider's keys: refuse to start without them.
    del endpoints["OIDC_OP_JWKS_ENDPOINT"]
    half = run_settings(OIDC_RP_CLIENT_ID="lms", **endpoints)
    assert half.returncode != 0
    assert "OIDC_OP_JWKS_ENDPOINT" in half.stderr
