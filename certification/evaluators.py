"""Kinds of criteria, as a registry: each kind evaluates one criterion for MANY units at once.

An evaluator takes `(criterion, units, today)` and returns `{unit_id: Result}` for every unit
given, in a constant number of queries whatever the number of units (the HR list evaluates
every unit in scope, 1,000 of them in a large municipality). Figures roll up the unit tree: a
unit's staff includes the people of its sub-units, as the coverage figures do.

Registering a kind from another app is a few lines in that app's `AppConfig.ready()`:

    from certification import evaluators

    def held_modules(criterion, units, today):
        since = evaluators.months_before(today, criterion.months)
        held = modules_held_by_unit([u.pk for u in units], since)  # one query
        wanted = set(criterion.module_ids)
        return {
            u.pk: evaluators.Result(
                met=wanted <= held.get(u.pk, set()),
                figures={"held": len(wanted & held.get(u.pk, set())), "required": len(wanted)},
                summary=...,
            )
            for u in units
        }

    evaluators.register(
        "group_modules_held", _("Group modules held at a workplace meeting"), held_modules,
        needs_modules=True, needs_months=True,
    )

The kind is then offered in the programme form (the model's choices are read from here).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from people.models import OrgUnit

    from .models import Criterion


@dataclass(frozen=True)
class Result:
    """A criterion for one unit: met or not, the figures behind it, and a sentence saying so."""

    met: bool
    summary: str
    figures: dict[str, int] = field(default_factory=dict)
    # Manual criteria: the latest evidence (any status) and the one that counts, if any.
    latest_evidence: object | None = None


Evaluator = Callable[["Criterion", Sequence["OrgUnit"], datetime.date], dict[int, Result]]


@dataclass(frozen=True)
class Kind:
    kind: str
    label: str
    evaluate_many: Evaluator
    needs_course: bool = False
    needs_percent: bool = False
    needs_months: bool = False
    needs_modules: bool = False
    manual: bool = False
    describe: Callable[[Criterion], str] | None = None
    # For kinds that need modules: the (page id, label) pairs an editor may pick from, read
    # when the form is drawn and again when it is checked (forged ids are refused).
    module_choices: Callable[[], list[tuple[int, str]]] | None = None

    def describe_criterion(self, criterion: Criterion) -> str:
        return self.describe(criterion) if self.describe else str(self.label)


_REGISTRY: dict[str, Kind] = {}


def register(
    kind: str,
    label: str,
    evaluate_many: Evaluator,
    *,
    needs_course: bool = False,
    needs_percent: bool = False,
    needs_months: bool = False,
    needs_modules: bool = False,
    manual: bool = False,
    describe: Callable[[Criterion], str] | None = None,
    module_choices: Callable[[], list[tuple[int, str]]] | None = None,
) -> Kind:
    """Add a kind of criterion (idempotent per kind: registering again replaces it)."""
    if len(kind) > 40:
        raise ValueError("A kind's name is at most 40 characters (Criterion.kind).")
    spec = Kind(
        kind,
        label,
        evaluate_many,
        needs_course=needs_course,
        needs_percent=needs_percent,
        needs_months=needs_months,
        needs_modules=needs_modules,
        manual=manual,
        describe=describe,
        module_choices=module_choices,
    )
    if needs_modules and module_choices is None:
        raise ValueError("A kind that needs modules says which ones may be picked.")
    _REGISTRY[kind] = spec
    return spec


def get(kind: str) -> Kind | None:
    return _REGISTRY.get(kind)


def module_choices() -> list[tuple[int, str]]:
    """Every module some registered kind lets an editor pick (for the criterion form)."""
    seen: dict[int, str] = {}
    for spec in _REGISTRY.values():
        if spec.needs_modules and spec.module_choices:
            for pk, label in spec.module_choices():
                seen.setdefault(pk, label)
    return list(seen.items())


def choices() -> list[tuple[str, str]]:
    """For the model field's choices (a callable, so that kinds registered later appear)."""
    return [(spec.kind, spec.label) for spec in _REGISTRY.values()]


# --- Helpers for evaluators ------------------------------------------------------------------


def months_before(day: datetime.date, months: int) -> datetime.date:
    from .models import add_months

    return add_months(day, -months)


def topmost(units: Sequence[OrgUnit]) -> list[OrgUnit]:
    """The units that are not below another of them: the subtrees to read, without overlap."""
    roots: list[OrgUnit] = []
    for unit in sorted(units, key=lambda u: u.path):
        if not roots or not unit.path.startswith(roots[-1].path):
            roots.append(unit)
    return roots


def in_subtrees(units: Sequence[OrgUnit], prefix: str) -> Q:
    condition = Q(pk__in=[])
    for root in topmost(units):
        condition |= Q(**{f"{prefix}__startswith": root.path})
    return condition


def roll_up(rows: dict[str, list[int]], steplen: int) -> dict[str, list[int]]:
    """Counters per unit path → counters per path including everything below it: each row is
    added to each of its ancestors (rows × depth additions, no unit × unit loop)."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for path, counters in rows.items():
        for end in range(steplen, len(path) + 1, steplen):
            total = totals[path[:end]]
            for index, value in enumerate(counters):
                total[index] += value
    return totals


def valid_completion(course_id: int, today: datetime.date, user_ref: str = "user_id") -> Exists:
    """A completion of the course that is valid today (no end date, or ends today or later)."""
    from progress.models import Completion

    return Exists(
        Completion.objects.filter(user_id=OuterRef(user_ref), course_id=course_id).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=today)
        )
    )


# --- Built-in kinds --------------------------------------------------------------------------


def _course_title(criterion: Criterion) -> str:
    return criterion.course.title if criterion.course_id and criterion.course else "?"


def staff_share_completed(
    criterion: Criterion, units: Sequence[OrgUnit], today: datetime.date
) -> dict[int, Result]:
    """At least `percent` % of the people employed in the unit and below have a valid
    completion of the course. One query: people counted per unit, rolled up in Python."""
    from people.models import OrgUnit, Person

    if not units:
        return {}
    employed = Q(end_date__isnull=True) | Q(end_date__gt=today)
    rows = (
        Person.objects.filter(employed, anonymised_at__isnull=True)
        .filter(in_subtrees(units, "unit__path"))
        .values("unit__path")
        .order_by()
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=valid_completion(criterion.course_id, today)),
        )
    )
    totals = roll_up({r["unit__path"]: [r["total"], r["done"]] for r in rows}, OrgUnit.steplen)
    # Translated once, not once per unit (a thousand units: a tenth of the time otherwise).
    figures_text = str(
        _("%(done)s of %(total)s staff (%(percent)s %%) have completed it; %(goal)s %% needed.")
    )
    nobody = str(_("Nobody is employed in the unit."))
    results = {}
    for unit in units:
        total, done = totals.get(unit.path, (0, 0))
        percent = 100 * done // total if total else 0
        met = bool(total) and 100 * done >= criterion.percent * total
        results[unit.pk] = Result(
            met=met,
            figures={"completed": done, "staff": total, "percent": percent},
            summary=figures_text
            % {"done": done, "total": total, "percent": percent, "goal": criterion.percent}
            if total
            else nobody,
        )
    return results


def managers_completed(
    criterion: Criterion, units: Sequence[OrgUnit], today: datetime.date
) -> dict[int, Result]:
    """Every manager of the unit and of its sub-units has a valid completion. One query: the
    (unit, manager) pairs with a done flag; a manager of two units counts once."""
    from people.models import OrgUnit

    if not units:
        return {}
    pairs = (
        OrgUnit.managers.through.objects.filter(in_subtrees(units, "orgunit__path"))
        .filter(user__is_active=True)
        .annotate(done=valid_completion(criterion.course_id, today))
        .values_list("orgunit__path", "user_id", "done")
    )
    steplen = OrgUnit.steplen
    managers: dict[str, dict[int, bool]] = defaultdict(dict)
    for path, user_id, done in pairs:
        for end in range(steplen, len(path) + 1, steplen):
            managers[path[:end]][user_id] = done
    figures_text = str(_("%(done)s of %(total)s managers have completed it."))
    nobody = str(_("The unit has no manager registered."))
    results = {}
    for unit in units:
        flags = managers.get(unit.path, {})
        total, done = len(flags), sum(flags.values())
        results[unit.pk] = Result(
            met=bool(total) and done == total,
            figures={"completed": done, "managers": total},
            summary=figures_text % {"done": done, "total": total} if total else nobody,
        )
    return results


def manual_evidence(
    criterion: Criterion, units: Sequence[OrgUnit], today: datetime.date
) -> dict[int, Result]:
    """Met when HR approved evidence for the unit within the programme's validity (so that a
    renewal needs fresh evidence). One query: the evidence of these units, newest first."""
    from .models import Evidence, EvidenceStatus

    if not units:
        return {}
    since = months_before(today, criterion.programme.validity_months)
    latest: dict[int, Evidence] = {}
    approved: dict[int, Evidence] = {}
    # The units' subtrees rather than a list of a thousand ids (cheaper to build and to plan);
    # evidence of units not asked about is skipped below.
    wanted = {u.pk for u in units}
    evidence = (
        Evidence.objects.filter(criterion_id=criterion.pk)
        .filter(in_subtrees(units, "unit__path"))
        .order_by("-submitted_at", "-pk")
    )
    for item in evidence.only(
        "pk", "unit_id", "criterion_id", "status", "submitted_at", "reviewed_at", "hr_comment"
    ):
        if item.unit_id not in wanted:
            continue
        latest.setdefault(item.unit_id, item)
        if (
            item.status == EvidenceStatus.APPROVED
            and item.reviewed_at
            and item.reviewed_at.date() >= since
        ):
            approved.setdefault(item.unit_id, item)
    none_yet = str(_("No evidence submitted yet."))
    results = {}
    for unit in units:
        counted, last = approved.get(unit.pk), latest.get(unit.pk)
        if counted is not None:
            summary = _("Evidence approved on %(date)s.") % {
                "date": date_format(counted.reviewed_at.date(), "j F Y")
            }
        elif last is None:
            summary = none_yet
        elif last.status == EvidenceStatus.SUBMITTED:
            summary = _("Evidence submitted, waiting for HR's review.")
        elif last.status == EvidenceStatus.RETURNED:
            summary = _("Evidence returned by HR: %(comment)s") % {"comment": last.hr_comment}
        else:
            summary = _("The approved evidence is older than the programme's validity.")
        results[unit.pk] = Result(
            met=counted is not None,
            figures={"approved": int(counted is not None)},
            summary=str(summary),
            latest_evidence=last,
        )
    return results


register(
    "staff_share_completed",
    _("Share of the unit's staff who have completed a course"),
    staff_share_completed,
    needs_course=True,
    needs_percent=True,
    describe=lambda c: str(
        _("At least %(percent)s %% of the staff have completed %(course)s")
        % {"percent": c.percent, "course": _course_title(c)}
    ),
)
register(
    "managers_completed",
    _("Every manager of the unit has completed a course"),
    managers_completed,
    needs_course=True,
    describe=lambda c: str(
        _("Every manager has completed %(course)s") % {"course": _course_title(c)}
    ),
)
register(
    "manual",
    _("Evidence approved by HR (manual)"),
    manual_evidence,
    manual=True,
)
