from datetime import timedelta

import pytest
from django.utils import timezone

from lms.tasks import publish_scheduled
from tests.factories import make_course

pytestmark = pytest.mark.django_db


def test_scheduled_course_goes_live_when_beat_runs_the_task(catalogue):
    course = make_course(catalogue, modules=0)
    course.unpublish()
    course.refresh_from_db()
    # An editor scheduled a revision; its time has come.
    course.save_revision(approved_go_live_at=timezone.now() - timedelta(seconds=1))
    assert not course.live
    publish_scheduled()
    course.refresh_from_db()
    assert course.live


def test_future_schedule_waits(catalogue):
    course = make_course(catalogue, modules=0)
    course.unpublish()
    course.refresh_from_db()
    course.save_revision(approved_go_live_at=timezone.now() + timedelta(days=1))
    publish_scheduled()
    course.refresh_from_db()
    assert not course.live
