"""Follow-up apps hear of each progress event once, inside the transaction that wrote it."""

import pytest
from django.db import connection

from progress import services, signals
from tests.factories import make_course

pytestmark = pytest.mark.django_db


def test_each_event_is_sent_once_inside_the_transaction(catalogue, learner):
    heard: list[tuple[str, bool]] = []

    def listener(name):
        def receive(sender, **kwargs):
            heard.append((name, connection.in_atomic_block))

        return receive

    receivers = {n: listener(n) for n in ("started", "module", "course")}
    signals.module_started.connect(receivers["started"])
    signals.module_completed.connect(receivers["module"])
    signals.course_completed.connect(receivers["course"])
    try:
        course = make_course(catalogue, modules=1)
        module = course.get_children().live().first().specific
        services.module_start(user=learner, module=module)
        services.module_start(user=learner, module=module)
        services.module_complete(user=learner, module=module)
        services.module_complete(user=learner, module=module)
    finally:
        signals.module_started.disconnect(receivers["started"])
        signals.module_completed.disconnect(receivers["module"])
        signals.course_completed.disconnect(receivers["course"])
    assert [name for name, _ in heard] == ["started", "module", "course"]
    assert all(inside for _, inside in heard)
