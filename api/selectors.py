"""What a token may read, as querysets over the token's part of the organisation.

Each list is read in pages by keyset (`id > after ORDER BY id LIMIT n+1`): one query per page
whatever the page's position, and stable while rows are added. Scope is a subtree condition on
the unit's materialised path, as for HR scopes.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Length, Substr
from django.utils import timezone
from wagtail.models import Page

from assignments.models import Assignment
from assignments.selectors import open_assignments, with_state
from courses.models import CoursePage
from modules.models import ModulePage
from people.models import OrgUnit, Person
from progress.models import Completion
from quizzes.models import Quiz, QuizAttempt
from reports import selectors as report_selectors

from .models import IntegrationToken


@dataclass(frozen=True)
class TokenScope:
    """The token's part of the organisation: its topmost units, or everything (roots None)."""

    roots: list[OrgUnit] | None

    @property
    def whole(self) -> bool:
        return self.roots is None

    def condition(self, path_field: str) -> Q:
        if self.roots is None:
            return Q()
        condition = Q(pk__in=[])
        for root in self.roots:
            condition |= Q(**{f"{path_field}__startswith": root.path})
        return condition

    def top_units(self) -> list[OrgUnit]:
        if self.roots is None:
            return list(OrgUnit.get_root_nodes())
        return self.roots


def token_scope(token: IntegrationToken) -> TokenScope:
    if token.whole_organisation:
        return TokenScope(None)
    # The scope authorises the request: read it from the primary, like the token.
    units = sorted(token.units.all().using("default"), key=lambda u: u.path)
    roots: list[OrgUnit] = []
    for unit in units:
        if not roots or not unit.path.startswith(roots[-1].path):
            roots.append(unit)
    return TokenScope(roots)


def units(scope: TokenScope) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(scope.condition("path"))


def unit_in_scope(scope: TokenScope, unit_id: int) -> OrgUnit | None:
    return units(scope).filter(pk=unit_id).first()


def parent_ids(rows: list[OrgUnit]) -> dict[str, int]:
    """Parent ids for a page of units, in one query (paths of the parents → ids)."""
    paths = {u.path[: -OrgUnit.steplen] for u in rows if u.depth > 1}
    return dict(OrgUnit.objects.filter(path__in=paths).values_list("path", "pk")) if paths else {}


def _unit_filter(unit: OrgUnit | None, include_subunits: bool, unit_field: str) -> Q:
    if unit is None:
        return Q()
    if include_subunits:
        return Q(**{f"{unit_field}__path__startswith": unit.path})
    return Q(**{f"{unit_field}_id": unit.pk})


def people(
    scope: TokenScope,
    *,
    unit: OrgUnit | None = None,
    include_subunits: bool = False,
    changed_since: datetime.datetime | None = None,
) -> QuerySet[Person]:
    rows = Person.objects.filter(
        scope.condition("unit__path"), _unit_filter(unit, include_subunits, "unit")
    )
    if changed_since is not None:
        rows = rows.filter(updated_at__gte=changed_since)
    return rows.select_related("unit").order_by("pk")


def assignments(
    scope: TokenScope,
    *,
    unit: OrgUnit | None = None,
    include_subunits: bool = False,
    course_id: int | None = None,
    state: str | None = None,
    include_ended: bool = False,
    changed_since: datetime.datetime | None = None,
    today: datetime.date | None = None,
) -> QuerySet[Assignment]:
    """Assignments with `state` from the one place that derives it."""
    rows = Assignment.objects.all() if include_ended else open_assignments()
    rows = rows.filter(
        scope.condition("user__person__unit__path"),
        _unit_filter(unit, include_subunits, "user__person__unit"),
        user__person__isnull=False,  # employees only (see completions)
    )
    if course_id is not None:
        rows = rows.filter(course_id=course_id)
    if changed_since is not None:
        # Assignments carry no change time: the best available is any of their own timestamps,
        # or a completion of the course by the person since (it turns the state "completed").
        # A state that changes only with time (overdue, expired) or with a module started has
        # no change time at all: the HR system's nightly full sync picks those up.
        completed_since = Completion.objects.filter(
            user_id=OuterRef("user_id"),
            course_id=OuterRef("course_id"),
            completed_at__gte=changed_since,
        )
        rows = rows.filter(
            Q(assigned_at__gte=changed_since)
            | Q(ended_at__gte=changed_since)
            | Q(exempted_at__gte=changed_since)
            | Exists(completed_since)
        )
    rows = with_state(rows, today or timezone.localdate())
    if state is not None:
        rows = rows.filter(state=state)
    return rows.annotate(
        person_id=F("user__person__id"), employee_number=F("user__person__employee_number")
    ).order_by("pk")


def completions(
    scope: TokenScope,
    *,
    unit: OrgUnit | None = None,
    include_subunits: bool = False,
    course_id: int | None = None,
    changed_since: datetime.datetime | None = None,
) -> QuerySet[Completion]:
    rows = Completion.objects.filter(
        scope.condition("user__person__unit__path"),
        _unit_filter(unit, include_subunits, "user__person__unit"),
        # Employees only: external organisations' members (users without a Person) never
        # reach the HR system, also not through a whole-organisation token.
        user__person__isnull=False,
    )
    if course_id is not None:
        rows = rows.filter(course_id=course_id)
    if changed_since is not None:
        # Completions are written once and never changed.
        rows = rows.filter(completed_at__gte=changed_since)
    return rows.annotate(
        person_id=F("user__person__id"), employee_number=F("user__person__employee_number")
    ).order_by("pk")


def keyset_page(queryset: QuerySet, *, after: int | None, limit: int) -> tuple[list, int | None]:
    """One page and the id to continue after (None on the last page). One query."""
    if after is not None:
        queryset = queryset.filter(pk__gt=after)
    rows = list(queryset[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].pk if more else None)


# --- Courses ---------------------------------------------------------------------------------


def courses() -> QuerySet[CoursePage]:
    return CoursePage.objects.live().order_by("path")


def modules_by_course(course_list: list[CoursePage]) -> dict[int, list[ModulePage]]:
    """Live modules of these courses in course order, in one query."""
    if not course_list:
        return {}
    by_path = {c.path: c.pk for c in course_list}
    condition = Q(pk__in=[])
    for course in course_list:
        condition |= Q(path__startswith=course.path, depth=course.depth + 1)
    result: dict[int, list[ModulePage]] = {c.pk: [] for c in course_list}
    for module in ModulePage.objects.live().filter(condition).order_by("path"):
        result[by_path[module.path[: -Page.steplen]]].append(module)
    return result


# --- Figures ---------------------------------------------------------------------------------


def coverage(
    scope: TokenScope, *, unit: OrgUnit | None, course_id: int | None
) -> list[report_selectors.UnitCoverage]:
    """The dashboards' own figures, through the dashboards' own selector (and its small-group
    suppression): `reports.selectors.coverage_by_unit`."""
    parents = [unit] if unit is not None else scope.top_units()
    return report_selectors.coverage_by_unit(
        parents=parents, course_id=course_id, goals=report_selectors.goals_for(course_id)
    )


@dataclass
class QuizFigures:
    course: CoursePage
    quiz: Quiz
    learners: int | None  # None: fewer than SMALL_GROUP learners, suppressed
    passed: int | None
    attempts: int | None

    @property
    def suppressed(self) -> bool:
        return self.learners is None

    @property
    def pass_rate(self) -> int | None:
        if not self.learners:
            return None
        return int(100 * (self.passed or 0) // self.learners)


def quiz_stats(scope: TokenScope, *, course_id: int | None = None) -> list[QuizFigures]:
    """Per course and quiz: learners in scope who submitted, how many passed, attempts.

    Attempts count for the course whose module they were taken in. A figure for fewer than
    the dashboards' SMALL_GROUP learners is suppressed (a pass rate of 1 of 2 learners tells
    who failed). Three queries: the aggregate, the courses, the quizzes.
    """
    attempts = QuizAttempt.objects.filter(
        scope.condition("user__person__unit__path"),
        user__person__isnull=False,  # employees only (see completions)
        submitted_at__isnull=False,
        module__isnull=False,
    )
    attempts = attempts.annotate(
        course_path=Substr("module__path", 1, Length("module__path") - Page.steplen)
    )
    rows = list(
        attempts.order_by()
        .values("course_path", "quiz_id")
        .annotate(
            learners=Count("user", distinct=True),
            passed=Count("user", distinct=True, filter=Q(passed=True)),
            attempts=Count("pk"),
        )
    )
    course_qs = courses()
    if course_id is not None:
        course_qs = course_qs.filter(pk=course_id)
    course_by_path = {
        c.path: c for c in course_qs.filter(path__in={r["course_path"] for r in rows})
    }
    quizzes = Quiz.objects.in_bulk({r["quiz_id"] for r in rows})
    result = []
    for row in rows:
        course = course_by_path.get(row["course_path"])
        if course is None:
            continue
        small = row["learners"] < report_selectors.SMALL_GROUP
        result.append(
            QuizFigures(
                course=course,
                quiz=quizzes[row["quiz_id"]],
                learners=None if small else row["learners"],
                passed=None if small else row["passed"],
                attempts=None if small else row["attempts"],
            )
        )
    result.sort(key=lambda f: (f.course.path, f.quiz.title, f.quiz.pk))
    return result
