"""Rules → assignments: who is assigned, by when, and what happens when people move or leave."""

from __future__ import annotations

import datetime

import pytest

from assignments import selectors, services
from assignments.models import Assignment, AssignmentRule, Audience, EndReason
from people.models import Person
from progress.models import Completion, CourseProgress
from tests.helpers import assert_queries_independent_of_size

from .conftest import make_person

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 25)


def rule(course, unit, **fields) -> AssignmentRule:
    return AssignmentRule.objects.create(
        name=fields.pop("name", "Regel"), course=course, unit=unit, **fields
    )


def open_users(course) -> set[str]:
    return set(
        Assignment.objects.filter(course=course, ended_at__isnull=True).values_list(
            "user__username", flat=True
        )
    )


def test_a_rule_assigns_its_units_and_audience_with_a_due_date(org, course):
    make_person(org["home_care"], username="hemtjanst")
    make_person(org["social"], manager=True, username="socialchef")
    make_person(org["school"], username="larare")
    rule(course, org["social"], audience=Audience.EVERYONE, due_days=30)

    result = services.evaluate_rules(today=TODAY)

    assert result.created == 2
    assert open_users(course) == {"hemtjanst", "socialchef"}  # sub-unit included, school not
    assert set(Assignment.objects.values_list("due_on", flat=True)) == {
        TODAY + datetime.timedelta(days=30)
    }
    # Evaluating again changes nothing.
    again = services.evaluate_rules(today=TODAY)
    assert (again.created, again.ended) == (0, 0)
    assert Assignment.objects.count() == 2


def test_audience_and_subunits_narrow_the_scope(org, course, catalogue):
    from tests.factories import make_course

    make_person(org["home_care"], username="hemtjanst")
    make_person(org["social"], manager=True, username="socialchef")
    make_person(org["social"], username="handlaggare")
    rule(course, org["social"], audience=Audience.MANAGERS)
    staff_course = make_course(catalogue, modules=1, title="Medarbetarkurs")
    rule(staff_course, org["social"], audience=Audience.STAFF, include_subunits=False)

    services.evaluate_rules(today=TODAY)

    assert open_users(course) == {"socialchef"}
    assert open_users(staff_course) == {"handlaggare"}


def test_two_rules_for_one_course_give_one_assignment_with_the_earliest_due_date(org, course):
    make_person(org["home_care"], manager=True, username="chef")
    rule(course, org["root"], due_days=365)
    rule(course, org["social"], audience=Audience.MANAGERS, due_days=60)

    services.evaluate_rules(today=TODAY)

    assignment = Assignment.objects.get()
    assert assignment.due_on == TODAY + datetime.timedelta(days=60)


def test_new_hires_are_assigned_from_their_start_date_and_keep_it(org, course):
    make_person(org["social"], start=TODAY - datetime.timedelta(days=10), username="ny")
    make_person(org["social"], start=datetime.date(2010, 1, 1), username="gammal")
    make_person(org["social"], start=TODAY + datetime.timedelta(days=20), username="kommande")
    rule(course, org["root"], hired_within_days=30, due_days=60)

    services.evaluate_rules(today=TODAY)

    assert open_users(course) == {"ny", "kommande"}
    due = dict(Assignment.objects.values_list("user__username", "due_on"))
    assert due["ny"] == TODAY - datetime.timedelta(days=10) + datetime.timedelta(days=60)
    assert due["kommande"] == TODAY + datetime.timedelta(days=80)
    # A year later they are no longer new, but their assignment stays.
    later = services.evaluate_rules(today=TODAY + datetime.timedelta(days=365))
    assert later.ended == 0 and open_users(course) == {"ny", "kommande"}


def test_moving_out_of_scope_and_leaving_end_assignments_but_keep_them(org, course):
    mover = make_person(org["social"], username="flyttar")
    leaver = make_person(org["social"], username="slutar")
    make_person(org["social"], username="stannar")
    rule(course, org["social"])
    services.evaluate_rules(today=TODAY)

    mover.unit = org["school"]
    mover.save()
    leaver.end_date = TODAY
    leaver.save()
    result = services.evaluate_rules(today=TODAY)

    assert result.ended == 2 and open_users(course) == {"stannar"}
    reasons = dict(
        Assignment.objects.filter(ended_at__isnull=False).values_list(
            "user__username", "end_reason"
        )
    )
    assert reasons == {"flyttar": EndReason.OUT_OF_SCOPE, "slutar": EndReason.LEFT}
    assert Assignment.objects.count() == 3  # history is never deleted

    # Moving back opens a new assignment next to the ended one.
    mover.unit = org["home_care"]
    mover.save()
    services.evaluate_rules(today=TODAY)
    assert Assignment.objects.filter(user=mover.user).count() == 2
    assert open_users(course) == {"stannar", "flyttar"}


def test_an_inactive_or_deleted_rule_ends_its_assignments(org, course):
    make_person(org["social"], username="a")
    first = rule(course, org["social"])
    services.evaluate_rules(today=TODAY)
    first.active = False
    first.save()
    assert services.evaluate_rules(today=TODAY).ended == 1
    first.active = True
    first.save()
    services.evaluate_rules(today=TODAY)
    first.delete()
    assert services.evaluate_rules(today=TODAY).ended == 1
    assert open_users(course) == set()
    assert Assignment.objects.filter(rule__isnull=True).count() == 2  # history kept


def _state(user, course, today=TODAY) -> str:
    return selectors.state_of(user=user, course_id=course.pk, today=today)


def test_states_are_derived_from_progress_completions_and_dates(org, course):
    person = make_person(org["social"], username="lar")
    rule(course, org["social"], due_days=30)
    services.evaluate_rules(today=TODAY)
    user = person.user
    assert _state(user, course) == selectors.NOT_STARTED

    round_ = CourseProgress.objects.create(
        user=user, course_id=course.pk, started_at="2026-11-26T08:00Z"
    )
    assert _state(user, course) == selectors.IN_PROGRESS
    assert _state(user, course, TODAY + datetime.timedelta(days=31)) == selectors.OVERDUE

    round_.completed_at = "2026-11-27T08:00Z"
    round_.save()
    completion = Completion.objects.create(
        user=user,
        course_id=course.pk,
        course_progress=round_,
        completed_at=round_.completed_at,
        valid_until=datetime.date(2028, 11, 27),
    )
    assert _state(user, course, TODAY + datetime.timedelta(days=31)) == selectors.COMPLETED
    # Past its validity the completion no longer counts: the course must be renewed.
    assert _state(user, course, datetime.date(2028, 11, 28)) == selectors.EXPIRED
    completion.valid_until = None
    completion.save()
    assert _state(user, course, datetime.date(2040, 1, 1)) == selectors.COMPLETED

    assignment = Assignment.objects.get(user=user)
    services.exempt(assignment=assignment, by=None, reason="Utbildad hos tidigare arbetsgivare")
    assert _state(user, course) == selectors.EXEMPTED
    services.withdraw_exemption(assignment=assignment)
    assert _state(user, course) == selectors.COMPLETED


def test_an_exemption_needs_a_reason_and_changes_nothing_without_one(org, course):
    make_person(org["social"])
    rule(course, org["social"])
    services.evaluate_rules(today=TODAY)
    assignment = Assignment.objects.get()
    with pytest.raises(ValueError):
        services.exempt(assignment=assignment, by=None, reason="   ")
    assignment.refresh_from_db()
    assert assignment.exempted_at is None


def test_evaluation_queries_do_not_grow_with_the_number_of_people(org, course):
    rule(course, org["root"])
    for _ in range(3):
        make_person(org["home_care"])

    def evaluate_from_scratch() -> None:
        Assignment.objects.all().delete()
        assert services.evaluate_rules(today=TODAY).created == Person.objects.count()

    def grow() -> None:
        for _ in range(30):
            make_person(org["social"])

    assert_queries_independent_of_size(evaluate_from_scratch, grow, label="evaluate_rules")


def test_a_new_hire_rule_does_not_keep_what_a_removed_rule_assigned(org, course):
    make_person(org["social"], start=datetime.date(2010, 1, 1), username="gammal")
    make_person(org["social"], start=TODAY - datetime.timedelta(days=5), username="ny")
    everyone = rule(course, org["social"], name="Alla")
    rule(course, org["social"], name="Nyanställda", hired_within_days=30)
    services.evaluate_rules(today=TODAY)
    assert open_users(course) == {"gammal", "ny"}

    everyone.active = False
    everyone.save()
    result = services.evaluate_rules(today=TODAY)

    assert result.ended == 1 and open_users(course) == {"ny"}
