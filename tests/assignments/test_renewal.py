"""Renewal: a lapsed completion of an assigned course opens a new round (issue 12, item 3).

`Completion.valid_until` is the last valid day; the day after it (local date, Europe/Stockholm)
is the expiry day, when the daily sweep (or the learner opening the course) opens round N+1
and the assignment is due the rule's days after the expiry day.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from assignments import selectors, services, tasks
from assignments.models import Assignment, AssignmentRule
from progress import selectors as progress_selectors
from progress.models import Completion, CourseProgress, ModuleProgress
from quizzes.models import QuizAttempt
from tests.assignments.conftest import make_person
from tests.factories import answer_quiz, make_course, make_quiz
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")
DAY0 = datetime.datetime(2026, 1, 15, 10, 0, tzinfo=STOCKHOLM)
LAST_VALID_DAY = datetime.date(2029, 1, 15)  # 36 months after day 0
EXPIRY_DAY = datetime.date(2029, 1, 16)


def at(day: datetime.date, hour: int = 10):
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(hour), tzinfo=STOCKHOLM), tick=False
    )


def take_course(client, learner, course) -> None:
    """Through the learner's pages: module 1 marked done, module 2's final test passed."""
    first, second = [m.specific for m in course.get_children().order_by("path")]
    client.force_login(learner)  # years later: the session has long expired
    assert client.get(course.url).status_code == 200
    assert client.get(first.url).status_code == 200
    assert client.post(f"/progress/modules/{first.pk}/complete/").status_code == 302
    assert client.get(second.url).status_code == 200
    block_id = next(b.id for b in second.body if b.block_type == "quiz")
    response = client.post(f"/modules/{second.pk}/quiz/{block_id}/")
    assert response.status_code == 302, response
    attempt = QuizAttempt.objects.filter(user=learner, submitted_at__isnull=True).get()
    answer_quiz(learner, attempt)
    assert client.post(f"/quiz/attempts/{attempt.pk}/review/").status_code == 302
    attempt.refresh_from_db()
    assert attempt.passed


@pytest.fixture
def metoo(catalogue):
    quiz = make_quiz(questions=2, max_attempts=2)
    return make_course(catalogue, title="#metoo", modules=2, quiz=quiz, validity_months=36)


@pytest.fixture
def assigned(org, metoo):
    person = make_person(org["home_care"])
    AssignmentRule.objects.create(name="Alla", course=metoo, unit=org["root"], due_days=60)
    return person


def test_acceptance_completion_lapses_after_36_months_and_is_renewed(client, metoo, assigned):
    learner = assigned.user
    client.force_login(learner)
    with at(DAY0.date()):
        services.evaluate_rules()
        take_course(client, learner, metoo)
    first = Completion.objects.get(user=learner, course_id=metoo.pk)
    assert first.valid_until == LAST_VALID_DAY

    # The last valid day: still completed, nothing to renew, the learner cannot start over.
    with at(LAST_VALID_DAY, hour=23):
        assert tasks.renew_lapsed.apply().successful()
        assert CourseProgress.objects.filter(user=learner).count() == 1
        assert selectors.state_of(user=learner, course_id=metoo.pk) == selectors.COMPLETED

    # The expiry day: the beat task opens round 2, due the rule's 60 days after the expiry.
    with at(EXPIRY_DAY, hour=3):
        assert tasks.renew_lapsed.apply().successful()
    assignment = Assignment.objects.get(user=learner, course_id=metoo.pk)
    assert assignment.due_on == EXPIRY_DAY + datetime.timedelta(days=60)
    rounds = list(CourseProgress.objects.filter(user=learner).order_by("round"))
    assert [(r.round, bool(r.completed_at)) for r in rounds] == [(1, True), (2, False)]
    with at(EXPIRY_DAY):
        mine = selectors.my_assignment(user=learner, course_id=metoo.pk)
        assert mine.state == selectors.EXPIRED
        assert mine.renew_by == datetime.date(2029, 3, 17)
        # The old completion is history, unchanged, with its validity period.
        history = progress_selectors.course_history(user=learner, course_id=metoo.pk)
        assert [(h.round, h.status, h.valid_until) for h in history] == [
            (2, progress_selectors.IN_PROGRESS, None),
            (1, progress_selectors.EXPIRED, LAST_VALID_DAY),
        ]
        client.force_login(learner)
        page = client.get(metoo.url).content.decode()
        assert "Förnya senast 17 mars 2029" in page
        assert "15 januari 2029" in page  # the history: valid until
        assert (
            "Förnya senast 17 mars 2029"
            in client.get(reverse("courses:my_courses")).content.decode()
        )
        # The course starts over: module 2 is locked again until module 1 is done.
        state = progress_selectors.course_state(user=learner, course=metoo)
        assert state.progress.round == 2 and state.required_done == 0
        assert state.modules[1].locked_reason

    with at(EXPIRY_DAY + datetime.timedelta(days=10)):
        take_course(client, learner, metoo)  # the quiz again, although passed in round 1
    assert first == Completion.objects.get(pk=first.pk)  # untouched
    second = Completion.objects.exclude(pk=first.pk).get(user=learner, course_id=metoo.pk)
    assert second.course_progress.round == 2
    assert second.valid_until == datetime.date(2032, 1, 26)
    assert ModuleProgress.objects.filter(course_progress__round=2).count() == 2
    with at(EXPIRY_DAY + datetime.timedelta(days=10)):
        assert selectors.state_of(user=learner, course_id=metoo.pk) == selectors.COMPLETED


def test_the_learner_opening_the_course_before_the_sweep_gets_the_new_round(
    client, metoo, assigned
):
    learner = assigned.user
    client.force_login(learner)
    with at(DAY0.date()):
        services.evaluate_rules()
        take_course(client, learner, metoo)
    with at(EXPIRY_DAY, hour=1):  # before the nightly sweep
        client.force_login(learner)
        page = client.get(metoo.url).content.decode()
        assert "Förnya senast 17 mars 2029" in page
        assert CourseProgress.objects.filter(user=learner, round=2).exists()
        assert services.renew_lapsed() == 0  # already done


def test_a_module_link_after_expiry_also_opens_the_new_round(client, metoo, assigned):
    learner = assigned.user
    client.force_login(learner)
    with at(DAY0.date()):
        services.evaluate_rules()
        take_course(client, learner, metoo)
    first = metoo.get_children().order_by("path").first()
    with at(EXPIRY_DAY):
        client.force_login(learner)
        assert client.get(first.url).status_code == 200
        progress = CourseProgress.objects.get(user=learner, round=2)
        assert ModuleProgress.objects.filter(course_progress=progress).count() == 1


def complete_on_day0(learner, course) -> Completion:
    from progress import services as progress_services

    with at(DAY0.date()):
        for module in course.get_children().order_by("path"):
            progress_services.module_complete(user=learner, module=module)
    return Completion.objects.get(user=learner, course_id=course.pk)


def test_sweep_is_idempotent(org, catalogue):
    course = make_course(catalogue, modules=1, validity_months=36)
    people = [make_person(org["home_care"]) for _ in range(3)]
    AssignmentRule.objects.create(name="Alla", course=course, unit=org["root"], due_days=30)
    with at(DAY0.date()):
        services.evaluate_rules()
    for person in people:
        complete_on_day0(person.user, course)
    with at(EXPIRY_DAY):
        assert services.renew_lapsed() == 3
        assert services.renew_lapsed() == 0
    assert CourseProgress.objects.filter(round=2).count() == 3
    assert set(Assignment.objects.values_list("due_on", flat=True)) == {
        EXPIRY_DAY + datetime.timedelta(days=30)
    }


def test_no_renewal_without_an_open_assignment_or_when_exempted(org, catalogue):
    course = make_course(catalogue, modules=1, validity_months=36)
    left = make_person(org["home_care"])
    exempted = make_person(org["home_care"])
    never_assigned = make_person(org["school"])
    rule = AssignmentRule.objects.create(
        name="Hemtjänsten", course=course, unit=org["home_care"], due_days=30
    )
    with at(DAY0.date()):
        services.evaluate_rules()
    for person in (left, exempted, never_assigned):
        complete_on_day0(person.user, course)
    left.end_date = datetime.date(2027, 6, 30)
    left.save()
    with at(datetime.date(2027, 7, 1)):
        services.evaluate_rules()  # the leaver's assignment ends
    services.exempt(
        assignment=Assignment.objects.get(user=exempted.user), by=None, reason="Gått kursen annat"
    )
    assert rule.active
    with at(EXPIRY_DAY):
        assert services.renew_lapsed() == 0
        for person in (left, exempted, never_assigned):
            assert not services.renewal_open_if_due(user=person.user, course_id=course.pk)
    assert not CourseProgress.objects.filter(round=2).exists()


def test_a_course_without_validity_never_renews(org, catalogue):
    course = make_course(catalogue, modules=1)  # no validity_months
    person = make_person(org["home_care"])
    AssignmentRule.objects.create(name="Alla", course=course, unit=org["root"], due_days=30)
    with at(DAY0.date()):
        services.evaluate_rules()
    assert complete_on_day0(person.user, course).valid_until is None
    with at(datetime.date(2040, 1, 1)):
        assert services.renew_lapsed() == 0
        assert selectors.state_of(user=person.user, course_id=course.pk) == selectors.COMPLETED
    assert CourseProgress.objects.count() == 1


def test_an_assignment_made_after_the_lapse_keeps_its_later_due_date(org, catalogue):
    course = make_course(catalogue, modules=1, validity_months=12)
    person = make_person(org["home_care"])
    complete_on_day0(person.user, course)  # before any rule: a voluntary completion
    with at(datetime.date(2028, 5, 1)):
        AssignmentRule.objects.create(name="Alla", course=course, unit=org["root"], due_days=30)
        services.evaluate_rules()
        assert services.renew_lapsed() == 1
    assignment = Assignment.objects.get(user=person.user)
    assert assignment.due_on == datetime.date(2028, 5, 31)  # not 2027-01-16 + 30 days
    assert CourseProgress.objects.filter(user=person.user, round=2).exists()


def test_sweep_queries_do_not_grow_with_the_number_of_people(org, catalogue):
    course = make_course(catalogue, modules=1, validity_months=36)
    AssignmentRule.objects.create(name="Alla", course=course, unit=org["root"], due_days=30)

    def sweep_with(n: int) -> int:
        people = [make_person(org["home_care"]) for _ in range(n)]
        with at(DAY0.date()):
            services.evaluate_rules()
        for person in people:
            complete_on_day0(person.user, course)
        with at(EXPIRY_DAY), count_queries() as queries:
            renewed = services.renew_lapsed()
        assert renewed == n
        return len(queries)

    assert sweep_with(2) == sweep_with(25)
    assert CourseProgress.objects.filter(round=2).count() == 27


def test_a_learner_cannot_open_a_new_round_before_the_expiry_day(client, metoo, assigned):
    learner = assigned.user
    client.force_login(learner)
    with at(DAY0.date()):
        services.evaluate_rules()
        take_course(client, learner, metoo)
    first, second = metoo.get_children().order_by("path")
    block_id = next(b.id for b in second.specific.body if b.block_type == "quiz")
    with at(LAST_VALID_DAY, hour=23):
        client.force_login(learner)
        # Forged requests on the last valid day: completing, reopening, the quiz again.
        client.post(f"/progress/modules/{first.pk}/complete/")
        client.post(f"/progress/modules/{second.pk}/complete/")
        client.get(metoo.url)
        client.get(first.url)
        client.post(f"/modules/{second.pk}/quiz/{block_id}/")
    assert CourseProgress.objects.filter(user=learner).count() == 1
    assert Completion.objects.filter(user=learner).count() == 1
    assert QuizAttempt.objects.filter(user=learner).count() == 1  # "already passed"
    assert Assignment.objects.get(user=learner).due_on == DAY0.date() + datetime.timedelta(days=60)


def test_a_film_watched_in_the_lapsed_round_must_be_watched_again(org, catalogue):
    from modules.models import FilmProgress
    from progress import services as progress_services
    from tests.factories import make_film

    film = make_film(title="Filmen")
    course = make_course(catalogue, modules=1, validity_months=36, film=film)
    module = course.get_children().get().specific
    block_id = next(b.id for b in module.body if b.block_type == "film")
    person = make_person(org["home_care"])
    untouched = make_person(org["home_care"])  # watched, but their course has not lapsed
    AssignmentRule.objects.create(name="Alla", course=course, unit=org["root"], due_days=30)
    with at(DAY0.date()):
        services.evaluate_rules()
        for who in (person, untouched):
            FilmProgress.objects.create(
                user=who.user, module=module, block_id=block_id, film=film, watched_at=DAY0
            )
        progress_services.module_complete(user=person.user, module=module)
    assert not module.unmet_requirements(person.user)
    with at(EXPIRY_DAY):
        assert services.renew_lapsed() == 1
    assert module.unmet_requirements(person.user) == [
        "Se filmen ”Filmen” eller läs dess transkription."
    ]
    with pytest.raises(progress_services.ProgressError), at(EXPIRY_DAY):
        progress_services.module_complete(user=person.user, module=module)
    assert FilmProgress.objects.get(user=untouched.user).watched_at == DAY0


def test_the_renewal_reminder_decided_before_expiry_links_to_the_renewal(org, catalogue):
    """Decided 20 days before the completion lapses, sent after the new round opened: it links
    to the course and says by when to renew. The outbox is the reminders' own (unchanged)."""
    from django.core import mail

    from reminders import services as reminders

    course = make_course(catalogue, title="Likabehandling", modules=1, validity_months=36)
    person = make_person(org["home_care"])
    AssignmentRule.objects.create(name="Alla", course=course, unit=org["root"], due_days=30)
    with at(DAY0.date()):
        services.evaluate_rules()
    complete_on_day0(person.user, course)
    decided_on = LAST_VALID_DAY - datetime.timedelta(days=20)
    with at(decided_on):
        reminders.sweep(today=decided_on)
    with at(EXPIRY_DAY, hour=3):
        assert services.renew_lapsed() == 1
    with at(EXPIRY_DAY, hour=8):
        result = reminders.send_due()
    assert result.sent == 1
    [email] = mail.outbox
    assert course.url in email.body
    assert "giltig till och med 15 januari 2029, förnya senast 15 februari 2029" in email.body


def test_an_overdue_renewal_shows_as_overdue(client, org, metoo, assigned):
    """Review of issue 12: after "Förnya senast D" passes the renewal is overdue, counted so
    in the reports; before the renewal sweep the old, met due date is no "renew by" date."""
    learner = assigned.user
    with at(DAY0.date()):
        services.evaluate_rules()
        take_course(client, learner, metoo)
    assignment = Assignment.objects.get(user=learner, course_id=metoo.pk)
    # The lapse, before the renewal sweep moved the due date: expired, no stale renew-by.
    with at(EXPIRY_DAY, hour=1):
        mine = selectors.my_assignment(user=learner, course_id=metoo.pk)
        assert mine.state == selectors.EXPIRED
        assert mine.renew_by is None
        assert [a.renew_by for a in selectors.my_assignments(user=learner)] == [None]
    with at(EXPIRY_DAY, hour=3):
        assert services.renew_lapsed() == 1
    renew_by = datetime.date(2029, 3, 17)
    assignment.refresh_from_db()
    assert assignment.due_on == renew_by
    with at(renew_by):
        mine = selectors.my_assignment(user=learner, course_id=metoo.pk)
        assert (mine.state, mine.renew_by) == (selectors.EXPIRED, renew_by)
    late = renew_by + datetime.timedelta(days=1)
    with at(late):
        mine = selectors.my_assignment(user=learner, course_id=metoo.pk)
        assert mine.state == selectors.OVERDUE
        assert selectors.my_assignments(user=learner)[0].state == selectors.OVERDUE
        rows = selectors.with_state(Assignment.objects.all()).values_list("state", flat=True)
        assert list(rows) == [selectors.OVERDUE]
        client.force_login(learner)
        page = client.get(reverse("courses:my_courses")).content.decode()
        assert "Försenad" in page
    # Renewal done: completed again, whatever the due date.
    with at(late):
        take_course(client, learner, metoo)
    with at(late):
        assert selectors.state_of(user=learner, course_id=metoo.pk) == selectors.COMPLETED
