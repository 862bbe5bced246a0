"""The certification criterion "group modules held at a workplace meeting".

Borås' normdiplomering has two films that every workplace shows at its APT; a certification
programme can require that each workplace in the unit held them within the last months. A
"workplace" is a unit with current staff of its own: an administration is met when every
workplace below it (itself included, if it has staff) held every module asked for.

Registered from `WorkplaceMeetingsConfig.ready()` into `certification.evaluators`, so the
certification app does not import this one.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.models import Page

from people.models import OrgUnit

from .selectors import course_titles, group_modules, has_current_staff, modules_held_by_unit

KIND = "group_modules_held"


def module_choices() -> list[tuple[int, str]]:
    """The live group modules, labelled with their course: what an editor may require."""
    modules = list(group_modules().only("pk", "path", "title"))
    courses = course_titles(modules)  # one query for all, not one per module
    step = Page.steplen
    return [
        (m.pk, f"{courses[m.path[:-step]]} – {m.title}" if m.path[:-step] in courses else m.title)
        for m in modules
    ]


def _workplaces(units: Sequence[OrgUnit], today: datetime.date) -> list[tuple[int, str]]:
    """(id, path) of the active units in the given subtrees that have current staff of their
    own. One query."""
    from certification.evaluators import in_subtrees

    return list(
        OrgUnit.objects.filter(in_subtrees(units, "path"), active=True)
        .filter(has_current_staff(day=today))
        .values_list("pk", "path")
    )


def group_modules_held(criterion, units: Sequence[OrgUnit], today: datetime.date) -> dict:
    """Two queries whatever the number of units: the workplaces, and the modules they held."""
    from certification import evaluators

    if not units:
        return {}
    wanted = {int(pk) for pk in criterion.module_ids}
    since = evaluators.months_before(today, criterion.months or 12)
    workplaces = _workplaces(units, today)
    held = modules_held_by_unit([pk for pk, _path in workplaces], since, wanted)
    rows = {path: [1, int(wanted <= held.get(pk, set()))] for pk, path in workplaces}
    totals = evaluators.roll_up(rows, OrgUnit.steplen)
    results = {}
    for unit in units:
        total, done = totals.get(unit.path, (0, 0))
        if not total:
            summary = str(_("Nobody is employed in the unit."))
        elif total == 1 and unit.path in rows:
            # A single workplace: say how many of the modules it held.
            count = len(wanted & held.get(unit.pk, set()))
            summary = ngettext(
                "%(held)s of %(wanted)s module held at a workplace meeting in the last "
                "%(months)s months.",
                "%(held)s of %(wanted)s modules held at a workplace meeting in the last "
                "%(months)s months.",
                len(wanted),
            ) % {"held": count, "wanted": len(wanted), "months": criterion.months}
        else:
            summary = str(
                _(
                    "%(done)s of %(total)s workplaces have held every module at a workplace "
                    "meeting in the last %(months)s months."
                )
                % {"done": done, "total": total, "months": criterion.months}
            )
        results[unit.pk] = evaluators.Result(
            met=bool(total) and done == total,
            figures={"workplaces": total, "held_all": done, "modules": len(wanted)},
            summary=summary,
        )
    return results


def describe(criterion) -> str:
    count = len(criterion.module_ids or [])
    return ngettext(
        "%(count)s group module held at a workplace meeting in the last %(months)s months",
        "%(count)s group modules held at a workplace meeting in the last %(months)s months",
        count,
    ) % {"count": count, "months": criterion.months}


def register() -> None:
    from certification import evaluators

    evaluators.register(
        KIND,
        _("Group modules held at a workplace meeting (APT)"),
        group_modules_held,
        needs_modules=True,
        needs_months=True,
        describe=describe,
        module_choices=module_choices,
    )
