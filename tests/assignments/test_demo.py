"""The demo municipality starts with rules, assignments and a history worth a dashboard."""

from __future__ import annotations

import pytest
from django.db.models import Count
from django.utils import timezone

from assignments.selectors import open_assignments, with_state
from bench.municipality import consistency_problems
from lms import demo
from lms.demo_history import ensure_history
from progress.models import CourseProgress

pytestmark = pytest.mark.django_db


def test_demo_rules_and_history_are_consistent(demo_courses, demo_organisation):
    assert demo.ensure_assignment_rules() > 500
    completions = ensure_history()
    assert completions > 100
    assert ensure_history() == 0  # once only

    states = dict(
        with_state(open_assignments()).values_list("state").annotate(n=Count("id")).order_by()
    )
    for state in ("completed", "in_progress", "not_started", "overdue"):
        assert states.get(state, 0) > 0, states
    # The demo users keep a clean slate for trying the journeys themselves.
    assert not CourseProgress.objects.filter(user__username__in=["medarbetare", "chef"]).exists()
    assert consistency_problems(today=timezone.localdate()) == []
