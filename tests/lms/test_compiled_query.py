"""The learner's assignment query, compiled once per process (lms.compiled_query): each run is
the learner's own rows and today's states, never another learner's or a stale day's."""

import datetime

import pytest
from django.utils import timezone

from assignments import selectors
from assignments.models import Assignment
from lms.compiled_query import CompiledQuery
from tests.factories import UserFactory, make_course

pytestmark = pytest.mark.django_db


def assign(user, course, due_on):
    return Assignment.objects.create(
        user=user, course=course, assigned_at=timezone.now(), due_on=due_on
    )


def test_each_learner_gets_only_their_own_rows_from_the_same_compiled_query(catalogue):
    first, second = UserFactory(), UserFactory()
    one = make_course(catalogue, title="Kurs ett", modules=1)
    two = make_course(catalogue, title="Kurs två", modules=1)
    today = timezone.localdate()
    assign(first, one, today + datetime.timedelta(days=10))
    assign(second, two, today + datetime.timedelta(days=10))
    assign(second, one, today + datetime.timedelta(days=20))

    mine = selectors.my_assignments(user=first)
    theirs = selectors.my_assignments(user=second)

    assert [(a.user_id, a.course.title) for a in mine] == [(first.pk, "Kurs ett")]
    assert [(a.user_id, a.course.title) for a in theirs] == [
        (second.pk, "Kurs två"),
        (second.pk, "Kurs ett"),
    ]
    assert selectors.my_assignment(user=first, course_id=two.pk) is None


def test_the_state_follows_the_day_asked_about(catalogue):
    learner = UserFactory()
    course = make_course(catalogue, title="Kurs", modules=1)
    due = timezone.localdate() + datetime.timedelta(days=3)
    assign(learner, course, due)

    assert selectors.state_of(user=learner, course_id=course.pk) == selectors.NOT_STARTED
    later = due + datetime.timedelta(days=1)
    assert selectors.state_of(user=learner, course_id=course.pk, today=later) == selectors.OVERDUE
    # The earlier day's compiled query is still right for that day.
    assert selectors.state_of(user=learner, course_id=course.pk) == selectors.NOT_STARTED


def test_the_learner_query_agrees_with_the_dashboards_state_for_every_row(catalogue):
    """Dashboards count states with `with_state` over a queryset; the learner's pages read the
    compiled copy: both must say the same for every assignment."""
    learners = [UserFactory() for _ in range(3)]
    courses = [make_course(catalogue, title=f"Kurs {n}", modules=1) for n in range(3)]
    today = timezone.localdate()
    for n, learner in enumerate(learners):
        for m, course in enumerate(courses):
            assign(learner, course, today + datetime.timedelta(days=(n + m) * 7 - 7))
    Assignment.objects.filter(user=learners[2], course=courses[0]).update(
        exempted_at=timezone.now()
    )

    expected = dict(selectors.with_state(selectors.open_assignments()).values_list("pk", "state"))
    seen = {a.pk: a.state for learner in learners for a in selectors.my_assignments(user=learner)}
    assert seen == expected
    assert {"overdue", "not_started", "exempted"} <= set(seen.values())


def test_a_placeholder_the_sql_does_not_carry_is_refused_rather_than_run():
    query = CompiledQuery(
        Assignment,
        lambda key, *, user_id: Assignment.objects.filter(pk=1).values_list("pk"),
        names=("user_id",),
    )
    with pytest.raises(ValueError, match="user_id"):
        query.rows("any", user_id=1)


@pytest.mark.skipif(
    "postgresql" not in __import__("django.db").db.connection.vendor,
    reason="prepared statements are PostgreSQL's",
)
def test_on_postgresql_the_compiled_query_is_prepared_and_still_counted(catalogue):
    """Prepared once per connection (the server plans it once), still seen by Django's query
    log, so that the query budgets count it; each learner still gets their own rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first, second = UserFactory(), UserFactory()
    course = make_course(catalogue, title="Förberedd", modules=1)
    assign(second, course, timezone.localdate() + datetime.timedelta(days=5))
    with CaptureQueriesContext(connection) as queries:
        assert selectors.my_assignments(user=first) == []
        assert [a.user_id for a in selectors.my_assignments(user=second)] == [second.pk]
    assert sum('FROM "assignments_assignment"' in q["sql"] for q in queries) == 2
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ['%"assignments_assignment"%'],
        )
        assert cursor.fetchone()[0] == 1


def test_with_prepared_statements_off_the_same_rows_come_back(catalogue, settings):
    settings.DB_PREPARED_STATEMENTS = False
    learner = UserFactory()
    course = make_course(catalogue, title="Utan förberedelse", modules=1)
    assign(learner, course, timezone.localdate() + datetime.timedelta(days=5))
    assert [a.course.title for a in selectors.my_assignments(user=learner)] == ["Utan förberedelse"]
