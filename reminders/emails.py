"""The reminder email: one per person and day, built from the notices its delivery carries.

Just before sending, every notice is checked against the current state (an assignment may
have been completed, exempted or ended since the sweep; the person may have left), so an
email only says what is still true. An email left with nothing to say is not sent.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_noop

from assignments.selectors import EXPIRED, TO_DO

from . import selectors
from .models import Delivery, NoticeKind

# Notes for HR's report, stored in English and translated when shown.
UNREACHABLE = gettext_noop(
    "The person can no longer be reached (left, deactivated or without an email address)."
)
NOTHING_LEFT = gettext_noop(
    "Nothing left to remind about: the courses were completed, exempted or ended."
)


def _reachable(user, today: datetime.date) -> bool:
    person = getattr(user, "person", None)
    return bool(
        user.is_active
        and user.email
        and person is not None
        and person.anonymised_at is None
        and (person.end_date is None or person.end_date > today)
    )


def _digest(payload: dict, facts: dict[int, dict], today: datetime.date) -> dict | None:
    people: dict[int, dict] = {}
    named = set()
    for user_id, assignment_id in payload.get("overdue", []):
        named.add(user_id)
        fact = facts.get(assignment_id)
        if not fact or not fact["open"]:
            continue
        if not selectors.chased_as_overdue(fact["state"], fact["due_on"], today):
            continue
        if not fact["person_reachable"]:
            continue
        entry = people.setdefault(
            user_id,
            {
                "name": f"{fact['user__first_name']} {fact['user__last_name']}".strip(),
                "unit": fact["user__person__unit__name"] or "",
                "courses": [],
            },
        )
        entry["courses"].append({"course": fact["course__title"], "due_on": fact["due_on"]})
    more = max(0, payload.get("people", 0) - len(named))
    if not people and not more:
        return None
    listed = sorted(people.values(), key=lambda p: (p["unit"], p["name"]))
    for entry in listed:
        entry["courses"].sort(key=lambda c: (c["due_on"], c["course"]))
    return {"people": listed, "more": more}


def _context(
    delivery: Delivery, facts, renewed, base: str, today: datetime.date, held=None
) -> dict | None:
    held = held or {}
    my_courses = base + reverse("courses:my_courses")
    overdue: dict[int, dict] = {}
    due_soon: dict[int, dict] = {}
    renewal: dict[int, dict] = {}
    digest = None
    goals: dict[tuple, dict] = {}
    meetings: dict[tuple, dict] = {}
    for notice in sorted(delivery.notices.all(), key=lambda n: (n.created_at, n.pk)):
        payload = notice.payload or {}
        if notice.kind == NoticeKind.GROUP_MODULE:
            # Only what is still true: a unit that has held the module since is left out.
            for item in payload.get("items", []):
                if item["module_id"] not in held.get(item["unit_id"], set()):
                    meetings[(item["unit"], item["module"])] = item
            continue
        if notice.kind == NoticeKind.HR_GOAL:
            # The newest week's decision per goal and unit wins; links to the drill-down.
            url = base + reverse("reports_coverage_unit", args=[payload["unit_id"]])
            if payload.get("course_id"):
                url += f"?course={payload['course_id']}"
            reaches_on = payload.get("reaches_on")
            goals[(payload["goal"], payload["unit_id"])] = {
                **payload,
                "url": url,
                "deadline": datetime.date.fromisoformat(payload["deadline"]),
                "reaches_on": datetime.date.fromisoformat(reaches_on) if reaches_on else None,
            }
            continue
        url = base + payload["path"] if payload.get("path") else my_courses
        if notice.kind == NoticeKind.MANAGER_DIGEST:
            digest = _digest(payload, facts, today) or digest  # the newest week's summary wins
            continue
        fact = facts.get(notice.assignment_id)
        if not fact or not fact["open"]:
            continue
        item = {"course": fact["course__title"], "url": url, "due_on": fact["due_on"]}
        if notice.kind == NoticeKind.RENEWAL:
            if (fact["user_id"], fact["course_id"]) in renewed or not payload.get("valid_until"):
                continue
            item["valid_until"] = datetime.date.fromisoformat(payload["valid_until"])
            # Lapsed and renewed since the notice was decided: the new round's due date.
            if fact["state"] == EXPIRED and fact["due_on"] >= today:
                item["renew_by"] = fact["due_on"]
            renewal[notice.assignment_id] = item
        elif selectors.chased_as_overdue(fact["state"], fact["due_on"], today):
            # The state now decides: a "due soon" notice whose date has passed says overdue.
            overdue[notice.assignment_id] = item
        elif fact["state"] in TO_DO and fact["due_on"] >= today:
            due_soon[notice.assignment_id] = item
    if not (overdue or due_soon or renewal or digest or goals or meetings):
        return None
    user = delivery.user

    def by_date(items, key):
        return sorted(items.values(), key=lambda i: (i[key], i["course"]))

    return {
        "name": user.first_name or user.get_full_name(),
        "overdue": by_date(overdue, "due_on"),
        "due_soon": by_date(due_soon, "due_on"),
        "renewal": by_date(renewal, "valid_until"),
        "digest": digest,
        "hr_goals": sorted(goals.values(), key=lambda g: (g["deadline"], g["goal"], g["unit"])),
        "group_modules": [meetings[k] for k in sorted(meetings)],
        "meetings_url": base + reverse("workplace_meetings:meeting_list"),
        "my_courses_url": my_courses,
        "site_name": settings.WAGTAIL_SITE_NAME,
    }


def _held_group_modules(deliveries, today: datetime.date) -> dict[int, set[int]]:
    """Units → group modules held in the period, for the units the batch's notices name."""
    unit_ids = {
        item["unit_id"]
        for delivery in deliveries
        for notice in delivery.notices.all()
        if notice.kind == NoticeKind.GROUP_MODULE
        for item in (notice.payload or {}).get("items", [])
    }
    if not unit_ids:
        return {}
    from workplace_meetings.selectors import modules_held_by_unit, period_start

    return modules_held_by_unit(unit_ids, period_start(today))


def render(context: dict) -> tuple[str, str, str]:
    """Subject, plain text and HTML of a reminder email."""
    subject = " ".join(render_to_string("reminders/email_subject.txt", context).split())
    text = render_to_string("reminders/email_body.txt", context)
    html = render_to_string("reminders/email_body.html", context)
    return subject, text, html


def build(
    ids: list[int], today: datetime.date
) -> dict[int, tuple[EmailMultiAlternatives | None, str]]:
    """The emails of these deliveries (None with a reason where there is nothing to send),
    in a fixed number of queries for the whole batch."""
    deliveries = list(
        Delivery.objects.filter(pk__in=ids)
        .select_related("user", "user__person")
        .prefetch_related("notices")
    )
    assignment_ids: set[int] = set()
    for delivery in deliveries:
        for notice in delivery.notices.all():
            if notice.assignment_id:
                assignment_ids.add(notice.assignment_id)
            if notice.kind == NoticeKind.MANAGER_DIGEST:
                assignment_ids.update(a for _u, a in notice.payload.get("overdue", []))
    facts = selectors.assignment_facts(assignment_ids, today)
    lapsing: dict[tuple[int, int], datetime.date] = {}
    for delivery in deliveries:
        for notice in delivery.notices.all():
            fact = facts.get(notice.assignment_id)
            if notice.kind == NoticeKind.RENEWAL and fact and notice.payload.get("valid_until"):
                pair = (fact["user_id"], fact["course_id"])
                valid_until = datetime.date.fromisoformat(notice.payload["valid_until"])
                lapsing[pair] = min(valid_until, lapsing.get(pair, valid_until))
    renewed = selectors.completions_lasting(lapsing, after=lapsing)
    held = _held_group_modules(deliveries, today)
    base = settings.REMINDER_BASE_URL.rstrip("/")
    messages: dict[int, tuple[EmailMultiAlternatives | None, str]] = {}
    with translation.override(settings.LANGUAGE_CODE):
        for delivery in deliveries:
            if not _reachable(delivery.user, today):
                messages[delivery.pk] = (None, UNREACHABLE)
                continue
            context = _context(delivery, facts, renewed, base, today, held)
            if context is None:
                messages[delivery.pk] = (None, NOTHING_LEFT)
                continue
            subject, text, html = render(context)
            message = EmailMultiAlternatives(
                subject,
                text,
                settings.DEFAULT_FROM_EMAIL,
                [delivery.user.email],
                headers={"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"},
            )
            message.attach_alternative(html, "text/html")
            messages[delivery.pk] = (message, "")
    for delivery_id in ids:  # a delivery deleted meanwhile: nothing to send
        messages.setdefault(delivery_id, (None, NOTHING_LEFT))
    return messages
