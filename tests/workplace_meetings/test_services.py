"""Acceptance 2: who may be credited, withdrawal of exactly one credit, courses without group
credit, and the rules around holding and correcting a meeting."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from progress import selectors as progress_selectors
from progress import services as progress_services
from progress.models import Completion, ModuleProgress
from workplace_meetings import selectors, services
from workplace_meetings.models import Attendance, AttendanceChange, MeetingStatus

pytestmark = pytest.mark.django_db


def _plan(apt, today, **kwargs):
    return services.meeting_plan(
        actor=apt["manager"],
        unit=kwargs.pop("unit", apt["north"]),
        module_id=kwargs.pop("module_id", apt["module"].pk),
        date=today,
        **kwargs,
    )


def _done(user, module) -> ModuleProgress | None:
    return ModuleProgress.objects.filter(
        course_progress__user=user, module_id=module.pk, completed_at__isnull=False
    ).first()


def test_holding_credits_each_attendee_with_the_source(apt, held_meeting, today):
    for user in apt["staff"][:3]:
        row = _done(user, apt["module"])
        assert row.credit_key == held_meeting.credit_key
        assert row.credited_on == today and row.completed_by_credit
    assert _done(apt["staff"][3], apt["module"]) is None
    assert held_meeting.status == MeetingStatus.HELD
    assert selectors.credits_for(apt["staff"][0], [apt["module"].pk]) == {apt["module"].pk: today}


def test_a_manager_cannot_credit_people_outside_their_units(apt, today):
    meeting = _plan(apt, today)
    with pytest.raises(services.MeetingError):
        services.meeting_hold(
            actor=apt["manager"],
            meeting=meeting,
            present_user_ids={apt["staff"][0].pk, apt["outsider"].pk},
        )
    # Nothing half-applied: nobody credited, the meeting still planned.
    assert _done(apt["staff"][0], apt["module"]) is None
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED
    # Nor can someone outside the scope be added as a guest.
    with pytest.raises(services.MeetingError):
        services.meeting_add_guest(
            actor=apt["manager"], meeting=meeting, user_id=apt["outsider"].pk
        )
    assert not Attendance.objects.filter(user=apt["outsider"]).exists()


def test_a_guest_within_scope_can_be_added_and_credited(apt, today):
    meeting = _plan(apt, today)
    # Not on the list until added as a guest.
    with pytest.raises(services.MeetingError):
        services.meeting_hold(
            actor=apt["manager"], meeting=meeting, present_user_ids={apt["guest"].pk}
        )
    assert [p.user for p in selectors.guest_search(apt["manager"], meeting, "syd")] == [
        apt["guest"]
    ]
    assert selectors.guest_search(apt["manager"], meeting, "skola") == []
    services.meeting_add_guest(actor=apt["manager"], meeting=meeting, user_id=apt["guest"].pk)
    services.meeting_hold(
        actor=apt["manager"],
        meeting=meeting,
        present_user_ids={apt["guest"].pk, apt["staff"][0].pk},
    )
    assert _done(apt["guest"], apt["module"]).credit_key == meeting.credit_key


def test_only_the_manager_or_facilitator_holds_and_only_once(apt, today):
    facilitator = apt["staff"][4]
    meeting = _plan(apt, today, facilitator_user_id=facilitator.pk)
    with pytest.raises(services.MeetingError):
        services.meeting_hold(
            actor=apt["staff"][0], meeting=meeting, present_user_ids={apt["staff"][0].pk}
        )
    services.meeting_hold(actor=facilitator, meeting=meeting, present_user_ids={facilitator.pk})
    with pytest.raises(services.MeetingError):  # a replayed form
        services.meeting_hold(actor=facilitator, meeting=meeting, present_user_ids={facilitator.pk})
    # The facilitator may hold but not correct.
    with pytest.raises(services.MeetingError):
        services.meeting_correct(
            actor=facilitator, meeting=meeting, present_user_ids={facilitator.pk}
        )


def test_planning_is_refused_outside_the_managers_units_and_for_other_modules(apt, today):
    with pytest.raises(services.MeetingError):
        _plan(apt, today, unit=apt["school"])
    with pytest.raises(services.MeetingError):
        _plan(apt, today, module_id=apt["other_module"].pk)
    with pytest.raises(services.MeetingError):
        _plan(apt, today, facilitator_user_id=apt["outsider"].pk)
    with pytest.raises(services.MeetingError):
        services.meeting_plan(
            actor=apt["manager"],
            unit=apt["north"],
            module_id=apt["module"].pk,
            date=today - datetime.timedelta(days=1),
        )


def test_not_before_the_day(apt, today):
    meeting = services.meeting_plan(
        actor=apt["manager"],
        unit=apt["north"],
        module_id=apt["module"].pk,
        date=today + datetime.timedelta(days=3),
    )
    with pytest.raises(services.MeetingError):
        services.meeting_hold(
            actor=apt["manager"], meeting=meeting, present_user_ids={apt["staff"][0].pk}
        )


def test_correcting_withdraws_exactly_that_credit(apt, held_meeting, catalogue):
    from tests.factories import make_course

    wrong, right = apt["staff"][0], apt["staff"][3]
    # The person credited by mistake has started the other module and completed another
    # course themselves: none of that may change.
    progress_services.module_start(user=wrong, module=apt["other_module"])
    other = make_course(catalogue, title="Annan kurs", modules=1).get_children().specific().get()
    progress_services.module_start(user=wrong, module=other)
    progress_services.module_complete(user=wrong, module=other)
    before = set(
        ModuleProgress.objects.filter(course_progress__user=wrong)
        .exclude(module_id=apt["module"].pk)
        .values_list("pk", "completed_at", "credit_key")
    )
    added, removed = services.meeting_correct(
        actor=apt["manager"],
        meeting=held_meeting,
        present_user_ids={apt["staff"][1].pk, apt["staff"][2].pk, right.pk},
    )
    assert (added, removed) == (1, 1)
    assert _done(wrong, apt["module"]) is None
    assert not ModuleProgress.objects.filter(
        course_progress__user=wrong, module_id=apt["module"].pk
    ).exists()
    after = set(
        ModuleProgress.objects.filter(course_progress__user=wrong).values_list(
            "pk", "completed_at", "credit_key"
        )
    )
    assert after == before
    assert _done(right, apt["module"]).credit_key == held_meeting.credit_key
    assert _done(apt["staff"][1], apt["module"]) is not None
    log = list(AttendanceChange.objects.values_list("user_id", "action"))
    assert log == [(wrong.pk, "removed"), (right.pk, "added")]


def test_withdrawal_keeps_the_learners_own_completion_and_started_module(apt, today):
    own, started = apt["staff"][0], apt["staff"][1]
    progress_services.module_start(user=own, module=apt["module"])
    progress_services.module_complete(user=own, module=apt["module"])
    progress_services.module_start(user=started, module=apt["module"])
    meeting = _plan(apt, today)
    services.meeting_hold(
        actor=apt["manager"], meeting=meeting, present_user_ids={own.pk, started.pk}
    )
    assert _done(own, apt["module"]).credit_key == ""  # their own completion stays theirs
    services.meeting_correct(
        actor=apt["manager"], meeting=meeting, present_user_ids={apt["staff"][2].pk}
    )
    assert _done(own, apt["module"]) is not None
    row = ModuleProgress.objects.get(course_progress__user=started, module_id=apt["module"].pk)
    assert row.completed_at is None and row.credit_key == ""  # back to started, as before


def test_a_course_without_group_credit_ignores_meetings(apt, catalogue, today):
    from tests.factories import make_course

    course = make_course(catalogue, title="Utan gruppmerit", modules=1)
    module = course.get_children().specific().get()
    module.for_group_viewing = True
    module.save_revision().publish()
    meeting = _plan(apt, today, module_id=module.pk)
    user = apt["staff"][0]
    services.meeting_hold(actor=apt["manager"], meeting=meeting, present_user_ids={user.pk})
    assert _done(user, module) is None
    assert not Completion.objects.filter(user=user, course_id=course.pk).exists()
    state = progress_selectors.course_state(user=user, course=course)
    assert state.required_done == 0
    assert Attendance.objects.get(meeting=meeting, user=user).present  # attendance is kept


def test_the_credit_completes_the_course_and_then_cannot_be_withdrawn(apt, today):
    user = apt["staff"][0]
    progress_services.module_start(user=user, module=apt["other_module"])
    progress_services.module_complete(user=user, module=apt["other_module"])
    meeting = _plan(apt, today)
    services.meeting_hold(actor=apt["manager"], meeting=meeting, present_user_ids={user.pk})
    assert Completion.objects.filter(user=user, course_id=apt["course"].pk).exists()
    with pytest.raises(services.MeetingError, match=r"slutförde kursen|completed the course"):
        services.meeting_correct(
            actor=apt["manager"], meeting=meeting, present_user_ids={apt["staff"][1].pk}
        )
    # All or nothing: the other person was not credited either, the log is empty.
    assert _done(apt["staff"][1], apt["module"]) is None
    assert _done(user, apt["module"]) is not None
    assert not AttendanceChange.objects.exists()


def test_correction_window_closes(apt, held_meeting, settings):
    later = timezone.now() + datetime.timedelta(days=settings.WORKPLACE_MEETING_CORRECTION_DAYS + 1)
    with time_machine.travel(later), pytest.raises(services.MeetingError):
        services.meeting_correct(
            actor=apt["manager"], meeting=held_meeting, present_user_ids={apt["staff"][0].pk}
        )
