"""Coverage figures on a hand-counted tree (see conftest.py), suppression, goals and trend."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from reports import selectors
from reports.models import CoverageGoal
from reports.selectors import Figures, suppress
from tests.helpers import assert_queries_independent_of_size
from tests.reports.conftest import add_person, assign, complete

pytestmark = pytest.mark.django_db


def numbers(f: Figures) -> tuple:
    return (f.people, f.assigned, f.completed, f.in_progress, f.not_started, f.overdue,
            f.expired, f.exempted, f.coverage)  # fmt: skip


def test_rolled_up_figures_per_unit_for_one_course(tree):
    (root,) = selectors.coverage_by_unit(parents=[tree.root], course_id=tree.x.pk)
    #                        people assigned done prog not over exp exe cov
    assert numbers(root.total) == (16, 16, 9, 1, 3, 2, 1, 1, 56)
    assert numbers(root.direct) == (0, 0, 0, 0, 0, 0, 0, 0, None)
    rows = {row.unit.code: row.figures for row in root.children}
    assert list(rows) == ["A", "B"]  # children only, in tree order
    assert numbers(rows["A"]) == (13, 13, 7, 1, 2, 2, 1, 1, 53)
    assert numbers(rows["B"]) == (3, 3, 2, 0, 1, 0, 0, 0, 66)

    (a,) = selectors.coverage_by_unit(parents=[tree.a], course_id=tree.x.pk)
    assert numbers(a.total) == numbers(rows["A"])
    children = {row.unit.code: row.figures for row in a.children}
    assert numbers(children["A1"]) == (9, 9, 5, 1, 2, 1, 0, 0, 55)
    assert numbers(children["A2"]) == (3, 3, 1, 0, 0, 1, 1, 1, 33)
    assert numbers(a.direct) == (1, 1, 1, 0, 0, 0, 0, 0, 100)  # mA, in A itself


def test_all_courses_count_assignments_but_people_once(tree):
    (a,) = selectors.coverage_by_unit(parents=[tree.a])
    a1 = next(row.figures for row in a.children if row.unit == tree.a1)
    # Course Y adds w1 (completed) and w4 (not started): same nine people.
    assert (a1.people, a1.assigned, a1.completed, a1.not_started) == (9, 11, 6, 3)


def test_a_unit_without_anyone_assigned_shows_no_percentage(tree):
    empty = tree.b.add_child(instance=type(tree.b)(code="B9", name="Tom enhet"))
    (b,) = selectors.coverage_by_unit(parents=[tree.b], course_id=tree.x.pk)
    row = next(r for r in b.children if r.unit == empty)
    assert row.figures.assigned == 0 and row.figures.coverage is None


def test_several_scope_roots_in_one_query(tree, django_assert_num_queries):
    selectors.hidden_breakdowns([tree.a, tree.b])  # the protection, cached on PostgreSQL
    cached = selectors.protection_version() is not None
    # children, the change counter (or on SQLite the protection's two), the aggregate, the goals
    with django_assert_num_queries(4 if cached else 5):
        sections = selectors.coverage_by_unit(parents=[tree.a, tree.b], course_id=tree.x.pk)
    assert [s.unit.code for s in sections] == ["A", "B"]
    assert [s.total.assigned for s in sections] == [13, 3]
    assert [r.unit.code for r in sections[0].children] == ["A1", "A2"]
    assert sections[1].children == []


def test_every_unit_for_the_export_is_rolled_up(tree):
    rows = {r.unit.code: r.figures for r in selectors.coverage_of_every_unit(
        roots=[tree.root], course_id=tree.x.pk)}  # fmt: skip
    assert list(rows) == ["K", "A", "A1", "A2", "B"]
    assert [rows[c].completed for c in rows] == [9, 7, 5, 1, 2]
    assert [rows[c].assigned for c in rows] == [16, 13, 9, 3, 3]


# --- Small groups ------------------------------------------------------------------------------


def group(people: int) -> Figures:
    return Figures(people=people, assigned=people, completed=people // 2)


def shown(groups) -> dict:
    return {g.key: (None if g.suppressed else g.figures.people) for g in groups}


def test_a_group_of_four_is_hidden_with_the_next_smallest():
    result = suppress([("woman", "K", group(20)), ("man", "M", group(4)), ("other", "A", group(6))])
    # Hiding only "man" would leave it as total − woman − other = 4: "other" goes too.
    assert shown(result) == {"woman": 20, "man": None, "other": None}


def test_two_groups_both_hidden():
    result = suppress([("managers", "C", group(4)), ("staff", "M", group(30))])
    assert shown(result) == {"managers": None, "staff": None}


def test_small_groups_adding_up_to_five_stay_the_only_hidden_ones():
    result = suppress([("woman", "K", group(30)), ("man", "M", group(3)), ("other", "A", group(2))])
    assert shown(result) == {"woman": 30, "man": None, "other": None}


def test_small_hidden_groups_adding_up_to_under_five_hide_another():
    result = suppress([("woman", "K", group(30)), ("man", "M", group(8)), ("other", "A", group(3)),
                       ("x", "X", group(0))])  # fmt: skip
    assert shown(result) == {"woman": 30, "man": None, "other": None, "x": None}


def test_an_empty_group_alone_needs_no_company():
    result = suppress([("woman", "K", group(30)), ("man", "M", group(8)), ("other", "A", group(0))])
    assert shown(result) == {"woman": 30, "man": 8, "other": None}


def test_nothing_hidden_when_every_group_is_big_enough():
    assert shown(suppress([("a", "A", group(5)), ("b", "B", group(5))])) == {"a": 5, "b": 5}


def test_breakdowns_of_a_unit_hide_small_groups_and_what_would_reveal_them(tree):
    (a,) = selectors.coverage_by_unit(parents=[tree.a], course_id=tree.x.pk)
    # Managers: m1 and mA (2) → the role breakdown is hidden whole.
    assert shown(a.by_role) == {"managers": None, "staff": None} and a.by_role.hidden
    # Other: o1 (1) → the sex breakdown is hidden whole (issue 11: shown whole or not at all).
    assert shown(a.by_sex) == {"woman": None, "man": None, "other": None} and a.by_sex.hidden
    # And so is every breakdown below it (top down): A1 has 4 men.
    (a1,) = selectors.coverage_by_unit(parents=[tree.a1], course_id=tree.x.pk)
    assert a1.by_sex.hidden and a1.by_role.hidden


# --- Goals ---------------------------------------------------------------------------------


def test_goal_per_unit_reached_or_not(tree):
    deadline = datetime.date(2030, 12, 31)
    CoverageGoal.objects.create(name="Alla", target_percent=50, deadline=deadline, course=tree.x)
    CoverageGoal.objects.create(
        name="A strängare", target_percent=60, deadline=deadline, course=tree.x, unit=tree.a
    )
    CoverageGoal.objects.create(name="Andra kurser", target_percent=10, deadline=deadline)
    (root,) = selectors.coverage_by_unit(parents=[tree.root], course_id=tree.x.pk)
    status = {row.unit.code: (row.goal.goal.name, row.goal.reached) for row in root.children}
    assert status == {"A": ("A strängare", False), "B": ("Alla", True)}  # 53 % < 60, 66 % ≥ 50
    assert (root.goal.goal.name, root.goal.reached) == ("Alla", True)  # 56 % ≥ 50
    (a,) = selectors.coverage_by_unit(parents=[tree.a], course_id=tree.x.pk)
    status = {row.unit.code: row.goal.reached for row in a.children}
    assert status == {"A1": False, "A2": False}  # the nearest goal (A's 60 %) applies below A
    # Exactly at the target counts as reached: 9 of 16 is 56.25 %.
    assert Figures(assigned=16, completed=9).reaches(56) is True
    assert Figures(assigned=16, completed=9).reaches(57) is False


# --- Trend ---------------------------------------------------------------------------------


def test_trend_at_month_ends(catalogue, tree):
    tz = timezone.get_current_timezone()

    def at(y, m, d, h=12):
        return datetime.datetime(y, m, d, h, tzinfo=tz)

    x = tree.x
    unit = tree.b.add_child(instance=type(tree.b)(code="T", name="Trendenheten"))
    p1, p2, p3, p4 = (add_person(unit) for _ in range(4))
    # p1: assigned in January, completed 5 March.
    assign(p1, x, "not_started", assigned_at=at(2026, 1, 10))
    complete(p1, x, at=at(2026, 3, 5))
    # p2: assigned 1 Feb, exempted 10 April.
    a2 = assign(p2, x, "not_started", assigned_at=at(2026, 2, 1))
    a2.exempted_at = at(2026, 4, 10)
    a2.save()
    # p3: assigned December, ended 15 February (moved out of scope).
    a3 = assign(p3, x, "not_started", assigned_at=at(2025, 12, 1))
    a3.ended_at = at(2026, 2, 15)
    a3.save()
    # p4: assigned 1 January, completed 20 January, valid until 30 April.
    assign(p4, x, "not_started", assigned_at=at(2026, 1, 1))
    complete(p4, x, at=at(2026, 1, 20), valid_until=datetime.date(2026, 4, 30))
    # Completed the last second of March, local time: counts for March.
    p5 = add_person(unit)
    assign(p5, x, "not_started", assigned_at=at(2026, 3, 1))
    complete(p5, x, at=datetime.datetime(2026, 3, 31, 23, 59, 59, tzinfo=tz))

    today = datetime.date(2026, 6, 15)
    points = selectors.coverage_trend(roots=[unit], course_id=x.pk, today=today)
    # Eleven full months and the current month so far (issue 11: it agrees with the headline).
    assert points[0].month_end == datetime.date(2025, 7, 31)
    assert points[-1].month_end == today
    figures = {p.month_end: (p.assigned, p.completed) for p in points}
    assert len(points) == 12
    assert figures[datetime.date(2025, 11, 30)] == (0, 0)
    assert figures[today] == (3, 2)
    assert figures[datetime.date(2025, 12, 31)] == (1, 0)  # p3
    assert figures[datetime.date(2026, 1, 31)] == (3, 1)  # p3, p1, p4 (done)
    assert figures[datetime.date(2026, 2, 28)] == (3, 1)  # p3 ended; p2 in
    assert figures[datetime.date(2026, 3, 31)] == (4, 3)  # p1, p2, p4, p5; p1, p4, p5 done
    assert figures[datetime.date(2026, 4, 30)] == (3, 3)  # p2 exempted; p4 valid that day
    assert figures[datetime.date(2026, 5, 31)] == (3, 2)  # p4 expired
    assert points[-1].coverage == 66


# --- Manager's selectors --------------------------------------------------------------------


def test_coverage_by_course_for_a_manager(tree):
    (a1,) = selectors.coverage_by_course(roots=[tree.a1])
    courses = {row.title: (row.figures.assigned, row.figures.completed) for row in a1.courses}
    assert courses == {"Kurs X": (9, 5), "Kurs Y": (2, 1)}


def test_assignments_overdue_first(tree):
    rows = selectors.label_states(selectors.assignments_in_units(roots=[tree.a2]))
    assert [r.state for r in rows] == ["overdue", "expired", "completed", "exempted"]
    assert [r.user.username for r in rows] == ["o1", "m2", "w6", "w7"]


def test_managed_and_scope_roots(tree):
    boss = tree.people["mA"]
    tree.a.managers.add(boss)
    tree.a1.managers.add(boss)  # below A: A covers it
    assert selectors.managed_roots(boss) == [tree.a]
    assert selectors.manages_a_unit(boss)
    assert not selectors.manages_a_unit(tree.people["w1"])


# --- Queries do not grow with the tree -------------------------------------------------------


def test_selectors_queries_are_independent_of_the_number_of_units(tree):
    def measure():
        selectors.coverage_by_unit(parents=[tree.root])
        selectors.coverage_of_every_unit(roots=[tree.root])
        selectors.coverage_trend(roots=[tree.root])
        list(selectors.overdue_assignments(roots=[tree.root]))
        selectors.coverage_by_course(roots=[tree.a])
        list(selectors.assignments_in_units(roots=[tree.a]))

    def grow():
        for n in range(6):
            unit = tree.a.add_child(instance=type(tree.a)(code=f"G{n}", name=f"Ny enhet {n}"))
            sub = unit.add_child(instance=type(tree.a)(code=f"G{n}s", name=f"Underenhet {n}"))
            for target in (unit, sub):
                for state in ("overdue", "completed", "in_progress"):
                    assign(add_person(target), tree.x, state)
            CoverageGoal.objects.create(
                name=f"Mål {n}", target_percent=80, deadline=datetime.date(2030, 1, 1), unit=unit
            )
        # The writes changed the protection's input: compute it again (a constant two queries,
        # counted on SQLite where it is never cached), so both runs read it from the cache.
        selectors.hidden_breakdowns([tree.root])

    assert_queries_independent_of_size(measure, grow, label="coverage selectors")
