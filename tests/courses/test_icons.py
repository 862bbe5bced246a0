"""Locks and the favicon do not depend on an emoji font."""

import pytest
from django.contrib.staticfiles import finders

from tests.factories import make_course

pytestmark = pytest.mark.django_db


def test_locked_modules_show_an_svg_lock_and_the_reason_in_text(client, catalogue, learner):
    course = make_course(catalogue, modules=2, sequential=True)
    client.force_login(learner)
    html = client.get(course.url).content.decode()
    assert "🔒" not in html
    assert '<svg class="icon icon-lock" aria-hidden="true" focusable="false"' in html
    assert "Gå klart modulen ”Modul 1” först." in html
    second = course.get_children().live().order_by("path").last()
    locked = client.get(second.url)
    assert locked.status_code == 403 and "icon-lock" in locked.content.decode()


def test_every_page_links_a_favicon_that_static_files_serve(client, catalogue):
    html = client.get("/").content.decode()
    assert 'rel="icon" href="/static/icons/favicon.svg" type="image/svg+xml"' in html
    assert 'href="/static/icons/favicon.ico"' in html
    for name in ("icons/favicon.svg", "icons/favicon.ico", "icons/apple-touch-icon.png"):
        assert finders.find(name), name
    with open(finders.find("icons/favicon.ico"), "rb") as ico:
        assert ico.read(4) == b"\x00\x00\x01\x00"  # an ICO header
