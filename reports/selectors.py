"""Coverage for HR's dashboard and managers' page: read-only, set-based, scoped by the caller.

**Coverage** is completed / assigned, where *assigned* counts open assignments that are not
exempted (`Assignment.ended_at IS NULL AND state <> exempted`) and *completed* those whose
state is `completed`. States come from `assignments.selectors.with_state` and nowhere else.

**Roll-up.** A unit's figures include everyone in the units below it. Each figure comes from
ONE aggregate query whatever the number of units: assignments are joined to the person's unit
and grouped by a prefix of the unit's materialised path (`substr(path, 1, depth * steplen)`,
treebeard's path of the ancestor at that depth), so every child unit of the unit shown becomes
one group holding its whole subtree. The state is computed once per assignment in an inner
query (fenced with `OFFSET 0` on PostgreSQL, so the planner does not copy the state's CASE into
every counter), and the outer query counts per group. Adding the groups up to their ancestors
happens in Python on a few hundred rows at most.

**Small groups.** Breakdowns by role (managers / staff) and by sex count distinct people with
an assignment that counts. Which breakdowns are shown is decided in `reports.protection`, over
every figure a user can reach (units × course filters × role and sex) and the whole
organisation: a breakdown is shown whole or not at all, only with every group of at least
`SMALL_GROUP` people, only under a shown breakdown, and only when no hidden group can be
narrowed down by subtracting other figures (see that module). `coverage_by_unit` applies it,
for the pages and for anyone else who calls it (the API). Unit totals are not suppressed: HR
and managers may see the people and their states by name anyway. Sex breakdowns are HR's only
(managers do not see a person's sex).

**Trend.** Coverage at the end of each of the last eleven full months and today (the current
month so far), reconstructed from
timestamps, with these approximations: a person counts in the unit they are in today (units
have no history); an assignment counts from `assigned_at` until `ended_at`; an exemption from
`exempted_at` (withdrawn exemptions leave no trace and count as never made); a person counts as
completed from their first `Completion.completed_at` of the course until the latest
`valid_until` (a gap between an expiry and a renewal counts as covered; no `valid_until` means
valid for ever). The month's last day counts as "valid on that day", as `with_state` does.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, fields

from django.core.cache import cache
from django.db import connection, connections
from django.db.models import (
    Case,
    CharField,
    Count,
    Expression,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from assignments import selectors as assignment_selectors
from assignments.models import Assignment
from assignments.selectors import (
    COMPLETED,
    EXEMPTED,
    EXPIRED,
    IN_PROGRESS,
    NOT_STARTED,
    OVERDUE,
    STATE_LABELS,
    with_state,
)
from courses.models import CoursePage
from people.models import HRScope, OrgUnit, Sex
from people.selectors import is_hr, visible_units
from progress.models import Completion

from . import protection
from .models import CoverageGoal, ProtectionChange

SMALL_GROUP = protection.SMALL_GROUP
STEPLEN = OrgUnit.steplen
UNIT_PATH = "user__person__unit__path"
# Counted per group; the SQL below names them after the states.
STATE_COUNTERS = (COMPLETED, IN_PROGRESS, NOT_STARTED, OVERDUE, EXPIRED, EXEMPTED)
# The manager's list: what needs doing first.
STATE_ORDER = (OVERDUE, EXPIRED, NOT_STARTED, IN_PROGRESS, COMPLETED, EXEMPTED)
FOR_EVER = datetime.date(9999, 12, 31)

ROLE_GROUPS = ((True, "managers", _("Managers")), (False, "staff", _("Staff")))
ROLE_KEYS = {flag: key for flag, key, _label in ROLE_GROUPS}
BREAKDOWN_GROUPS = {"role": [key for _f, key, _l in ROLE_GROUPS], "sex": list(Sex.values)}


# --- Figures ---------------------------------------------------------------------------------


@dataclass
class Figures:
    """Counts for one group of assignments. `assigned` excludes the exempted ones."""

    people: int = 0
    assigned: int = 0
    completed: int = 0
    in_progress: int = 0
    not_started: int = 0
    overdue: int = 0
    expired: int = 0
    exempted: int = 0

    def add(self, other: Figures) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    @property
    def coverage(self) -> int | None:
        """Whole percent, rounded down: 80 is shown only when a goal of 80 % is reached."""
        if not self.assigned:
            return None
        return math.floor(100 * self.completed / self.assigned)

    def reaches(self, target_percent: int) -> bool | None:
        if not self.assigned:
            return None
        return 100 * self.completed >= target_percent * self.assigned


@dataclass
class Group:
    key: str
    label: str
    figures: Figures | None  # None: suppressed (too few people)

    @property
    def suppressed(self) -> bool:
        return self.figures is None


class Breakdown(list):
    """The groups of a breakdown (a list of `Group`); `hidden` when every group is."""

    @property
    def hidden(self) -> bool:
        return bool(self) and all(group.suppressed for group in self)


@dataclass
class GoalStatus:
    goal: CoverageGoal
    reached: bool | None  # None: nobody assigned


@dataclass
class UnitRow:
    unit: OrgUnit
    figures: Figures
    goal: GoalStatus | None = None


@dataclass
class UnitCoverage:
    """A unit with its rolled-up total, its children and HR's breakdowns."""

    unit: OrgUnit
    total: Figures
    direct: Figures  # people attached to the unit itself, not to a sub-unit
    children: list[UnitRow]
    by_role: list[Group]
    by_sex: list[Group]
    goal: GoalStatus | None = None


@dataclass
class TrendPoint:
    month_end: datetime.date
    assigned: int
    completed: int

    @property
    def coverage(self) -> int | None:
        return math.floor(100 * self.completed / self.assigned) if self.assigned else None


@dataclass
class CourseRow:
    course_id: int
    title: str
    figures: Figures


@dataclass
class ManagedUnit:
    unit: OrgUnit
    total: Figures = field(default_factory=Figures)
    courses: list[CourseRow] = field(default_factory=list)


# --- Scope -------------------------------------------------------------------------------------


def may_view_dashboard(user) -> bool:
    return user.is_authenticated and user.is_active and (user.is_superuser or is_hr(user))


def _topmost(units: Iterable[OrgUnit]) -> list[OrgUnit]:
    """The units that are not below another of them, in tree order."""
    roots: list[OrgUnit] = []
    for unit in sorted({u.pk: u for u in units}.values(), key=lambda u: u.path):
        if not roots or not unit.path.startswith(roots[-1].path):
            roots.append(unit)
    return roots


def scope_roots(user) -> list[OrgUnit]:
    """The top units of what the user may see (the roots of `people.selectors.visible_units`)."""
    if not user.is_authenticated:
        return []
    if user.is_superuser:
        return list(OrgUnit.get_root_nodes())
    units = list(OrgUnit.objects.filter(managers=user))
    if is_hr(user):
        units += [s.unit for s in HRScope.objects.filter(user=user).select_related("unit")]
    return _topmost(units)


def managed_roots(user) -> list[OrgUnit]:
    if not user.is_authenticated:
        return []
    return _topmost(OrgUnit.objects.filter(managers=user))


def manages_a_unit(user) -> bool:
    return user.is_authenticated and OrgUnit.objects.filter(managers=user).exists()


def unit_in_scope(user, unit_id: int) -> OrgUnit:
    """The unit if the user may see it; OrgUnit.DoesNotExist otherwise (also when it exists)."""
    return visible_units(user).get(pk=unit_id)


def course_choices() -> list[tuple[int, str]]:
    return list(CoursePage.objects.order_by("title").values_list("pk", "title"))


def _in_units(roots: list[OrgUnit], prefix: str = UNIT_PATH) -> Q:
    condition = Q(pk__in=[])
    for root in roots:
        condition |= Q(**{f"{prefix}__startswith": root.path})
    return condition


def _scoped(roots: list[OrgUnit], course_id: int | None) -> QuerySet[Assignment]:
    assignments = assignment_selectors.open_assignments().filter(_in_units(roots))
    if course_id is not None:
        assignments = assignments.filter(course_id=course_id)
    return assignments


# --- The one aggregate -------------------------------------------------------------------------


def _quote(value: str) -> str:
    # Only our own state constants are inlined; they are plain identifiers.
    if not value.replace("_", "").isalnum():
        raise ValueError(value)
    return f"'{value}'"


def _fenced(queryset: QuerySet) -> tuple[str, tuple]:
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    if connections[queryset.db].vendor == "postgresql":
        sql += " OFFSET 0"  # keep the state computed once per row (see the module docstring)
    return sql, tuple(params)


def _state_counts(
    assignments: QuerySet[Assignment],
    today: datetime.date,
    groups: dict[str, Expression],
    also_without: str | None = None,
) -> list[tuple[tuple, Figures]]:
    """Count assignments per state and distinct people per group, in one query.

    `groups` names the grouping expressions (over Assignment); returns (group values, Figures).
    With `also_without` (one of the group names), the same query also returns the groups
    without that column (None in its place): the states are computed once for both.
    """
    inner = (
        with_state(assignments, today).order_by().values(**groups, uid=F("user_id"), st=F("state"))
    )
    sql, params = _fenced(inner)
    names = list(groups)
    exempted = _quote(EXEMPTED)
    counters = ",\n".join(
        f"SUM(CASE WHEN s.st = {_quote(state)} THEN 1 ELSE 0 END)" for state in STATE_COUNTERS
    )
    figures = (
        f"COUNT(DISTINCT CASE WHEN s.st <> {exempted} THEN s.uid END),\n"
        f"SUM(CASE WHEN s.st <> {exempted} THEN 1 ELSE 0 END),\n"
        f"{counters}\n"
    )
    columns = ", ".join(f"s.{name}" for name in names)
    if also_without is None:
        outer = f"SELECT {columns},\n{figures}FROM ({sql}) s GROUP BY {columns}"
    else:
        # A CTE read twice is computed once (materialised) by PostgreSQL and SQLite alike.
        fewer = ", ".join(f"s.{name}" for name in names if name != also_without)
        selected = ", ".join("NULL" if name == also_without else f"s.{name}" for name in names)
        outer = (
            f"WITH s AS ({sql})\n"
            f"SELECT {columns},\n{figures}FROM s GROUP BY {columns}\n"
            f"UNION ALL\n"
            f"SELECT {selected},\n{figures}FROM s GROUP BY {fewer}"
        )
    with connections[inner.db].cursor() as cursor:
        cursor.execute(outer, params)
        rows = cursor.fetchall()
    result = []
    width = len(names)
    for row in rows:
        people, assigned, *states = (int(v or 0) for v in row[width:])
        counts = dict(zip(STATE_COUNTERS, states, strict=True))
        result.append(
            (
                tuple(row[:width]),
                Figures(
                    people=people,
                    assigned=assigned,
                    completed=counts[COMPLETED],
                    in_progress=counts[IN_PROGRESS],
                    not_started=counts[NOT_STARTED],
                    overdue=counts[OVERDUE],
                    expired=counts[EXPIRED],
                    exempted=counts[EXEMPTED],
                ),
            )
        )
    return result


def _prefix_key(roots: list[OrgUnit], levels_below: int | None) -> Expression:
    """The path of each person's unit cut at `levels_below` under its root (None: not cut)."""
    if levels_below is None:
        return F(UNIT_PATH)
    return Case(
        *[
            When(
                Q(**{f"{UNIT_PATH}__startswith": root.path}),
                then=Substr(UNIT_PATH, 1, (root.depth + levels_below) * STEPLEN),
            )
            for root in roots
        ],
        output_field=CharField(),
    )


# Cells: (group path, is manager, sex) → Figures
Cells = dict[tuple[str, bool, str], Figures]


def _cells(
    roots: list[OrgUnit], course_id: int | None, today: datetime.date, levels_below: int | None
) -> Cells:
    if not roots:
        return {}
    rows = _state_counts(
        _scoped(roots, course_id),
        today,
        {
            "k": _prefix_key(roots, levels_below),
            "mgr": F("user__person__is_manager"),
            "sex": F("user__person__sex"),
        },
    )
    return {(k, bool(mgr), sex): figures for (k, mgr, sex), figures in rows}


def _roll_up(cells: Cells, targets: Iterable[OrgUnit]) -> dict[str, Cells]:
    """For each target path, the cells of its subtree, keyed by (role, sex)."""
    by_path: dict[str, Cells] = {unit.path: {} for unit in targets}
    for (key, mgr, sex), figures in cells.items():
        for end in range(STEPLEN, len(key) + 1, STEPLEN):
            subtree = by_path.get(key[:end])
            if subtree is None:
                continue
            cell = subtree.setdefault((key, mgr, sex), Figures())
            cell.add(figures)
    return by_path


def _total(cells: Cells, predicate=lambda mgr, sex: True) -> Figures:
    total = Figures()
    for (_key, mgr, sex), figures in cells.items():
        if predicate(mgr, sex):
            total.add(figures)
    return total


def suppress(groups: list[tuple[str, str, Figures]]) -> list[Group]:
    """The rule before issue 11, within one breakdown only; kept for the disclosure audit,
    which shows that it fails (`protected_breakdowns` is the rule in force).

    Hide groups under SMALL_GROUP people, and more until the hidden ones cannot be derived.

    A hidden group could be worked out as "the total minus the groups shown" when it is the
    only one hidden; more generally the hidden groups together must hold at least SMALL_GROUP
    people (or none), so the next smallest groups are hidden until they do.
    """
    hidden = {key for key, _label, figures in groups if figures.people < SMALL_GROUP}
    shown_by_size = sorted(
        (g for g in groups if g[0] not in hidden), key=lambda g: (g[2].people, g[0])
    )
    while shown_by_size:
        hidden_people = sum(g[2].people for g in groups if g[0] in hidden)
        if not 0 < hidden_people < SMALL_GROUP:
            break
        hidden.add(shown_by_size.pop(0)[0])
    return [Group(key, label, None if key in hidden else figures) for key, label, figures in groups]


def breakdowns(cells: Cells) -> tuple[list[Group], list[Group]]:
    by_role = suppress(
        [
            (key, str(label), _total(cells, lambda m, s, flag=flag: m == flag))
            for flag, key, label in ROLE_GROUPS
        ]
    )
    by_sex = suppress(
        [
            (value, str(label), _total(cells, lambda m, s, value=value: s == value))
            for value, label in Sex.choices
        ]
    )
    return by_role, by_sex


# --- Goals -------------------------------------------------------------------------------------


def goals_for(course_id: int | None) -> list[CoverageGoal]:
    """Goals for this course filter (no course: the goals for all courses together)."""
    goals = CoverageGoal.objects.select_related("unit", "course")
    goals = goals.filter(course_id=course_id) if course_id else goals.filter(course__isnull=True)
    return list(goals.order_by("deadline", "name"))


def goal_for_unit(goals: list[CoverageGoal], unit: OrgUnit) -> CoverageGoal | None:
    """The most specific goal covering the unit (its own or its nearest ancestor's, else the
    organisation's), the earliest deadline first."""
    covering = [g for g in goals if g.unit is None or unit.path.startswith(g.unit.path)]
    if not covering:
        return None
    return min(covering, key=lambda g: (-(g.unit.depth if g.unit else 0), g.deadline, g.pk))


def relevant_goals(goals: list[CoverageGoal], roots: list[OrgUnit]) -> list[CoverageGoal]:
    """The goals that concern these subtrees: the organisation's, their ancestors', their own."""
    return [
        g
        for g in goals
        if g.unit is None
        or any(
            root.path.startswith(g.unit.path) or g.unit.path.startswith(root.path) for root in roots
        )
    ]


def _status(goals: list[CoverageGoal], unit: OrgUnit, figures: Figures) -> GoalStatus | None:
    goal = goal_for_unit(goals, unit)
    return GoalStatus(goal, figures.reaches(goal.target_percent)) if goal else None


# --- Dashboards ----------------------------------------------------------------------------


def children_of(parents: list[OrgUnit]) -> list[OrgUnit]:
    if not parents:
        return []
    condition = Q(pk__in=[])
    for parent in parents:
        condition |= Q(path__startswith=parent.path, depth=parent.depth + 1)
    return list(OrgUnit.objects.filter(condition).order_by("path"))


# Hidden breakdowns: (unit path, course filter, dimension)
Hidden = set[tuple[str, int | None, str]]
# A day: the cache is only a shortcut, the change counter is what keeps it right.
PROTECTION_CACHE_SECONDS = 24 * 60 * 60


def protection_version() -> int | None:
    """The current `ProtectionChange.version`, or None when the hidden breakdowns must not be
    cached (no triggers on this database, or the row is missing)."""
    if connection.vendor != "postgresql":
        return None
    return ProtectionChange.objects.filter(pk=1).values_list("version", flat=True).first()


def _compute_hidden(tops: list[OrgUnit]) -> Hidden:
    """The protection's input, people per unit, course, role and sex (and over all courses:
    a person counts once there), from open assignments only: unlike the figures it needs no
    state, so it reads no completions or progress. Two queries."""
    counted = Count("user_id", distinct=True, filter=Q(exempted_at__isnull=True))
    base = _scoped(tops, None).order_by()
    keys = {
        "k": F(UNIT_PATH),
        "mgr": F("user__person__is_manager"),
        "sex": F("user__person__sex"),
    }
    rows = [
        (k, mgr, sex, cid, n)
        for k, mgr, sex, cid, n in base.values(**keys, cid=F("course_id"))
        .annotate(n=counted)
        .values_list("k", "mgr", "sex", "cid", "n")
    ]
    rows += [
        (k, mgr, sex, None, n)
        for k, mgr, sex, n in base.values(**keys)
        .annotate(n=counted)
        .values_list("k", "mgr", "sex", "n")
    ]
    people: dict[protection.CellKey, int] = defaultdict(int)
    paths: set[str] = set()
    courses: set[int] = set()
    for key, mgr, sex, cid, n in rows:
        ancestors = [key[:end] for end in range(STEPLEN, len(key) + 1, STEPLEN)]
        paths.update(ancestors)
        if cid is not None:
            courses.add(cid)
        for path in ancestors:
            people[(path, cid, "role", ROLE_KEYS[bool(mgr)])] += n
            people[(path, cid, "sex", sex)] += n
    return protection.protect(
        paths=paths, steplen=STEPLEN, courses=courses, groups=BREAKDOWN_GROUPS, people=people
    )


def hidden_breakdowns(parents: list[OrgUnit]) -> Hidden:
    """The hidden breakdowns (`reports.protection.protect`) over the whole organisations the
    parents belong to: the decisions must not depend on who asks.

    Computing them reads every open assignment of the organisation, which dominated the
    drill-down of one administration (bench/dashboards.py). They depend only on who holds
    which open assignment where, so on PostgreSQL they are cached under the change counter
    `ProtectionChange.version` that triggers bump on every write to those tables: unchanged
    data reuses them, any change computes them anew. One query when cached.
    """
    tops = [OrgUnit(path=path) for path in sorted({p.path[:STEPLEN] for p in parents})]
    version = protection_version()
    if version is None:
        return _compute_hidden(tops)
    key = f"reports:protection:{version}:{','.join(t.path for t in tops)}"
    hidden = cache.get(key)
    if hidden is None:
        hidden = _compute_hidden(tops)
        cache.set(key, hidden, PROTECTION_CACHE_SECONDS)
    return hidden


def protected_breakdowns(
    cells: Cells, path: str, course_id: int | None, hidden: set[tuple[str, int | None, str]]
) -> tuple[list[Group], list[Group]]:
    """The role and sex breakdowns of a unit's cells with the hidden groups (from
    `hidden_breakdowns`) left out."""
    by_role = Breakdown(
        Group(
            key,
            str(label),
            None
            if (path, course_id, "role") in hidden
            else _total(cells, lambda m, s, flag=flag: m == flag),
        )
        for flag, key, label in ROLE_GROUPS
    )
    by_sex = Breakdown(
        Group(
            value,
            str(label),
            None
            if (path, course_id, "sex") in hidden
            else _total(cells, lambda m, s, value=value: s == value),
        )
        for value, label in Sex.choices
    )
    return by_role, by_sex


def coverage_by_unit(
    *,
    parents: list[OrgUnit],
    course_id: int | None = None,
    today: datetime.date | None = None,
    goals: list[CoverageGoal] | None = None,
) -> list[UnitCoverage]:
    """Each parent with its total, its children rolled up, its breakdowns and goal status.

    The breakdowns are protected here, for the whole set of figures a user can reach
    (`reports.protection`): every caller (pages, API) gets the same hidden groups.
    Four queries whatever the size of the tree: the children, the protection's change counter
    (two more when the protection is not cached, see `hidden_breakdowns`), the aggregate, the
    goals (none when the caller passes `goals_for(course_id)`).
    """
    today = today or timezone.localdate()
    if not parents:
        return []
    children = children_of(parents)
    hidden = hidden_breakdowns(parents)
    subtrees = _roll_up(_cells(parents, course_id, today, levels_below=None), [*parents, *children])
    if goals is None:
        goals = goals_for(course_id)
    result = []
    for parent in parents:
        parent_cells = subtrees[parent.path]
        total = _total(parent_cells)
        direct_figures = _total({k: v for k, v in parent_cells.items() if k[0] == parent.path})
        rows = []
        for child in children:
            if child.path.startswith(parent.path):
                figures = _total(subtrees[child.path])
                rows.append(UnitRow(child, figures, _status(goals, child, figures)))
        by_role, by_sex = protected_breakdowns(parent_cells, parent.path, course_id, hidden)
        result.append(
            UnitCoverage(
                unit=parent,
                total=total,
                direct=direct_figures,
                children=rows,
                by_role=by_role,
                by_sex=by_sex,
                goal=_status(goals, parent, total),
            )
        )
    return result


def coverage_of_every_unit(
    *,
    roots: list[OrgUnit],
    course_id: int | None = None,
    today: datetime.date | None = None,
) -> list[UnitRow]:
    """Every unit under the roots (roots included), each rolled up, in tree order: the export."""
    today = today or timezone.localdate()
    if not roots:
        return []
    units = list(OrgUnit.objects.filter(_in_units(roots, "path")).order_by("path"))
    subtrees = _roll_up(_cells(roots, course_id, today, levels_below=None), units)
    goals = goals_for(course_id)
    rows = []
    for unit in units:
        figures = _total(subtrees[unit.path])
        rows.append(UnitRow(unit, figures, _status(goals, unit, figures)))
    return rows


def overdue_assignments(
    *, roots: list[OrgUnit], course_id: int | None = None, today: datetime.date | None = None
) -> QuerySet[Assignment]:
    """Open overdue assignments under the roots, the longest overdue first, with names."""
    today = today or timezone.localdate()
    # Only a passed due date without an exemption can be overdue: narrowing by both first
    # lets the partial index on open due dates do the work; the state still decides.
    candidates = _scoped(roots, course_id).filter(due_on__lt=today, exempted_at__isnull=True)
    # The course's title as a subquery, not a join: PostgreSQL then reads it only for the rows
    # shown (after the sort and limit). Joined, the planner underestimated the overdue rows and
    # looped over every page for each of them (0.2 s of 0.4 s at full size).
    title = Page.objects.filter(pk=OuterRef("course_id")).values("title")[:1]
    return (
        with_state(candidates, today)
        .filter(state=OVERDUE)
        .select_related("user", "user__person", "user__person__unit")
        .annotate(course_title=Subquery(title))
        .order_by("due_on", "user__last_name", "user__first_name", "pk")
    )


def _month_ends(today: datetime.date, months: int) -> list[datetime.date]:
    ends = []
    first = today.replace(day=1)
    for _month in range(months):
        end = first - datetime.timedelta(days=1)
        ends.append(end)
        first = end.replace(day=1)
    return ends[::-1]


def coverage_trend(
    *,
    roots: list[OrgUnit],
    course_id: int | None = None,
    today: datetime.date | None = None,
    months: int = 12,
) -> list[TrendPoint]:
    """Coverage at the end of each of the last `months - 1` full months and today (the current
    month so far, so the last point agrees with the headline), in one query (see the module
    docstring for what is approximated)."""
    today = today or timezone.localdate()
    ends = [*_month_ends(today, months - 1), today]
    if not roots:
        return [TrendPoint(end, 0, 0) for end in ends]
    ops = connection.ops
    tz = timezone.get_current_timezone()

    def end_of(day: datetime.date) -> datetime.datetime:
        # The end of the day: the first instant of the next, in local time.
        next_day = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
        return timezone.make_aware(next_day, tz)

    # Only assignments open at some point in the window.
    assignments = Assignment.objects.filter(
        _in_units(roots),
        Q(ended_at__isnull=True) | Q(ended_at__gte=end_of(ends[0])),
        assigned_at__lt=end_of(ends[-1]),
    )
    completions = Completion.objects.filter(_in_units(roots))
    if course_id is not None:
        assignments = assignments.filter(course_id=course_id)
        completions = completions.filter(course_id=course_id)
    a_sql, a_params = _fenced(
        assignments.order_by().values(
            uid=F("user_id"),
            cid=F("course_id"),
            a=F("assigned_at"),
            e=F("ended_at"),
            x=F("exempted_at"),
        )
    )
    c_sql, c_params = _fenced(
        completions.order_by()
        .values("user_id", "course_id")
        .annotate(
            fd=Min("completed_at"),
            lv=Max(Coalesce("valid_until", Value(FOR_EVER))),
        )
        .values(cu=F("user_id"), cc=F("course_id"), fd=F("fd"), lv=F("lv"))
    )
    select, params = [], []
    for end in ends:
        moment = ops.adapt_datetimefield_value(end_of(end))
        day = ops.adapt_datefield_value(end)
        counted = "s.a < %s AND (s.e IS NULL OR s.e >= %s) AND (s.x IS NULL OR s.x >= %s)"
        select.append(f"SUM(CASE WHEN {counted} THEN 1 ELSE 0 END)")
        select.append(f"SUM(CASE WHEN {counted} AND c.fd < %s AND c.lv >= %s THEN 1 ELSE 0 END)")
        params += [moment, moment, moment, moment, moment, moment, moment, day]
    sql = (
        f"SELECT {', '.join(select)} FROM ({a_sql}) s "  # noqa: S608 (ORM SQL, params apart)
        f"LEFT JOIN ({c_sql}) c ON c.cu = s.uid AND c.cc = s.cid"
    )
    # The database the ORM reads from (a replica for the dashboards, when configured).
    with connections[assignments.db].cursor() as cursor:
        cursor.execute(sql, (*params, *a_params, *c_params))
        row = cursor.fetchone()
    values = [int(v or 0) for v in row]
    return [TrendPoint(end, values[2 * i], values[2 * i + 1]) for i, end in enumerate(ends)]


# --- The manager's page ----------------------------------------------------------------------


def coverage_by_course(
    *, roots: list[OrgUnit], today: datetime.date | None = None
) -> list[ManagedUnit]:
    """For each managed unit (with everything below it): coverage per course. One query."""
    today = today or timezone.localdate()
    if not roots:
        return []
    rows = _state_counts(
        _scoped(roots, None),
        today,
        {"k": _prefix_key(roots, 0), "cid": F("course_id"), "title": F("course__title")},
    )
    managed = {root.path: ManagedUnit(root) for root in roots}
    for (key, course_id, title), figures in rows:
        unit = managed[key]
        unit.courses.append(CourseRow(course_id, title, figures))
        unit.total.add(figures)
    for unit in managed.values():
        unit.courses.sort(key=lambda row: row.title)
    return list(managed.values())


def assignments_in_units(
    *,
    roots: list[OrgUnit],
    today: datetime.date | None = None,
    course_id: int | None = None,
    state: str | None = None,
) -> QuerySet[Assignment]:
    """Open assignments of the people under the roots, what needs doing first: overdue, then
    expired, not started, in progress, completed, exempted; each by due date and name."""
    assignments = with_state(_scoped(roots, course_id), today or timezone.localdate())
    if state is not None:
        assignments = assignments.filter(state=state)
    order = Case(
        *[When(state=value, then=Value(rank)) for rank, value in enumerate(STATE_ORDER)],
        output_field=IntegerField(),
    )
    return (
        assignments.annotate(state_rank=order)
        .select_related("user", "user__person", "user__person__unit", "course")
        .order_by("state_rank", "due_on", "user__last_name", "user__first_name", "pk")
    )


def label_states(assignments: Iterable[Assignment]) -> list[Assignment]:
    rows = list(assignments)
    for row in rows:
        row.state_label = STATE_LABELS[row.state]
    return rows


# --- Per course, for one unit (the active-measures report) ----------------------------------


@dataclass
class CourseCoverage:
    """One course's figures in a unit's subtree, with its protected role breakdown and goal."""

    course_id: int
    title: str
    total: Figures
    by_role: list[Group]
    goal: GoalStatus | None = None


def coverage_per_course(
    *, unit: OrgUnit, today: datetime.date | None = None
) -> list[CourseCoverage]:
    """Every course assigned in the unit's subtree, each as the dashboard shows it for that
    unit with that course chosen (`coverage_by_unit(parents=[unit], course_id=...)`): the same
    cells and the same hidden breakdowns, by title.

    Three queries whatever the number of courses and units (the dashboard's aggregate, the
    titles, the goals), instead of `coverage_by_unit` once per course.
    """
    today = today or timezone.localdate()
    hidden = hidden_breakdowns([unit])
    per_course: dict[int, Cells] = defaultdict(dict)
    rows_by_course = _state_counts(
        _scoped([unit], None),
        today,
        {
            "cid": F("course_id"),
            "mgr": F("user__person__is_manager"),
            "sex": F("user__person__sex"),
        },
    )
    for (cid, mgr, sex), figures in rows_by_course:
        per_course[cid][(unit.path, bool(mgr), sex)] = figures
    if not per_course:
        return []
    titles = dict(CoursePage.objects.filter(pk__in=per_course).values_list("pk", "title"))
    goals = list(
        CoverageGoal.objects.select_related("unit", "course")
        .filter(course_id__in=per_course)
        .order_by("deadline", "name")
    )
    rows = []
    for cid, cells in per_course.items():
        total = _total(cells)
        by_role, _by_sex = protected_breakdowns(cells, unit.path, cid, hidden)
        course_goals = [g for g in goals if g.course_id == cid]
        rows.append(
            CourseCoverage(
                course_id=cid,
                title=titles.get(cid, ""),
                total=total,
                by_role=by_role,
                goal=_status(course_goals, unit, total),
            )
        )
    rows.sort(key=lambda row: (row.title, row.course_id))
    return rows


def completions_in_period(
    *, unit: OrgUnit, start: datetime.date, end: datetime.date
) -> dict[tuple[int, bool], int]:
    """People in the unit's subtree (where they are today) who completed each course in the
    period, per (course id, is manager): one query. A person completing twice counts once."""
    tz = timezone.get_current_timezone()
    since = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min), tz)
    until = timezone.make_aware(
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min), tz
    )
    rows = (
        Completion.objects.filter(
            _in_units([unit]), completed_at__gte=since, completed_at__lt=until
        )
        .order_by()
        .values("course_id", mgr=F("user__person__is_manager"))
        .annotate(n=Count("user_id", distinct=True))
    )
    return {(row["course_id"], bool(row["mgr"])): row["n"] for row in rows}


def assignments_made_in_period(
    *, unit: OrgUnit, start: datetime.date, end: datetime.date
) -> dict[int, int]:
    """Assignments made in the period to people in the unit's subtree, per course (ended ones
    included: they were assigned all the same). One query."""
    tz = timezone.get_current_timezone()
    since = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min), tz)
    until = timezone.make_aware(
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min), tz
    )
    rows = (
        Assignment.objects.filter(_in_units([unit]), assigned_at__gte=since, assigned_at__lt=until)
        .order_by()
        .values("course_id")
        .annotate(n=Count("pk"))
    )
    return {row["course_id"]: row["n"] for row in rows}
