"""Which breakdowns stay hidden, across every figure HR can reach (issue 11).

HR reaches, for every unit in its scope and every course filter (each course, and all courses
together), the unit's totals (shown: HR sees the people by name anyway) and two breakdowns of
them, by role and by sex. An analyst can link them by sums:

* a row: the groups of a breakdown add up to the unit's total;
* the hierarchy: a unit's group is its own people's group plus its sub-units' groups;
* the course dimension: a group's *assigned* count over all courses is the sum of its per-course
  counts (one open assignment per person and course, so per course assigned = people), and a
  person counts once over all courses but at least once for each of their courses.

**The rule.** A breakdown (unit × course filter × role or sex) is shown whole or not at all:

1. *Primary*: it is shown only if every group holds at least `SMALL_GROUP` people (a unit with
   nobody assigned shows its zeros: nothing can be learnt from them).
2. *Top down*: it is shown only if the same breakdown of the unit above is shown. A hidden
   breakdown therefore hides its whole subtree, and what an analyst can subtract is always a
   whole *region*: a shown unit's own people plus the complete subtrees of its hidden
   sub-units, with known totals per unit (`N` for the region) and, per group, the known
   complement `K = the unit's group − its shown sub-units' groups`.
3. *Region*: in such a region the people of a hidden unit `u` in a group can take every value
   in an interval of width exactly `min(T(u), K, N − T(u), N − K)` (the region is a
   transportation table with known row and column sums). The shown breakdown stays only if
   that width is at least `min(SMALL_GROUP, T(u))` for every hidden unit and group — a hidden
   group is never narrowed below `SMALL_GROUP` (or below its unit, in a unit of fewer people)
   — and, when the region is only the unit's own people, no group of them holds one to four.
   Otherwise the breakdown is hidden and its region joins the one above; repeated until
   nothing changes.
4. *Courses*: the all-courses breakdown of a unit is shown only if the unit's breakdown for
   every course is shown too, so that what moves inside a course's region stays inside one
   all-courses region.

The decisions are taken over the whole organisation, so every user, whatever their scope, gets
the same hidden breakdowns (two users comparing notes learn nothing more). Role and sex are
linked only through the unit's total, which is shown, so each is decided on its own.
`tests/reports/test_disclosure_audit.py` attacks the result with linear programming.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

SMALL_GROUP = 5

# A course filter: a course id, or None for all courses together.
CourseFilter = int | None
# (unit path, course filter, dimension, group)
CellKey = tuple[str, CourseFilter, str, str]


class _Tree:
    def __init__(self, paths: Iterable[str], steplen: int):
        self.paths = sorted(set(paths))
        known = set(self.paths)
        self.parent: dict[str, str | None] = {}
        self.children: dict[str, list[str]] = defaultdict(list)
        for path in self.paths:
            parent = path[:-steplen]
            self.parent[path] = parent if parent in known else None
            if parent in known:
                self.children[parent].append(path)

    def subtree(self, path: str) -> Iterable[str]:
        stack = [path]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(self.children.get(node, ()))


def _shown_rows(
    tree: _Tree,
    groups: list[str],
    people: dict[str, dict[str, int]],
    allowed: set[str] | None,
) -> set[str]:
    """The units whose breakdown is shown, for one course filter and one dimension."""

    def total(path: str) -> int:
        return sum(people.get(path, {}).values())

    def group(path: str, name: str) -> int:
        return people.get(path, {}).get(name, 0)

    shown: set[str] = set()
    for path in tree.paths:  # parents first
        parent = tree.parent[path]
        if parent is not None and parent not in shown:
            continue
        if total(path) and any(group(path, g) < SMALL_GROUP for g in groups):
            continue
        if allowed is not None and path not in allowed:
            continue
        shown.add(path)

    def region_ok(head: str) -> bool:
        hidden_children = [c for c in tree.children.get(head, ()) if c not in shown]
        shown_children = [c for c in tree.children.get(head, ()) if c in shown]
        n = total(head) - sum(total(c) for c in shown_children)
        k = {g: group(head, g) - sum(group(c, g) for c in shown_children) for g in groups}
        hidden = [t for c in hidden_children for u in tree.subtree(c) if (t := total(u))]
        if not hidden:
            return all(v == 0 or v >= SMALL_GROUP for v in k.values())
        for t in hidden:
            need = min(SMALL_GROUP, t)
            if n - t < need or any(v < need or n - v < need for v in k.values()):
                return False
        return True

    changed = True
    while changed:
        changed = False
        for head in sorted(shown, key=len, reverse=True):
            if head in shown and not region_ok(head):
                shown.difference_update(tree.subtree(head))
                changed = True
    return shown


def protect(
    *,
    paths: Iterable[str],
    steplen: int,
    courses: Iterable[int],
    groups: dict[str, list[str]],
    people: dict[CellKey, int],
) -> set[tuple[str, CourseFilter, str]]:
    """The hidden breakdowns, as (unit path, course filter, dimension), of every unit in
    `paths` (whole trees, from their roots). `people[(path, filter, dim, group)]` counts the
    unit's subtree; missing means 0. Units with nobody assigned are never hidden."""
    tree = _Tree(paths, steplen)
    table: dict[tuple[CourseFilter, str], dict[str, dict[str, int]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    for (path, cf, dim, name), count in people.items():
        table[(cf, dim)][path][name] = count
    hidden: set[tuple[str, CourseFilter, str]] = set()
    for dim, names in groups.items():
        every_course: set[str] = set(tree.paths)
        for course in sorted(set(courses)):
            shown = _shown_rows(tree, names, table[(course, dim)], None)
            every_course &= shown
            hidden.update((p, course, dim) for p in tree.paths if p not in shown)
        shown = _shown_rows(tree, names, table[(None, dim)], every_course)
        hidden.update((p, None, dim) for p in tree.paths if p not in shown)
    return hidden
