"""Learner pages (catalogue, course, module) against the framework's floor: Wagtail serving
the home page through the same base template. Run on the synthetic municipality."""

from __future__ import annotations

import statistics
import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from courses.models import CourseIndexPage, CoursePage
from progress.models import CourseProgress

from .harness import Measurement, report

TARGET_RATIO = 3.0
REPEAT = 15


def _median_get(client: Client, url: str) -> Measurement:
    client.get(url)  # warm caches
    times = []
    for _ in range(REPEAT):
        connection.queries_log.clear()  # a full log (9,000 queries) would count 0
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return Measurement(statistics.median(times), len(queries), 0.0)


def run() -> None:
    # A learner in the middle of things: the person with the most course rounds.
    progress = (
        CourseProgress.objects.filter(completed_at__isnull=True, user__is_active=True)
        .order_by("pk")
        .first()
    )
    user = progress.user
    client = Client()
    client.force_login(user)
    floor = _median_get(client, "/")
    catalogue = CourseIndexPage.objects.live().first()
    course = CoursePage.objects.get(pk=progress.course_id)
    module = progress.last_module.specific
    for name, url in [
        ("catalogue page", catalogue.url),
        ("course page", course.url),
        ("module page", module.url),
    ]:
        report(name, _median_get(client, url), floor, target=TARGET_RATIO)
