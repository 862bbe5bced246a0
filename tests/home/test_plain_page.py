"""A page of Wagtail's own type (no type of ours; editors cannot create one, the benchmark's
floor is one) is shown in the site's frame instead of failing for a missing template."""

import pytest
from wagtail.models import Page

pytestmark = pytest.mark.django_db


def test_a_plain_wagtail_page_is_shown_in_the_site_frame(client, demo_site, learner):
    page = Page(title="Golv", slug="golv")
    demo_site.add_child(instance=page)
    page.save_revision().publish()
    client.force_login(learner)
    response = client.get(page.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Golv</h1>" in html
    assert 'id="main"' in html  # base.html: the skip link's target, the menu, the footer


def test_a_plain_page_is_private_like_every_page_type_of_ours(client, demo_site):
    page = Page(title="Golv", slug="golv")
    demo_site.add_child(instance=page)
    page.save_revision().publish()
    response = client.get(page.url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
