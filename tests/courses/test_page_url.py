"""`{% page_url %}` (course_tags) gives the same address as Wagtail's `{% pageurl %}` for the
pages of the request's site, Swedish letters in slugs included, and falls back to `pageurl`
for a page outside it."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from lms import content_cache
from modules.models import ModulePage
from tests.factories import make_course

pytestmark = pytest.mark.django_db


def render(tag: str, page, request) -> str:
    template = Template("{% load wagtailcore_tags course_tags %}" + tag)
    return template.render(Context({"page": page, "request": request}))


def test_page_url_is_wagtails_address(catalogue):
    course = make_course(catalogue, title="Åtgärder", modules=1)
    module = ModulePage(title="Översikt", slug="översikt-för-chefer", body=[])
    course.add_child(instance=module)
    module.save_revision().publish()
    request = RequestFactory().get("/")
    request._wagtail_site = content_cache.site_for_request(request)
    for page in (catalogue, course, module, course.get_children().first()):
        ours = render("{% page_url page %}", page, request)
        assert ours == render("{% pageurl page %}", page, request)
        assert ours.startswith("/")
    assert "%C3%B6versikt" in render("{% page_url page %}", module, request)


def test_a_page_outside_the_site_goes_through_pageurl(catalogue):
    from wagtail.models import Page

    request = RequestFactory().get("/")
    request._wagtail_site = content_cache.site_for_request(request)
    root = Page.get_first_root_node()  # not below the site's root page
    assert render("{% page_url page %}", root, request) == render(
        "{% pageurl page %}", root, request
    )
