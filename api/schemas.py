"""Response shapes of API v1. Field names are stable; new fields may be added, none renamed."""

from __future__ import annotations

import datetime
from enum import Enum

from ninja import Schema

from assignments.selectors import STATES

AssignmentState = Enum("AssignmentState", {state.upper(): state for state in STATES}, type=str)


class Page(Schema):
    next_cursor: str | None
    limit: int


class PersonOut(Schema):
    id: int
    employee_number: str
    unit_id: int | None
    unit_code: str | None
    role: str  # "manager" or "staff"
    active: bool
    start_date: datetime.date | None
    end_date: datetime.date | None
    updated_at: datetime.datetime


class PeoplePage(Page):
    items: list[PersonOut]


class UnitOut(Schema):
    id: int
    code: str
    name: str
    parent_id: int | None
    depth: int
    active: bool


class UnitsPage(Page):
    items: list[UnitOut]


class ModuleOut(Schema):
    id: int
    title: str
    slug: str
    url: str
    position: int
    required: bool
    estimated_minutes: int


class CourseOut(Schema):
    id: int
    title: str
    slug: str
    url: str
    validity_months: int | None
    estimated_minutes: int
    modules: list[ModuleOut]


class CoursesOut(Schema):
    items: list[CourseOut]


class AssignmentOut(Schema):
    id: int
    person_id: int | None
    employee_number: str | None
    course_id: int
    assigned_at: datetime.datetime
    due_on: datetime.date
    ended_at: datetime.datetime | None
    end_reason: str
    exempted_at: datetime.datetime | None
    state: AssignmentState


class AssignmentsPage(Page):
    items: list[AssignmentOut]


class CompletionOut(Schema):
    id: int
    person_id: int | None
    employee_number: str | None
    course_id: int
    completed_at: datetime.datetime
    valid_until: datetime.date | None
    valid: bool


class CompletionsPage(Page):
    items: list[CompletionOut]


class FiguresOut(Schema):
    people: int
    assigned: int
    completed: int
    in_progress: int
    not_started: int
    overdue: int
    expired: int
    exempted: int
    coverage_percent: int | None


class GroupOut(Schema):
    key: str
    suppressed: bool
    figures: FiguresOut | None


class GoalOut(Schema):
    id: int
    name: str
    target_percent: int
    deadline: datetime.date
    unit_id: int | None
    course_id: int | None
    reached: bool | None


class UnitRef(Schema):
    id: int
    code: str
    name: str


class ChildCoverageOut(Schema):
    unit: UnitRef
    figures: FiguresOut
    goal: GoalOut | None


class UnitCoverageOut(Schema):
    unit: UnitRef
    total: FiguresOut
    direct: FiguresOut
    goal: GoalOut | None
    children: list[ChildCoverageOut]
    by_role: list[GroupOut]
    # No by_sex: combined with the per-person assignments it could reveal a person's sex.


class CoverageOut(Schema):
    date: datetime.date
    course_id: int | None
    small_group: int
    items: list[UnitCoverageOut]


class QuizStatOut(Schema):
    course_id: int
    quiz_id: int
    quiz_title: str
    suppressed: bool
    learners: int | None
    passed: int | None
    attempts: int | None
    pass_rate_percent: int | None


class QuizStatsOut(Schema):
    small_group: int
    items: list[QuizStatOut]
