"""Reads for workplace meetings: who may do what, the lists a meeting shows, HR's figures.

Need-to-know: a manager plans and holds meetings for the units they manage (and the units
below them) and sees only those people, plus guests they added from their own scope; the
facilitator named on a meeting may hold it; HR sees figures within its HR scope.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from wagtail.models import Page

from people.models import OrgUnit, Person
from people.selectors import hr_units, is_hr
from progress.services import add_months

from .models import Attendance, MeetingStatus, WorkplaceMeeting

User = get_user_model()


def _subtrees(units: Iterable[OrgUnit]) -> Q:
    condition = Q(pk__in=[])
    for unit in units:
        condition |= Q(path__startswith=unit.path)
    return condition


def managed_units(user) -> QuerySet[OrgUnit]:
    """The units the user manages and every unit below them (never HR's scope: HR does not
    plan other people's meetings)."""
    if not user.is_authenticated:
        return OrgUnit.objects.none()
    roots = list(OrgUnit.objects.filter(managers=user))
    if not roots:
        return OrgUnit.objects.none()
    return OrgUnit.objects.filter(_subtrees(roots), active=True)


def may_plan(user, unit: OrgUnit) -> bool:
    return managed_units(user).filter(pk=unit.pk).exists()


def may_correct(user, meeting: WorkplaceMeeting) -> bool:
    return managed_units(user).filter(pk=meeting.unit_id).exists()


def may_run(user, meeting: WorkplaceMeeting) -> bool:
    """The unit's manager, or the facilitator named on the meeting."""
    if user.is_authenticated and meeting.facilitator_id == user.pk:
        return True
    return may_correct(user, meeting)


def meetings_for(user) -> QuerySet[WorkplaceMeeting]:
    """The meetings the user may open: those of the units they manage, and those they lead."""
    if not user.is_authenticated:
        return WorkplaceMeeting.objects.none()
    return (
        WorkplaceMeeting.objects.filter(Q(unit__in=managed_units(user)) | Q(facilitator=user))
        .select_related("unit", "module", "facilitator")
        .distinct()
    )


def meeting_for(user, meeting_id: int) -> WorkplaceMeeting:
    """The meeting if the user may open it; WorkplaceMeeting.DoesNotExist otherwise (also when
    it exists: other people's meetings do not exist for them)."""
    return meetings_for(user).get(pk=meeting_id)


def group_modules() -> QuerySet:
    """Live modules meant for group viewing, in course order."""
    from modules.models import ModulePage

    return ModulePage.objects.live().filter(for_group_viewing=True).order_by("path")


def _current(people: QuerySet[Person], day: datetime.date | None = None) -> QuerySet[Person]:
    day = day or timezone.localdate()
    return people.filter(Q(end_date__isnull=True) | Q(end_date__gt=day), anonymised_at__isnull=True)


def has_current_staff(unit_ref: str = "pk", day: datetime.date | None = None) -> Exists:
    """For filtering or annotating units: the unit has current staff of its own on `day`
    (today), i.e. it is a workplace that holds meetings."""
    return Exists(_current(Person.objects.filter(unit_id=OuterRef(unit_ref)), day))


def course_titles(modules: Iterable[Page]) -> dict[str, str]:
    """The parent course's title per module path prefix (`module.path[:-Page.steplen]`), in one
    query, for labelling modules with their course."""
    return dict(
        Page.objects.filter(path__in={m.path[: -Page.steplen] for m in modules}).values_list(
            "path", "title"
        )
    )


def unit_people(unit_id: int) -> QuerySet[Person]:
    """The unit's own current staff: the list a meeting is ticked from."""
    return (
        _current(Person.objects.filter(unit_id=unit_id))
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
    )


def guest_scope(actor, meeting: WorkplaceMeeting) -> QuerySet[Person]:
    """Who may be added as a guest: current people in the units the actor manages (a
    facilitator who manages nothing adds from the planner's scope), outside the meeting's unit."""
    scope_owner = actor
    if not OrgUnit.objects.filter(managers=actor).exists() and meeting.planned_by_id:
        scope_owner = meeting.planned_by
    return _current(Person.objects.filter(unit__in=managed_units(scope_owner))).exclude(
        unit_id=meeting.unit_id
    )


def guest_search(actor, meeting: WorkplaceMeeting, query: str, limit: int = 20) -> list[Person]:
    query = query.strip()
    if len(query) < 2:
        return []
    terms = Q()
    for word in query.split()[:3]:
        terms &= (
            Q(user__first_name__icontains=word)
            | Q(user__last_name__icontains=word)
            | Q(employee_number__iexact=word)
        )
    already = Attendance.objects.filter(meeting=meeting).values("user_id")
    return list(
        guest_scope(actor, meeting)
        .filter(terms)
        .exclude(user_id__in=already)
        .select_related("user", "unit")
        .order_by("user__last_name", "user__first_name")[:limit]
    )


@dataclass
class ListedPerson:
    user_id: int
    name: str
    unit_name: str
    is_guest: bool
    present: bool


def attendance_list(meeting: WorkplaceMeeting) -> list[ListedPerson]:
    """The unit's staff and the added guests, with who is marked present. Two queries."""
    rows = {
        a.user_id: a
        for a in Attendance.objects.filter(meeting=meeting).select_related(
            "user", "user__person__unit"
        )
    }
    listed = []
    for person in unit_people(meeting.unit_id):
        row = rows.pop(person.user_id, None)
        listed.append(
            ListedPerson(
                person.user_id, person.user.get_full_name(), "", False, bool(row and row.present)
            )
        )
    # Rows left: guests, and people who were present but have since left the unit.
    for row in sorted(rows.values(), key=lambda r: (r.user.last_name, r.user.first_name)):
        unit = getattr(getattr(row.user, "person", None), "unit", None)
        listed.append(
            ListedPerson(
                row.user_id, row.user.get_full_name(), unit.name if unit else "", True, row.present
            )
        )
    return listed


def allowed_attendee_ids(meeting: WorkplaceMeeting) -> set[int]:
    """Who may be marked present: the unit's current staff, the guests added, and whoever was
    present already (a correction may keep someone who left the unit since)."""
    ids = set(unit_people(meeting.unit_id).values_list("user_id", flat=True))
    ids |= set(Attendance.objects.filter(meeting=meeting).values_list("user_id", flat=True))
    return ids


def period_start(today: datetime.date | None = None) -> datetime.date:
    """The first day of the period in which a held meeting counts (12 months by default)."""
    today = today or timezone.localdate()
    return add_months(today, -settings.WORKPLACE_MEETING_PERIOD_MONTHS) + datetime.timedelta(days=1)


def credits_for(user, module_ids: Iterable[int]) -> dict[int, datetime.date]:
    """module id → the meeting day, for the learner's modules completed by group credit."""
    from progress.models import ModuleProgress

    return {
        module_id: day
        for module_id, day in ModuleProgress.objects.filter(
            course_progress__user=user,
            module_id__in=list(module_ids),
            completed_at__isnull=False,
            credit_key__startswith="workplace_meeting:",
        ).values_list("module_id", "credited_on")
    }


# --- For HR, certification and reminders ------------------------------------------------------


def modules_held_by_unit(
    unit_ids: Iterable[int], since: datetime.date, module_ids: Iterable[int] | None = None
) -> dict[int, set[int]]:
    """Units → ids of the group modules they held at a meeting marked held on or after `since`.

    Public for the certification app ("both APT films held in the last 12 months") and the
    reminders. One query whatever the number of units; units that held nothing are absent.
    """
    meetings = WorkplaceMeeting.objects.filter(
        unit_id__in=list(unit_ids), status=MeetingStatus.HELD, date__gte=since
    )
    if module_ids is not None:
        meetings = meetings.filter(module_id__in=list(module_ids))
    held: dict[int, set[int]] = defaultdict(set)
    for unit_id, module_id in meetings.values_list("unit_id", "module_id").distinct():
        held[unit_id].add(module_id)
    return dict(held)


@dataclass
class UnitHolding:
    unit: OrgUnit
    held: int = 0  # units in the subtree (this one included) that held the module
    total: int = 0  # units in the subtree with staff (the ones that hold meetings)

    @property
    def percent(self) -> int | None:
        return round(100 * self.held / self.total) if self.total else None


@dataclass
class ModuleHolding:
    module: Page
    course_title: str
    held: int = 0
    total: int = 0
    rows: list[UnitHolding] = field(default_factory=list)  # the shown unit's children
    not_held: list[tuple[OrgUnit, list[str]]] = field(default_factory=list)  # unit, managers

    @property
    def percent(self) -> int | None:
        return round(100 * self.held / self.total) if self.total else None


def hr_roots(user) -> list[OrgUnit]:
    units = sorted(hr_units(user).filter(active=True), key=lambda u: u.path)
    roots: list[OrgUnit] = []
    for unit in units:
        if not roots or not unit.path.startswith(roots[-1].path):
            roots.append(unit)
    return roots


def may_view_figures(user) -> bool:
    return user.is_authenticated and user.is_active and (user.is_superuser or is_hr(user))


def group_module_figures(
    *, roots: list[OrgUnit], today: datetime.date | None = None
) -> list[ModuleHolding]:
    """Per group module: how many units below `roots` held it in the period, rolled up to each
    root's children as the coverage figures are, and which units have not (with managers).

    A unit counts when it is active and has current staff of its own (where meetings are held).
    A fixed number of queries whatever the number of units, modules or people.
    """
    if not roots:
        return []
    since = period_start(today)
    modules = list(group_modules())
    if not modules:
        return []
    courses = course_titles(modules)
    # The units with "has current staff of its own" in the same query (one fewer round trip
    # and no list of a thousand ids sent back).
    units = list(
        OrgUnit.objects.filter(_subtrees(roots), active=True)
        .annotate(has_staff=has_current_staff())
        .order_by("path")
    )
    by_id = {u.pk: u for u in units}
    counted = [u for u in units if u.has_staff]
    held = modules_held_by_unit([u.pk for u in counted], since, [m.pk for m in modules])
    managers: dict[int, list[str]] = defaultdict(list)
    for unit_id, first, last in (
        OrgUnit.managers.through.objects.filter(orgunit_id__in=[u.pk for u in counted])
        .order_by("user__last_name", "user__first_name")
        .values_list("orgunit_id", "user__first_name", "user__last_name")
    ):
        managers[unit_id].append(f"{first} {last}".strip())

    # The rows shown: each root's children (the root itself when it has none).
    shown = [
        u for u in units if any(u.depth == r.depth + 1 and u.path.startswith(r.path) for r in roots)
    ] or roots
    result = []
    for module in modules:
        figures = ModuleHolding(
            module=module, course_title=courses.get(module.path[: -Page.steplen], "")
        )
        rows = {u.path: UnitHolding(unit=u) for u in shown}
        for unit in counted:
            did = module.pk in held.get(unit.pk, set())
            figures.total += 1
            figures.held += did
            # Rolled up: the unit counts in every shown unit above it (or itself).
            for end in range(OrgUnit.steplen, len(unit.path) + 1, OrgUnit.steplen):
                row = rows.get(unit.path[:end])
                if row is not None:
                    row.total += 1
                    row.held += did
            if not did:
                figures.not_held.append((by_id[unit.pk], managers.get(unit.pk, [])))
        figures.rows = list(rows.values())
        result.append(figures)
    return result


def units_missing_group_modules(today: datetime.date) -> list[tuple[int, int, str, int, str]]:
    """For the managers' reminder: (manager id, unit id, unit name, module id, module title)
    for every active unit with staff of its own and a manager that has not held a required
    group module in the period and has no meeting of it planned. Three queries, whatever the
    number of units, managers or people: the modules, the managed units that have staff, and
    the (unit, module) pairs already held or planned."""
    modules = list(group_modules().filter(is_required=True).only("pk", "title", "path"))
    if not modules:
        return []
    managed = list(
        OrgUnit.managers.through.objects.filter(orgunit__active=True)
        .filter(has_current_staff("orgunit_id"))
        .values_list("orgunit_id", "user_id", "orgunit__name")
    )
    module_ids = [m.pk for m in modules]
    covered = set(
        WorkplaceMeeting.objects.filter(module_id__in=module_ids)
        .filter(
            Q(status=MeetingStatus.HELD, date__gte=period_start(today))
            | Q(status=MeetingStatus.PLANNED, date__gte=today)
        )
        .values_list("unit_id", "module_id")
        .distinct()
    )
    return [
        (manager_id, unit_id, unit_name, module.pk, module.title)
        for unit_id, manager_id, unit_name in sorted(managed, key=lambda r: (r[1], r[2]))
        for module in modules
        if (unit_id, module.pk) not in covered
    ]


@dataclass
class PeriodHolding:
    """One group module in a period, for the active-measures report."""

    course_title: str
    module_title: str
    meetings: int = 0  # meetings held in the period
    workplaces_held: int = 0  # workplaces (units with staff) that held it at least once
    workplaces: int = 0  # workplaces in the subtree on the period's last day
    present: int = 0  # people marked present (a person at two meetings counts once)


def held_in_period(root: OrgUnit, start: datetime.date, end: datetime.date) -> list[PeriodHolding]:
    """Per live group module: meetings held in `root`'s subtree between `start` and `end`, the
    workplaces that held it of all of them, and the people present. Five queries whatever the
    number of units, meetings or people."""
    modules = list(group_modules().only("pk", "title", "path"))
    if not modules:
        return []
    step = Page.steplen
    courses = course_titles(modules)
    workplaces = (
        OrgUnit.objects.filter(path__startswith=root.path, active=True)
        .filter(has_current_staff(day=end))
        .count()
    )
    held = WorkplaceMeeting.objects.filter(
        unit__path__startswith=root.path,
        status=MeetingStatus.HELD,
        date__gte=start,
        date__lte=end,
        module_id__in=[m.pk for m in modules],
    )
    counts = {
        row["module_id"]: row
        for row in held.values("module_id")
        .order_by()
        .annotate(meetings=Count("pk"), units=Count("unit_id", distinct=True))
    }
    present = dict(
        Attendance.objects.filter(meeting__in=held, present=True)
        .values("meeting__module_id")
        .order_by()
        .annotate(n=Count("user_id", distinct=True))
        .values_list("meeting__module_id", "n")
    )
    return [
        PeriodHolding(
            course_title=courses.get(m.path[:-step], ""),
            module_title=m.title,
            meetings=counts.get(m.pk, {}).get("meetings", 0),
            workplaces_held=counts.get(m.pk, {}).get("units", 0),
            workplaces=workplaces,
            present=present.get(m.pk, 0),
        )
        for m in modules
    ]
