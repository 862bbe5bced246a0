"""When will each unit reach its coverage goal, at the pace of the recent weeks? (issue 11)

**Pace** is completions per week over the last `WINDOW_WEEKS` (8) full ISO weeks before the
current one, *without the busiest week*: the mean of the other seven. Eight weeks is two months
of ordinary work, long enough to span holidays and a reminder cycle, short enough to follow a
campaign; leaving out the busiest week keeps a one-off APT meeting, where a whole team completes
at once, from being extrapolated into a pace the unit does not keep. Full weeks keep the
forecast the same all week (HR's alert is weekly). A completion counts in the week of its
`completed_at` when its person still has an open, non-exempted assignment of the course.

**Forecast**: `needed` = the completions missing to reach the goal's target today (the target
share of today's assigned, rounded up); the unit reaches it after `needed / pace` weeks, on the
day that falls (rounded up). A unit already at or above the target says so; a unit with no pace
gets no date ("reaches the goal only if the pace picks up"). New assignments are not forecast.

Constant number of queries whatever the number of units or goals: the units in scope, today's
figures per unit and course, and the completions per unit, course and week.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assignments.models import Assignment
from people.models import OrgUnit
from progress.models import Completion

from . import selectors
from .models import CoverageGoal

WINDOW_WEEKS = 8

REACHED = "reached"
ON_TRACK = "on_track"
LATE = "late"
NO_PACE = "no_pace"
NOBODY = "nobody"

STATUS_LABELS = {
    REACHED: _("already at or above the target"),
    ON_TRACK: _("reaches the goal in time"),
    LATE: _("reaches the goal too late"),
    NO_PACE: _("reaches the goal only if the pace picks up"),
    NOBODY: _("nobody assigned"),
}


@dataclass
class UnitForecast:
    unit: OrgUnit
    goal: CoverageGoal
    assigned: int
    completed: int
    pace: float  # completions per week
    needed: int
    reaches_on: datetime.date | None
    status: str

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def coverage(self) -> int | None:
        return math.floor(100 * self.completed / self.assigned) if self.assigned else None

    @property
    def days_late(self) -> int | None:
        if self.reaches_on is None:
            return None
        return max(0, (self.reaches_on - self.goal.deadline).days)

    @property
    def misses(self) -> bool:
        return self.status in (LATE, NO_PACE)


@dataclass
class GoalForecast:
    goal: CoverageGoal
    overall: list[UnitForecast]  # the goal's unit, or the visible tops for an organisation goal
    units: list[UnitForecast] = field(default_factory=list)  # every unit in scope, tree order

    @property
    def missing(self) -> list[UnitForecast]:
        """The units that will miss, the furthest first: no pace, then the latest date."""
        late = [f for f in self.units if f.misses]
        return sorted(
            late,
            key=lambda f: (f.reaches_on is not None, -(f.days_late or 0), f.unit.path),
        )


def window(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first day (a Monday) and the day after the last of the full weeks counted."""
    this_monday = today - datetime.timedelta(days=today.weekday())
    return this_monday - datetime.timedelta(weeks=WINDOW_WEEKS), this_monday


def pace_of(weekly: list[int]) -> float:
    """Completions per week: the mean without the busiest week (see the module docstring)."""
    if len(weekly) <= 1:
        return float(sum(weekly))
    return (sum(weekly) - max(weekly)) / (len(weekly) - 1)


def forecast_one(
    unit: OrgUnit,
    goal: CoverageGoal,
    assigned: int,
    completed: int,
    weekly: list[int],
    today: datetime.date,
) -> UnitForecast:
    pace = pace_of(weekly)
    needed = max(0, math.ceil(goal.target_percent * assigned / 100) - completed)
    if not assigned:
        status, reaches_on = NOBODY, None
    elif needed == 0:
        status, reaches_on = REACHED, None
    elif pace <= 0:
        status, reaches_on = NO_PACE, None
    else:
        reaches_on = today + datetime.timedelta(days=math.ceil(7 * needed / pace))
        status = ON_TRACK if reaches_on <= goal.deadline else LATE
    return UnitForecast(unit, goal, assigned, completed, pace, needed, reaches_on, status)


def _in(paths: list[str], prefix: str) -> Q:
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{f"{prefix}__startswith": path})
    return condition


def forecast_goals(
    goals: list[CoverageGoal],
    *,
    roots: list[OrgUnit],
    today: datetime.date | None = None,
) -> list[GoalForecast]:
    """A forecast for each goal, for every unit of the goal's scope that lies in `roots` (the
    viewer's scope). Three queries whatever the number of units and goals."""
    today = today or timezone.localdate()
    if not goals or not roots:
        return [GoalForecast(goal, []) for goal in goals]
    root_paths = [r.path for r in roots]
    units = list(OrgUnit.objects.filter(_in(root_paths, "path")).order_by("path"))
    first, end = window(today)
    # Today's assigned and completed per (unit, course), people attached to that unit: the
    # dashboard's own aggregate, so the forecast starts from the figures on the page.
    counts: dict[tuple[str, int], tuple[int, int]] = {
        (path, cid): (figures.assigned, figures.completed)
        for (path, cid), figures in selectors._state_counts(
            selectors._scoped(roots, None),
            today,
            {"k": F(selectors.UNIT_PATH), "cid": F("course_id")},
        )
    }
    done = (
        Completion.objects.filter(
            _in(root_paths, "user__person__unit__path"),
            completed_at__date__gte=first,
            completed_at__date__lt=end,
        )
        .filter(
            Exists(
                Assignment.objects.filter(
                    user_id=OuterRef("user_id"),
                    course_id=OuterRef("course_id"),
                    ended_at__isnull=True,
                    exempted_at__isnull=True,
                )
            )
        )
        .annotate(day=TruncDate("completed_at"))
        .values(path=F("user__person__unit__path"), cid=F("course_id"), d=F("day"))
        .annotate(n=Count("user_id", distinct=True))
        .order_by()
    )
    weekly: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0] * WINDOW_WEEKS)
    for row in done:
        day = row["d"]
        if isinstance(day, datetime.datetime):
            day = day.date()
        elif isinstance(day, str):
            day = datetime.date.fromisoformat(day[:10])
        weekly[(row["path"], row["cid"])][(day - first).days // 7] += row["n"]
    # Roll up to every ancestor in scope: (unit path, course) -> figures of its subtree.
    steplen = OrgUnit.steplen
    in_scope = {u.path for u in units}
    rolled: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    for (path, cid), (a, c) in counts.items():
        for cut in range(steplen, len(path) + 1, steplen):
            if path[:cut] in in_scope:
                figures = rolled[(path[:cut], cid)]
                figures[0] += a
                figures[1] += c
    rolled_weeks: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0] * WINDOW_WEEKS)
    for (path, cid), values in weekly.items():
        for cut in range(steplen, len(path) + 1, steplen):
            if path[:cut] in in_scope:
                target = rolled_weeks[(path[:cut], cid)]
                for i, value in enumerate(values):
                    target[i] += value
    courses_of: dict[str, set[int]] = defaultdict(set)
    for path, cid in rolled:
        courses_of[path].add(cid)
    result = []
    for goal in goals:
        in_goal = [u for u in units if goal.unit is None or u.path.startswith(goal.unit.path)]
        paths = {u.path for u in in_goal}
        tops = [u for u in in_goal if u.path[:-steplen] not in paths]
        forecasts = []
        for unit in in_goal:
            cids = courses_of[unit.path] if goal.course_id is None else {goal.course_id}
            assigned = sum(rolled[(unit.path, c)][0] for c in cids if (unit.path, c) in rolled)
            completed = sum(rolled[(unit.path, c)][1] for c in cids if (unit.path, c) in rolled)
            weeks = [0] * WINDOW_WEEKS
            for c in cids:
                for i, value in enumerate(rolled_weeks.get((unit.path, c), ())):
                    weeks[i] += value
            forecasts.append(forecast_one(unit, goal, assigned, completed, weeks, today))
        top_paths = {u.path for u in tops}
        result.append(
            GoalForecast(
                goal, overall=[f for f in forecasts if f.unit.path in top_paths], units=forecasts
            )
        )
    return result
