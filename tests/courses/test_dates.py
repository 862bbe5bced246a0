"""One Swedish date format on the pages people read; local time; exports keep ISO dates."""

import datetime

import pytest
from django.template import Context, Template
from django.utils import formats, timezone, translation

from modules import services as module_services
from tests.factories import make_course

pytestmark = pytest.mark.django_db


def test_the_site_formats_dates_in_swedish():
    with translation.override("sv"):
        day = datetime.date(2026, 12, 3)
        assert formats.date_format(day, "DATE_FORMAT") == "3 december 2026"
        moment = datetime.datetime(2026, 7, 1, 12, 5, 30, 123456, tzinfo=datetime.UTC)
        shown = Template('{% load datum %}{{ t|datum }} / {{ t|datum:"tid" }} / {{ d|datum }}')
        text = shown.render(Context({"t": moment, "d": "2026-12-03"}))
        # Stockholm summer time, to the minute, no microseconds.
        assert text == "1 juli 2026 / 1 juli 2026 14:05 / 3 december 2026"


def test_a_saved_reflection_shows_a_swedish_local_time(client, catalogue, learner):
    course = make_course(catalogue, modules=1)
    module = course.get_children().get().specific
    block = next(b.id for b in module.body if b.block_type == "reflection")
    module_services.reflection_save(user=learner, module=module, block_id=block, text="Svar")
    client.force_login(learner)
    html = client.get(module.url).content.decode()
    now = timezone.localtime()
    assert f"Sparad {formats.date_format(now, 'DATE_FORMAT')} " in html
    assert now.strftime("%Y-%m-%d") not in html
