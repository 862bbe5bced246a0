"""The sweep decides each reminder once; the sender sends one email per person and day."""

from __future__ import annotations

import datetime
import smtplib

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from assignments import services as assignment_services
from reminders import services
from reminders.models import Delivery, DeliveryStatus, Notice, NoticeKind
from tests.reminders.conftest import MONDAY, assign, at, complete, make_person

pytestmark = pytest.mark.django_db

TUESDAY = MONDAY + datetime.timedelta(days=1)
DAY = datetime.timedelta(days=1)


def keys(**filters) -> set[str]:
    return set(Notice.objects.filter(**filters).values_list("key", flat=True))


def test_due_soon_and_overdue_notices(world):
    soon = make_person(world.unit)
    late = make_person(world.unit)
    later = make_person(world.unit)
    due_soon = assign(soon, world.course, TUESDAY + 14 * DAY)
    overdue = assign(late, world.course, TUESDAY - DAY)
    assign(later, world.course, TUESDAY + 15 * DAY)  # outside the 14 days

    result = services.sweep(today=TUESDAY)

    assert keys() == {
        f"due_soon:{due_soon.pk}:{due_soon.due_on.isoformat()}",
        f"overdue:{overdue.pk}:2026-W45",
    }
    assert result.created == {NoticeKind.DUE_SOON: 1, NoticeKind.OVERDUE: 1}
    notice = Notice.objects.get(kind=NoticeKind.DUE_SOON)
    assert notice.user == soon.user and notice.assignment == due_soon
    assert notice.payload["course"] == "Likabehandling i praktiken"
    assert notice.payload["path"] == world.course.url
    assert notice.payload["due_on"] == due_soon.due_on.isoformat()


def test_sweep_is_idempotent(world):
    for _ in range(3):
        assign(make_person(world.unit), world.course, TUESDAY + 3 * DAY)
    assign(make_person(world.other), world.course, TUESDAY - 3 * DAY)
    first = services.sweep(today=TUESDAY)
    notices = list(Notice.objects.order_by("pk").values_list("pk", "key", "delivery_id"))
    deliveries = list(Delivery.objects.order_by("pk").values_list("pk", "user_id", "day"))

    second = services.sweep(today=TUESDAY)

    assert sum(first.created.values()) == 4
    assert sum(second.created.values()) == 0 and second.planned == 0
    assert list(Notice.objects.order_by("pk").values_list("pk", "key", "delivery_id")) == notices
    assert list(Delivery.objects.order_by("pk").values_list("pk", "user_id", "day")) == deliveries
    assert len(deliveries) == 4


def test_overdue_repeats_weekly_not_daily(world):
    late = make_person(world.unit)
    assignment = assign(late, world.course, TUESDAY - 10 * DAY)
    for day in range(7):  # Tuesday to Monday: two ISO weeks
        services.sweep(today=TUESDAY + day * DAY)
    assert keys(kind=NoticeKind.OVERDUE) == {
        f"overdue:{assignment.pk}:2026-W45",
        f"overdue:{assignment.pk}:2026-W46",
    }


@pytest.mark.parametrize(
    "case",
    [
        "leaver",
        "left_today",
        "inactive",
        "anonymised",
        "no_email",
        "unpublished",
        "exempted",
        "ended",
        "completed",
        "far_away",
    ],
)
def test_nobody_is_reminded_who_should_not_be(world, case):
    person = make_person(world.unit, email="" if case == "no_email" else None)
    course = world.course
    assignment = assign(person, course, TUESDAY + 2 * DAY)
    overdue = assign(person, world.second_course, TUESDAY - 2 * DAY)
    if case == "leaver":
        Person = type(person)
        Person.objects.filter(pk=person.pk).update(end_date=TUESDAY - 30 * DAY)
    elif case == "left_today":
        type(person).objects.filter(pk=person.pk).update(end_date=TUESDAY)
    elif case == "inactive":
        person.user.is_active = False
        person.user.save()
    elif case == "anonymised":
        type(person).objects.filter(pk=person.pk).update(anonymised_at=timezone.now())
    elif case == "unpublished":
        course.unpublish()
        world.second_course.unpublish()
    elif case == "exempted":
        for a in (assignment, overdue):
            assignment_services.exempt(assignment=a, by=world.manager.user, reason="Redan gått")
    elif case == "ended":
        type(assignment).objects.filter(pk__in=[assignment.pk, overdue.pk]).update(
            ended_at=timezone.now()
        )
    elif case == "completed":
        complete(person, course, on=TUESDAY - DAY)
        complete(person, world.second_course, on=TUESDAY - DAY)
    elif case == "far_away":
        type(assignment).objects.filter(pk=assignment.pk).update(due_on=TUESDAY + 60 * DAY)
        overdue.delete()

    services.sweep(today=TUESDAY)

    assert not Notice.objects.filter(user=person.user).exists()
    assert not Delivery.objects.filter(user=person.user).exists()


def test_a_future_end_date_is_a_notice_period_and_still_reminded(world):
    person = make_person(world.unit, end_date=TUESDAY + 30 * DAY)
    assign(person, world.course, TUESDAY + 2 * DAY)
    services.sweep(today=TUESDAY)
    assert Notice.objects.filter(user=person.user, kind=NoticeKind.DUE_SOON).exists()


def test_renewal_when_the_completion_lapses_within_30_days(world):
    renew = make_person(world.unit)
    fresh = make_person(world.unit)
    unassigned = make_person(world.unit)
    assign(renew, world.course, TUESDAY - 900 * DAY)
    assign(fresh, world.course, TUESDAY - 900 * DAY)
    old = complete(renew, world.course, on=TUESDAY - 1000 * DAY, valid_until=TUESDAY - 60 * DAY)
    lapsing = complete(renew, world.course, on=TUESDAY - 800 * DAY, valid_until=TUESDAY + 20 * DAY)
    complete(fresh, world.course, on=TUESDAY - 100 * DAY, valid_until=TUESDAY + 300 * DAY)
    complete(unassigned, world.course, on=TUESDAY - 800 * DAY, valid_until=TUESDAY + 5 * DAY)

    services.sweep(today=TUESDAY)

    assert keys(kind=NoticeKind.RENEWAL) == {f"renewal:{lapsing.pk}"}
    notice = Notice.objects.get(kind=NoticeKind.RENEWAL)
    assert notice.user == renew.user
    assert notice.payload["valid_until"] == (TUESDAY + 20 * DAY).isoformat()
    assert old.pk != lapsing.pk
    # Completed and valid: no due-soon or overdue reminder beside the renewal.
    assert Notice.objects.count() == 1


def test_one_email_per_person_and_day_with_all_their_reminders(world):
    person = make_person(world.unit)
    assign(person, world.course, TUESDAY - 5 * DAY)
    assign(person, world.second_course, TUESDAY + 5 * DAY)
    neighbour = make_person(world.unit)
    assign(neighbour, world.course, TUESDAY + 1 * DAY)
    services.sweep(today=TUESDAY)
    services.sweep(today=TUESDAY)

    result = services.send_due(now=at(TUESDAY, 8, 0))
    again = services.send_due(now=at(TUESDAY, 8, 15))

    assert (result.sent, again.sent) == (2, 0)
    assert len(mail.outbox) == 2
    email = next(m for m in mail.outbox if m.to == [person.user.email])
    assert "Likabehandling i praktiken" in email.body
    assert "Normkritik grund" in email.body
    assert f"http://localhost:8000{world.course.url}" in email.body
    assert "http://localhost:8000/mina-kurser/" in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html" and 'lang="sv"' in html
    assert f'href="http://localhost:8000{world.second_course.url}"' in html
    assert "november 2026" in email.body  # Swedish dates
    delivery = Delivery.objects.get(user=person.user)
    assert delivery.status == DeliveryStatus.SENT and delivery.sent_at is not None
    assert delivery.day == TUESDAY
    assert sorted(delivery.notices.values_list("kind", flat=True)) == ["due_soon", "overdue"]


def test_a_later_sweep_the_same_day_waits_for_the_next_email(world):
    person = make_person(world.unit)
    assign(person, world.course, TUESDAY + 2 * DAY)
    services.sweep(today=TUESDAY)
    services.send_due(now=at(TUESDAY, 9))
    assign(person, world.second_course, TUESDAY - 2 * DAY)  # assigned late, overdue at once
    services.sweep(today=TUESDAY)
    services.send_due(now=at(TUESDAY, 10))
    assert len(mail.outbox) == 1
    late = Notice.objects.get(kind=NoticeKind.OVERDUE)
    assert late.delivery is None  # not added to the email already sent

    services.sweep(today=TUESDAY + DAY)
    services.send_due(now=at(TUESDAY + DAY, 9))
    assert len(mail.outbox) == 2
    assert "Normkritik grund" in mail.outbox[1].body
    assert Delivery.objects.filter(user=person.user).count() == 2


def test_weekend_reminders_wait_for_monday_in_one_email(world):
    person = make_person(world.unit)
    assign(person, world.course, MONDAY + 12 * DAY)  # due soon from Saturday
    saturday, sunday = MONDAY + 5 * DAY, MONDAY + 6 * DAY
    services.sweep(today=saturday)
    assert services.send_due(now=at(saturday, 10)).window_closed
    assign(person, world.second_course, sunday - DAY)  # overdue on Sunday
    services.sweep(today=sunday)
    assert services.send_due(now=at(sunday, 10)).window_closed
    assert mail.outbox == []

    next_monday = MONDAY + 7 * DAY
    services.sweep(today=next_monday)
    services.send_due(now=at(next_monday, 8))

    mine = [m for m in mail.outbox if m.to == [person.user.email]]
    assert len(mine) == 1
    assert "Likabehandling i praktiken" in mine[0].body
    assert "Normkritik grund" in mine[0].body
    assert list(Delivery.objects.filter(user=person.user).values_list("day", flat=True)) == [
        next_monday
    ]


def test_an_email_not_sent_on_its_day_moves_to_the_next(world):
    person = make_person(world.unit)
    assign(person, world.course, TUESDAY + 2 * DAY)
    services.sweep(today=TUESDAY)  # planned for Tuesday, but Tuesday's window passes
    services.sweep(today=TUESDAY + DAY)
    services.send_due(now=at(TUESDAY + DAY, 9))
    assert len(mail.outbox) == 1
    assert list(Delivery.objects.values_list("day", "status")) == [
        (TUESDAY + DAY, DeliveryStatus.SENT)
    ]


def test_what_changed_since_the_sweep_is_not_sent(world):
    finished = make_person(world.unit)
    leaving = make_person(world.unit)
    assign(finished, world.course, TUESDAY + 2 * DAY)
    assign(leaving, world.course, TUESDAY + 2 * DAY)
    services.sweep(today=TUESDAY)
    complete(finished, world.course, on=TUESDAY)
    type(leaving).objects.filter(pk=leaving.pk).update(end_date=TUESDAY)

    result = services.send_due(now=at(TUESDAY, 9))

    assert (result.sent, result.skipped) == (0, 2)
    assert mail.outbox == []
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SKIPPED}


@pytest.mark.parametrize(
    "moment",
    [
        at(MONDAY + 5 * DAY, 10),  # Saturday
        at(MONDAY + 6 * DAY, 10),  # Sunday
        at(datetime.date(2026, 12, 24), 10),  # julafton, a Thursday
        at(datetime.date(2026, 6, 19), 10),  # midsommarafton, a Friday
        at(datetime.date(2026, 12, 31), 10),  # nyårsafton
        at(datetime.date(2026, 5, 14), 10),  # Kristi himmelsfärdsdag
        at(datetime.date(2027, 1, 6), 10),  # trettondedag jul
        at(TUESDAY, 7, 59),
        at(TUESDAY, 17, 0),
    ],
)
def test_nothing_is_sent_outside_the_send_window(world, moment):
    person = make_person(world.unit)
    assign(person, world.course, moment.date() - DAY)
    services.sweep(today=moment.date())
    result = services.send_due(now=moment)
    assert result.window_closed
    assert mail.outbox == []
    assert not Delivery.objects.exclude(status=DeliveryStatus.PENDING).exists()


def test_the_send_window_is_stockholm_time(world):
    person = make_person(world.unit)
    assign(person, world.course, TUESDAY - DAY)
    services.sweep(today=TUESDAY)
    # 06:30 UTC is 07:30 in Stockholm in November: closed. 07:00 UTC is 08:00: open.
    utc = datetime.UTC
    early = datetime.datetime.combine(TUESDAY, datetime.time(6, 30), tzinfo=utc)
    assert services.send_due(now=early).window_closed
    sent = services.send_due(
        now=datetime.datetime.combine(TUESDAY, datetime.time(7, 0), tzinfo=utc)
    )
    assert sent.sent == 1


@override_settings(REMINDER_SEND_HOURS=(9, 12))
def test_send_hours_come_from_the_settings(world):
    assign(make_person(world.unit), world.course, TUESDAY - DAY)
    services.sweep(today=TUESDAY)
    assert services.send_due(now=at(TUESDAY, 8, 30)).window_closed
    assert services.send_due(now=at(TUESDAY, 12, 0)).window_closed
    assert services.send_due(now=at(TUESDAY, 11, 59)).sent == 1


def test_manager_digest_on_mondays_lists_overdue_people_of_the_managed_units(world):
    late = make_person(world.unit)
    late.user.first_name, late.user.last_name = "Alva", "Sen"
    late.user.save()
    on_time = make_person(world.unit)
    elsewhere = make_person(world.other)
    elsewhere.user.first_name, elsewhere.user.last_name = "Bo", "Annanstans"
    elsewhere.user.save()
    no_email = make_person(world.unit, email="")
    no_email.user.first_name, no_email.user.last_name = "Cilla", "Utanpost"
    no_email.user.save()
    late_assignment = assign(late, world.course, MONDAY - 20 * DAY)
    assign(late, world.second_course, MONDAY - 3 * DAY)
    assign(on_time, world.course, MONDAY + 40 * DAY)
    assign(elsewhere, world.course, MONDAY - 1 * DAY)
    assign(no_email, world.course, MONDAY - 1 * DAY)
    assign(world.manager, world.second_course, MONDAY - 1 * DAY)  # not in their own digest

    services.sweep(today=TUESDAY)
    assert not Notice.objects.filter(kind=NoticeKind.MANAGER_DIGEST).exists()
    services.sweep(today=MONDAY)

    digest = Notice.objects.get(user=world.manager.user, kind=NoticeKind.MANAGER_DIGEST)
    assert digest.key == f"digest:{world.manager.user.pk}:2026-W45"
    assert digest.payload["people"] == 2
    assert [late.user.pk, late_assignment.pk] in digest.payload["overdue"]
    other = Notice.objects.get(user=world.other_manager.user, kind=NoticeKind.MANAGER_DIGEST)
    assert [u for u, _a in other.payload["overdue"]] == [elsewhere.user.pk]

    services.send_due(now=at(MONDAY, 8))
    to_manager = next(m for m in mail.outbox if m.to == [world.manager.user.email])
    assert "Alva Sen" in to_manager.body and "Cilla Utanpost" in to_manager.body
    assert "Enhet Ett" in to_manager.body
    assert "Bo Annanstans" not in to_manager.body  # another manager's unit: need-to-know
    # The manager's own overdue course comes as their own reminder in the same email.
    assert "Normkritik grund" in to_manager.body
    assert len([m for m in mail.outbox if m.to == [world.manager.user.email]]) == 1
    to_other = next(m for m in mail.outbox if m.to == [world.other_manager.user.email])
    assert "Bo Annanstans" in to_other.body and "Alva Sen" not in to_other.body


@override_settings(REMINDER_DIGEST_MAX_PEOPLE=2)
def test_a_long_digest_names_some_and_counts_the_rest(world):
    for _ in range(5):
        assign(make_person(world.unit), world.course, MONDAY - DAY)
    services.sweep(today=MONDAY)
    digest = Notice.objects.get(user=world.manager.user, kind=NoticeKind.MANAGER_DIGEST)
    assert digest.payload["people"] == 5 and len(digest.payload["overdue"]) == 2
    services.send_due(now=at(MONDAY, 8))
    to_manager = next(m for m in mail.outbox if m.to == [world.manager.user.email])
    assert "och 3 personer till" in to_manager.body


def test_a_mail_server_refusing_the_email_marks_it_failed_and_never_resends(world, monkeypatch):
    person = make_person(world.unit)
    assign(person, world.course, TUESDAY - DAY)
    services.sweep(today=TUESDAY)

    def refuse(self):
        raise smtplib.SMTPDataError(550, b"mailbox unavailable")

    from django.core.mail import EmailMultiAlternatives

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    result = services.send_due(now=at(TUESDAY, 9))
    monkeypatch.undo()
    assert result.failed == 1
    delivery = Delivery.objects.get(user=person.user)
    assert delivery.status == DeliveryStatus.FAILED and "550" in delivery.error
    services.send_due(now=at(TUESDAY, 10))
    assert mail.outbox == []


def test_an_unreachable_mail_server_keeps_the_emails_for_the_next_run(world, monkeypatch):
    assign(make_person(world.unit), world.course, TUESDAY - DAY)
    services.sweep(today=TUESDAY)
    from django.core.mail.backends.locmem import EmailBackend

    def down(self):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr(EmailBackend, "open", down, raising=False)
    result = services.send_due(now=at(TUESDAY, 9))
    monkeypatch.undo()
    assert result.sent == 0 and result.failed == 0
    assert Delivery.objects.get().status == DeliveryStatus.PENDING
    assert services.send_due(now=at(TUESDAY, 9, 15)).sent == 1


def test_a_crash_while_sending_never_leads_to_a_second_email(world, settings):
    person = make_person(world.unit)
    assign(person, world.course, TUESDAY - DAY)
    services.sweep(today=TUESDAY)
    # A worker claimed the email and died while handing it over.
    Delivery.objects.update(
        status=DeliveryStatus.SENDING, claimed_at=timezone.now(), claimed_by="gone:1"
    )

    assert services.send_due(now=at(TUESDAY, 9, 30)).sent == 0
    assert Delivery.objects.get().status == DeliveryStatus.SENDING  # perhaps still on its way
    timeout = datetime.timedelta(seconds=settings.REMINDER_CLAIM_TIMEOUT + 1)
    Delivery.objects.update(claimed_at=timezone.now() - timeout)
    assert services.send_due(now=at(TUESDAY, 10, 30)).recovered == 1
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.IN_DOUBT and "may or may not" in delivery.error
    services.send_due(now=at(TUESDAY, 11))
    assert mail.outbox == []


def test_a_lapsed_course_is_chased_weekly_like_an_overdue_one(world):
    lapsed = make_person(world.unit)
    assign(lapsed, world.course, MONDAY - 900 * DAY)
    complete(lapsed, world.course, on=MONDAY - 800 * DAY, valid_until=MONDAY - 10 * DAY)

    services.sweep(today=MONDAY)
    services.sweep(today=MONDAY + 7 * DAY)

    overdue = Notice.objects.filter(user=lapsed.user, kind=NoticeKind.OVERDUE)
    assert overdue.count() == 2  # one a week, until the course is done again
    assert not Notice.objects.filter(user=lapsed.user, kind=NoticeKind.DUE_SOON).exists()
    digest = Notice.objects.filter(user=world.manager.user, kind=NoticeKind.MANAGER_DIGEST)
    assert digest.exists()  # and the manager hears of it
