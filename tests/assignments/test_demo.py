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


def test_the_demo_manager_has_a_lapsed_completion_and_a_renewal_due(
    demo_courses, demo_organisation
):
    from assignments import selectors
    from assignments.demo import DEMO_COURSE, ensure_renewal_due
    from progress.models import Completion

    demo.ensure_assignment_rules()
    assert ensure_renewal_due()
    assert not ensure_renewal_due()  # once only
    completion = Completion.objects.get(user__username="chef")
    assert completion.valid_until < timezone.localdate()
    rounds = CourseProgress.objects.filter(user__username="chef").order_by("round")
    assert [r.round for r in rounds] == [1, 2] and rounds[1].completed_at is None
    mine = selectors.my_assignment(user=completion.user, course_id=completion.course_id)
    assert mine.course.slug == DEMO_COURSE
    assert mine.state == selectors.EXPIRED and mine.renew_by > timezone.localdate()
