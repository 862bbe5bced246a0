"""Browser security headers: strict for our pages, the admin's documented exceptions only there."""

import pytest
from django.test import override_settings

from lms.headers import build_policy

pytestmark = pytest.mark.django_db


def directives(header: str) -> dict[str, list[str]]:
    parts = [part.split() for part in header.split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


def test_our_pages_get_a_strict_policy_and_the_other_headers(client, demo_site):
    for url in ("/", "/accounts/login/", "/finns-inte/"):
        response = client.get(url)
        policy = directives(response["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'"], url
        assert policy["style-src"] == ["'self'"], url
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["base-uri"] == ["'self'"]
        assert policy["form-action"] == ["'self'"]
        assert "unsafe-inline" not in response["Content-Security-Policy"]
        assert "unsafe-eval" not in response["Content-Security-Policy"]
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        assert "camera=()" in response["Permissions-Policy"]
        assert "fullscreen=(self)" in response["Permissions-Policy"], "films go full screen"
        assert response["X-Content-Type-Options"] == "nosniff"


def test_admin_gets_inline_scripts_and_styles_and_nothing_else_more(client):
    response = client.get("/admin/login/")
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["frame-ancestors"] == ["'self'"], "the page preview frames the admin"
    assert policy["object-src"] == ["'none'"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]


def test_a_page_preview_may_be_framed_by_the_admin(demo_site):
    response = demo_site.make_preview_request()
    policy = directives(response["Content-Security-Policy"])
    assert policy["frame-ancestors"] == ["'self'"]


@override_settings(OIDC_OP_AUTHORIZATION_ENDPOINT="https://idp.kommun.se/authorize")
def test_single_sign_on_provider_may_receive_the_login_form():
    policy = directives(build_policy(relaxed=False))
    assert policy["form-action"] == ["'self'", "https://idp.kommun.se"]


def test_embedded_film_players_may_be_framed_on_our_pages(client, demo_site):
    policy = directives(client.get("/")["Content-Security-Policy"])
    assert policy["frame-src"] == [
        "'self'",
        "https://www.youtube-nocookie.com",
        "https://player.vimeo.com",
    ]
    assert policy["object-src"] == ["'none'"]


@override_settings(CSP_FRAME_SRC=["https://play.kommun.se/"])
def test_frame_src_follows_the_setting_and_embeds_must_match_it():
    from django.core.exceptions import ValidationError

    from modules.models import Film

    policy = directives(build_policy(relaxed=False))
    assert policy["frame-src"] == ["'self'", "https://play.kommun.se"]
    film = Film(title="F", transcript="<p>T</p>", duration_seconds=10)
    film.embed_url = "https://www.youtube-nocookie.com/embed/abc"
    with pytest.raises(ValidationError, match=r"bara bäddas in från: https://play\.kommun\.se"):
        film.full_clean()
    film.embed_url = "https://play.kommun.se/embed/abc"
    film.full_clean()
