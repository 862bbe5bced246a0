"""An analyst's attack on the dashboard's figures, as a linear program (issue 11, item 2).

`reachable_figures` collects every figure a user can reach through the same selectors the
pages and exports call: for every unit in the scope and every course filter (each course and
all courses), the unit's total, its own people ("directly in"), each sub-unit's row, the role
and sex breakdowns, and the per-unit export. (The trend shows totals at past month ends and its
last point today's total, never a breakdown: it adds no relation between hidden groups.)

`audit` writes each published figure as a linear equality over the finest cells an analyst
could try to recover: people per (unit's own people, role, sex, course) and people per (unit's
own people, role, sex) over all courses, with 0 <= cell, one open assignment per person and
course (per course: assigned = people), and a person over all courses counted at least once for
any course and at most once per course. Then for every hidden group it minimises and maximises
the group's people with HiGHS.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

import numpy as np
from django.utils import timezone
from scipy.optimize import linprog
from scipy.sparse import csr_matrix

from assignments.models import Assignment
from people.models import OrgUnit, Person, Sex
from people.selectors import visible_units
from reports import selectors
from tests.factories import UserFactory, make_course

SEXES = list(Sex.values)
ROLES = {"managers": True, "staff": False}


@dataclass
class Hidden:
    unit: OrgUnit
    course_id: int | None
    dim: str
    group: str
    low: float = 0
    high: float = 0
    unit_total: int = 0

    @property
    def width(self) -> float:
        return self.high - self.low

    def __str__(self) -> str:
        return (
            f"{self.unit.code} course={self.course_id} {self.dim}={self.group}: "
            f"[{self.low:g}, {self.high:g}] in a unit of {self.unit_total}"
        )


@dataclass
class Figure:
    path: str  # the unit
    subtree: bool  # False: only the unit's own people
    course_id: int | None
    dim: str | None  # None: everyone
    group: str | None
    people: int
    assigned: int


def _collect_section(section, course_id, figures: list[Figure], hidden: list[Hidden]) -> None:
    unit = section.unit
    figures.append(
        Figure(unit.path, True, course_id, None, None, section.total.people, section.total.assigned)
    )
    figures.append(
        Figure(
            unit.path, False, course_id, None, None, section.direct.people, section.direct.assigned
        )
    )
    for row in section.children:
        figures.append(
            Figure(
                row.unit.path, True, course_id, None, None, row.figures.people, row.figures.assigned
            )
        )
    for dim, groups in (("role", section.by_role), ("sex", section.by_sex)):
        for group in groups:
            if group.suppressed:
                hidden.append(
                    Hidden(unit, course_id, dim, group.key, unit_total=section.total.people)
                )
            else:
                figures.append(
                    Figure(
                        unit.path,
                        True,
                        course_id,
                        dim,
                        group.key,
                        group.figures.people,
                        group.figures.assigned,
                    )
                )


def reachable_figures(user, courses: list[int]) -> tuple[list[Figure], list[Hidden], list]:
    """Every figure the user reaches on the overview, every drill-down and the exports."""
    roots = selectors.scope_roots(user)
    units = list(visible_units(user).order_by("path"))
    figures: list[Figure] = []
    hidden: list[Hidden] = []
    for course_id in [None, *courses]:
        goals = selectors.goals_for(course_id)
        for section in selectors.coverage_by_unit(parents=roots, course_id=course_id, goals=goals):
            _collect_section(section, course_id, figures, [])
        for unit in units:
            (section,) = selectors.coverage_by_unit(
                parents=[unit], course_id=course_id, goals=goals
            )
            _collect_section(section, course_id, figures, hidden)
        for row in selectors.coverage_of_every_unit(roots=roots, course_id=course_id):
            figures.append(
                Figure(
                    row.unit.path,
                    True,
                    course_id,
                    None,
                    None,
                    row.figures.people,
                    row.figures.assigned,
                )
            )
    return figures, hidden, units


def audit(user, courses: list[int], *, first_pinned: int | None = None) -> list[Hidden]:
    """Every hidden group with its feasible range of people (see the module docstring).

    With `first_pinned` (SMALL_GROUP), stop at the first group pinned below it: enough to
    show that a rule fails. Groups of an empty unit have nothing to protect and are skipped.
    """
    figures, hidden, units = reachable_figures(user, courses)
    paths = [u.path for u in units]
    index: dict[tuple, int] = {}
    for path in paths:
        for mgr in (True, False):
            for sex in SEXES:
                index[(path, mgr, sex, None)] = len(index)
                for course in courses:
                    index[(path, mgr, sex, course)] = len(index)
    size = len(index)

    keys = list(index)
    atom_path = [k[0] for k in keys]
    atom_course = np.array([-1 if k[3] is None else k[3] for k in keys])
    atom_mgr = np.array([k[1] for k in keys])
    atom_sex = np.array([k[2] for k in keys])
    subtree_of = {p: np.array([a.startswith(p) for a in atom_path]) for p in paths}
    own = {p: np.array([a == p for a in atom_path]) for p in paths}

    def atoms(path, subtree, course, dim, group):
        mask = (subtree_of if subtree else own)[path] & (
            atom_course == (-1 if course is None else course)
        )
        if dim == "role":
            mask &= atom_mgr == ROLES[group]
        elif dim == "sex":
            mask &= atom_sex == group
        return list(np.flatnonzero(mask))

    rows: dict[tuple, int] = {}

    def equal(columns: list[int], value: int) -> None:
        key = tuple(sorted(columns))
        if key in rows:
            assert rows[key] == value, "two figures of the same cells disagree"
        rows[key] = value

    for f in figures:
        if f.course_id is None:
            equal(atoms(f.path, f.subtree, None, f.dim, f.group), f.people)
            equal(
                [i for c in courses for i in atoms(f.path, f.subtree, c, f.dim, f.group)],
                f.assigned,
            )
        else:
            equal(atoms(f.path, f.subtree, f.course_id, f.dim, f.group), f.people)
            assert f.people == f.assigned  # one open assignment per person and course
    eq_rows, eq_cols, eq_b = [], [], []
    for r, (columns, value) in enumerate(rows.items()):
        eq_rows += [r] * len(columns)
        eq_cols += list(columns)
        eq_b.append(value)
    a_eq = csr_matrix((np.ones(len(eq_cols)), (eq_rows, eq_cols)), shape=(len(rows), size))
    # Over all courses a person counts once: at least once for each course, at most the sum.
    ub_data, ub_rows, ub_cols, r = [], [], [], 0
    for (path, mgr, sex, course), i in index.items():
        if course is None:
            continue
        everyone = index[(path, mgr, sex, None)]
        ub_rows += [r, r]
        ub_cols += [i, everyone]
        ub_data += [1, -1]  # x_course - x_all <= 0
        r += 1
    for path in paths:
        for mgr in (True, False):
            for sex in SEXES:
                ub_rows.append(r)
                ub_cols.append(index[(path, mgr, sex, None)])
                ub_data.append(1)
                for course in courses:
                    ub_rows.append(r)
                    ub_cols.append(index[(path, mgr, sex, course)])
                    ub_data.append(-1)  # x_all - sum(x_course) <= 0
                r += 1
    a_ub = csr_matrix((ub_data, (ub_rows, ub_cols)), shape=(r, size))
    b_ub = np.zeros(r)
    hidden = [cell for cell in hidden if cell.unit_total]
    for number, cell in enumerate(hidden):
        objective = np.zeros(size)
        objective[atoms(cell.unit.path, True, cell.course_id, cell.dim, cell.group)] = 1
        ranges = []
        for sign in (1, -1):
            result = linprog(
                sign * objective,
                A_ub=a_ub,
                b_ub=b_ub,
                A_eq=a_eq,
                b_eq=np.array(eq_b, dtype=float),
                bounds=(0, None),
                method="highs",
            )
            assert result.status == 0, result.message
            ranges.append(sign * result.fun)
        cell.low, cell.high = ranges
        if first_pinned is not None and pinned([cell], first_pinned):
            return hidden[: number + 1]
    return hidden


def pinned(cells: list[Hidden], small_group: int) -> list[Hidden]:
    """The hidden groups an analyst narrows below `small_group` people (or below the unit's
    total, for a unit of fewer people: a group there can never range wider than the unit).

    A range that lies wholly at or above `small_group` proves the group is not small: the
    threshold rule protects small groups, not the exact size of large ones (an all-courses
    group can be as large as a course everyone takes, whose breakdown is shown).
    """
    return [
        c
        for c in cells
        if c.width < min(small_group, c.unit_total) - 1e-6 and c.low < small_group - 1e-6
    ]


# --- A generated organisation ------------------------------------------------------------------


def generated_organisation(catalogue, *, seed: int = 11) -> tuple[OrgUnit, list[OrgUnit], list]:
    """About thirty units under one root, three administrations, skewed sizes (1 to 40 people,
    small groups by sex and role everywhere), three courses assigned unevenly."""
    rng = random.Random(seed)
    root = OrgUnit.add_root(instance=OrgUnit(code="G", name="Genererad kommun"))
    units = [root]
    administrations = []
    for a in range(3):
        admin = root.add_child(instance=OrgUnit(code=f"G{a}", name=f"Förvaltning {a}"))
        administrations.append(admin)
        units.append(admin)
        for s in range(3):
            section = admin.add_child(instance=OrgUnit(code=f"G{a}{s}", name=f"Avdelning {a}{s}"))
            units.append(section)
            for t in range(rng.choice([0, 1, 2])):
                team = section.add_child(
                    instance=OrgUnit(code=f"G{a}{s}{t}", name=f"Enhet {a}{s}{t}")
                )
                units.append(team)
    courses = [make_course(catalogue, title=f"Genererad kurs {c}", modules=1) for c in range(3)]
    sizes = [0, 1, 2, 3, 4, 4, 6, 9, 12, 20, 35]
    people = []
    for number, unit in enumerate(units):
        size = rng.choice(sizes) if unit.depth > 1 else rng.choice([0, 1, 3])
        for i in range(size):
            user = UserFactory.build(username=f"gen{number}-{i}")
            user.save()
            sex = rng.choices(SEXES, weights=[55, 40, 5])[0]
            people.append(
                Person(
                    user=user,
                    employee_number=f"G{number}-{i}",
                    unit=unit,
                    is_manager=i == 0,
                    sex=sex,
                )
            )
    Person.objects.bulk_create(people)
    now = timezone.now()
    assignments = []
    for person in people:
        for course, share in zip(courses, (0.9, 0.5, 0.25), strict=True):
            if rng.random() < share:
                assignments.append(
                    Assignment(
                        user=person.user,
                        course=course,
                        assigned_at=now - datetime.timedelta(days=30),
                        due_on=timezone.localdate() + datetime.timedelta(days=30),
                    )
                )
    Assignment.objects.bulk_create(assignments)
    return root, administrations, [c.pk for c in courses]
