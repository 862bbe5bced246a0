"""Reads for reminders: who may be reminded, which assignments call for a notice, the report.

Every query here works on a range of assignment ids, so that the sweep reads a million open
assignments in slices of constant size, and uses `assignments.selectors.with_state` as the one
definition of an assignment's state.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery

from assignments.models import Assignment
from assignments.selectors import EXPIRED, OVERDUE, TO_DO, open_assignments, with_state
from people.models import OrgUnit
from people.selectors import is_hr, people_in_scope
from progress.models import Completion

from .models import Delivery, Notice


def reachable(today: datetime.date, prefix: str = "") -> Q:
    """People who may get reminders or be named in one: employed, active and not anonymised.

    (Whether they have an email address is checked where an email is to be sent.)
    """
    p = f"{prefix}person__"
    return Q(
        **{f"{prefix}is_active": True, f"{p}isnull": False, f"{p}anonymised_at__isnull": True}
    ) & (Q(**{f"{p}end_date__isnull": True}) | Q(**{f"{p}end_date__gt": today}))


def has_email(prefix: str = "") -> Q:
    return ~Q(**{f"{prefix}email": ""})


def _remindable(today: datetime.date, lo: int, hi: int) -> QuerySet[Assignment]:
    """Open, not exempted assignments of live courses, of reachable people, in [lo, hi)."""
    return (
        open_assignments()
        .filter(pk__gte=lo, pk__lt=hi, exempted_at__isnull=True, course__live=True)
        .filter(reachable(today, "user__"))
    )


def assignment_id_range() -> tuple[int, int] | None:
    first = open_assignments().order_by("pk").values_list("pk", flat=True).first()
    if first is None:
        return None
    last = open_assignments().order_by("-pk").values_list("pk", flat=True).first()
    return first, last


def chased_as_overdue(state: str, due_on: datetime.date, today: datetime.date) -> bool:
    """Overdue, or lapsed (expired) after its due date: both get the weekly overdue reminder
    and a place in the manager's summary until the course is done again."""
    return state == OVERDUE or (state == EXPIRED and due_on < today)


def due_candidates(*, today: datetime.date, lo: int, hi: int) -> QuerySet:
    """Assignments still to do that are overdue or due within REMINDER_DUE_SOON_DAYS, as
    tuples (id, user id, course id, due date, state, the person's unit id, email)."""
    horizon = today + datetime.timedelta(days=settings.REMINDER_DUE_SOON_DAYS)
    return (
        with_state(_remindable(today, lo, hi).filter(due_on__lte=horizon), today)
        .filter(state__in=TO_DO)
        .order_by("pk")
        .values_list(
            "pk", "user_id", "course_id", "due_on", "state", "user__person__unit_id", "user__email"
        )
    )


def renewal_candidates(*, today: datetime.date, lo: int, hi: int) -> QuerySet:
    """Open assignments whose latest completion lapses within REMINDER_RENEWAL_DAYS (or has
    lapsed) while no completion lasts beyond that, as tuples (id, user id, course id,
    completion id, valid until)."""
    horizon = today + datetime.timedelta(days=settings.REMINDER_RENEWAL_DAYS)
    same = {"user_id": OuterRef("user_id"), "course_id": OuterRef("course_id")}
    lapsing = Completion.objects.filter(valid_until__lte=horizon, **same)
    lasting = Completion.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=horizon), **same
    )
    latest = lapsing.order_by(F("valid_until").desc(), "-completed_at", "-pk")
    return (
        _remindable(today, lo, hi)
        .filter(has_email("user__"))
        .filter(Exists(lapsing), ~Exists(lasting))
        .annotate(
            completion_id=Subquery(latest.values("pk")[:1]),
            lapses_on=Subquery(latest.values("valid_until")[:1]),
        )
        .order_by("pk")
        .values_list("pk", "user_id", "course_id", "completion_id", "lapses_on")
    )


def unit_managers_all() -> list[tuple[int, int]]:
    """(unit id, manager user id) for every managed unit: about one row per unit."""
    return list(OrgUnit.managers.through.objects.values_list("orgunit_id", "user_id"))


def reachable_with_email(user_ids, today: datetime.date) -> set[int]:
    return set(
        get_user_model()
        .objects.filter(pk__in=list(user_ids))
        .filter(reachable(today), has_email())
        .values_list("pk", flat=True)
    )


def assignment_facts(ids, today: datetime.date) -> dict[int, dict]:
    """What the sender re-checks before an email leaves, for a batch of assignments."""
    rows = with_state(Assignment.objects.filter(pk__in=list(ids)), today).values(
        "pk",
        "user_id",
        "course_id",
        "due_on",
        "state",
        "ended_at",
        "exempted_at",
        "course__live",
        "course__title",
        "user__first_name",
        "user__last_name",
        "user__is_active",
        "user__person__anonymised_at",
        "user__person__end_date",
        "user__person__unit__name",
    )
    facts = {}
    for row in rows:
        end_date = row["user__person__end_date"]
        row["open"] = row["ended_at"] is None and row["exempted_at"] is None and row["course__live"]
        row["person_reachable"] = (
            row["user__is_active"]
            and row["user__person__anonymised_at"] is None
            and (end_date is None or end_date > today)
        )
        facts[row["pk"]] = row
    return facts


def completions_lasting(pairs, *, after: dict[tuple[int, int], datetime.date]) -> set:
    """The (user id, course id) pairs with a completion valid beyond `after[pair]`
    (renewed since the renewal notice was decided)."""
    pairs = set(pairs)
    if not pairs:
        return set()
    rows = Completion.objects.filter(
        user_id__in={u for u, _c in pairs}, course_id__in={c for _u, c in pairs}
    ).values_list("user_id", "course_id", "valid_until")
    renewed = set()
    for user_id, course_id, valid_until in rows:
        pair = (user_id, course_id)
        if pair in pairs and (valid_until is None or valid_until > after[pair]):
            renewed.add(pair)
    return renewed


# The sender ----------------------------------------------------------------------------------


def live_sessions(pids) -> dict[int, datetime.datetime]:
    """Which of these PostgreSQL sessions (backend pids) still exist, with when each started.
    Empty on other databases, which cannot tell: there, age alone decides."""
    pids = sorted(pids)
    if not pids or connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, backend_start FROM pg_stat_activity WHERE pid = ANY(%s)", [pids]
        )
        return dict(cursor.fetchall())


# HR's report ---------------------------------------------------------------------------------


def may_see_report(user) -> bool:
    return user.is_active and (user.is_superuser or is_hr(user))


def deliveries_for(user) -> QuerySet[Delivery]:
    """The reminder emails of the people this user may see (need-to-know), newest first."""
    deliveries = Delivery.objects.all()
    if not user.is_superuser:
        deliveries = deliveries.filter(user_id__in=people_in_scope(user).values("user_id"))
    return deliveries.select_related("user").order_by("-day", "-pk")


def kinds_by_delivery(delivery_ids) -> dict[int, list[str]]:
    kinds: dict[int, list[str]] = {}
    rows = (
        Notice.objects.filter(delivery_id__in=list(delivery_ids))
        .values_list("delivery_id", "kind")
        .distinct()
        .order_by("delivery_id", "kind")
    )
    for delivery_id, kind in rows:
        kinds.setdefault(delivery_id, []).append(kind)
    return kinds


def hr_scopes() -> list[tuple[int, str]]:
    """(HR user id, path of a unit in their scope) for active users in the HR group."""
    from people.models import HRScope
    from people.selectors import HR_GROUP

    return list(
        HRScope.objects.filter(user__is_active=True, user__groups__name=HR_GROUP)
        .values_list("user_id", "unit__path")
        .distinct()
    )
