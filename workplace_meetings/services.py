"""Writes for workplace meetings: plan, add guests, hold (credit the attendees), correct.

Every service checks who acts, runs in one transaction and raises MeetingError with a message
in the user's language, changing nothing, when the request is not allowed.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from people.models import OrgUnit
from progress import services as progress_services

from . import selectors
from .models import Attendance, AttendanceChange, MeetingStatus, WorkplaceMeeting


class MeetingError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _lock(meeting: WorkplaceMeeting) -> WorkplaceMeeting:
    # Serialises two tabs or two people holding or correcting the same meeting.
    return WorkplaceMeeting.objects.select_for_update().get(pk=meeting.pk)


@transaction.atomic
def meeting_plan(
    *,
    actor,
    unit: OrgUnit,
    module_id: int,
    date: datetime.date,
    facilitator_user_id: int | None = None,
    notes: str = "",
) -> WorkplaceMeeting:
    if not selectors.may_plan(actor, unit):
        raise MeetingError(_("You can plan workplace meetings only for the units you manage."))
    if not selectors.group_modules().filter(pk=module_id).exists():
        raise MeetingError(_("Choose a module that is meant for group viewing."))
    if date < timezone.localdate():
        raise MeetingError(_("The date of the meeting cannot be in the past."))
    if facilitator_user_id is not None and not (
        facilitator_user_id == actor.pk
        or selectors.unit_people(unit.pk).filter(user_id=facilitator_user_id).exists()
        or selectors.guest_scope(actor, WorkplaceMeeting(unit=unit))
        .filter(user_id=facilitator_user_id)
        .exists()
    ):
        raise MeetingError(_("The facilitator must be someone in the units you manage."))
    meeting = WorkplaceMeeting(
        unit=unit,
        module_id=module_id,
        date=date,
        facilitator_id=facilitator_user_id,
        notes=notes.strip(),
        planned_by=actor,
    )
    meeting.full_clean()
    meeting.save()
    return meeting


@transaction.atomic
def meeting_cancel(*, actor, meeting: WorkplaceMeeting) -> WorkplaceMeeting:
    meeting = _lock(meeting)
    if not selectors.may_correct(actor, meeting):
        raise MeetingError(_("Only the unit's manager can cancel the meeting."))
    if meeting.status != MeetingStatus.PLANNED:
        raise MeetingError(_("Only a planned meeting can be cancelled."))
    meeting.status = MeetingStatus.CANCELLED
    meeting.save(update_fields=["status"])
    return meeting


@transaction.atomic
def meeting_add_guest(*, actor, meeting: WorkplaceMeeting, user_id: int) -> Attendance:
    """Add someone from another unit to the list; only within the actor's scope."""
    meeting = _lock(meeting)
    if not selectors.may_run(actor, meeting):
        raise MeetingError(_("You cannot change this meeting."))
    if not selectors.guest_scope(actor, meeting).filter(user_id=user_id).exists():
        raise MeetingError(_("You can add guests only from the units you manage."))
    attendance, _created = Attendance.objects.get_or_create(
        meeting=meeting, user_id=user_id, defaults={"is_guest": True}
    )
    return attendance


def _check_ids(meeting: WorkplaceMeeting, user_ids: set[int]) -> None:
    outside = user_ids - selectors.allowed_attendee_ids(meeting)
    if outside:
        raise MeetingError(
            _(
                "Some of the people ticked are not on this meeting's list. Add people from "
                "other units as guests first. Nothing was saved."
            )
        )


def _credit(meeting: WorkplaceMeeting, user_id: int) -> None:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(pk=user_id)
    progress_services.module_credit(
        user=user, module=meeting.module, credit_key=meeting.credit_key, credited_on=meeting.date
    )


@transaction.atomic
def meeting_hold(
    *, actor, meeting: WorkplaceMeeting, present_user_ids: set[int], notes: str | None = None
) -> WorkplaceMeeting:
    """Mark the meeting held and credit each person present with the module.

    Refused, changing nothing, before the meeting's day, a second time (a replayed form), with
    nobody ticked, or with anybody ticked who is not on the meeting's list.
    """
    meeting = _lock(meeting)
    if not selectors.may_run(actor, meeting):
        raise MeetingError(_("You cannot hold this meeting."))
    if meeting.status == MeetingStatus.HELD:
        raise MeetingError(
            _("The meeting is already marked as held. Correct the attendance instead.")
        )
    if meeting.status == MeetingStatus.CANCELLED:
        raise MeetingError(_("The meeting is cancelled."))
    if meeting.date > timezone.localdate():
        raise MeetingError(_("The meeting can be marked as held on its day, not before."))
    if not present_user_ids:
        raise MeetingError(_("Tick the people who attended."))
    _check_ids(meeting, present_user_ids)
    existing = {a.user_id: a for a in Attendance.objects.filter(meeting=meeting)}
    for user_id in present_user_ids:
        row = existing.get(user_id)
        if row is None:
            Attendance.objects.create(meeting=meeting, user_id=user_id, present=True)
        elif not row.present:
            row.present = True
            row.save(update_fields=["present"])
        _credit(meeting, user_id)
    meeting.status = MeetingStatus.HELD
    meeting.held_at = timezone.now()
    meeting.held_by = actor
    if notes is not None:
        meeting.notes = notes.strip()
    meeting.full_clean()
    meeting.save(update_fields=["status", "held_at", "held_by", "notes"])
    return meeting


def correction_deadline(meeting: WorkplaceMeeting) -> datetime.date:
    """The last day on which the manager may correct the attendance."""
    return meeting.date + datetime.timedelta(days=settings.WORKPLACE_MEETING_CORRECTION_DAYS)


@transaction.atomic
def meeting_correct(
    *, actor, meeting: WorkplaceMeeting, present_user_ids: set[int]
) -> tuple[int, int]:
    """Set who was present after the meeting: newly ticked people are credited, unticked ones
    have exactly this meeting's credit withdrawn. Each change is logged. Returns (added,
    removed). All or nothing: one credit that cannot be withdrawn refuses the whole change."""
    meeting = _lock(meeting)
    if not selectors.may_correct(actor, meeting):
        raise MeetingError(_("Only the unit's manager can correct the attendance."))
    if meeting.status != MeetingStatus.HELD:
        raise MeetingError(_("Only a held meeting's attendance can be corrected."))
    if timezone.localdate() > correction_deadline(meeting):
        raise MeetingError(
            _("The attendance could be corrected until %(day)s.")
            % {"day": correction_deadline(meeting).isoformat()}
        )
    if not present_user_ids:
        raise MeetingError(_("Tick the people who attended."))
    _check_ids(meeting, present_user_ids)
    from django.contrib.auth import get_user_model

    rows = {a.user_id: a for a in Attendance.objects.filter(meeting=meeting)}
    was = {uid for uid, a in rows.items() if a.present}
    added, removed = present_user_ids - was, was - present_user_ids
    users = get_user_model().objects.in_bulk(added | removed)
    for user_id in sorted(removed):
        try:
            progress_services.module_credit_withdraw(
                user=users[user_id], credit_key=meeting.credit_key
            )
        except progress_services.ProgressError as error:
            raise MeetingError(" ".join(str(m) for m in error.messages)) from None
        Attendance.objects.filter(pk=rows[user_id].pk).update(present=False)
        AttendanceChange.objects.create(
            meeting=meeting,
            user_id=user_id,
            action=AttendanceChange.Action.REMOVED,
            changed_by=actor,
        )
    for user_id in sorted(added):
        row = rows.get(user_id)
        if row is None:
            Attendance.objects.create(meeting=meeting, user_id=user_id, present=True)
        else:
            Attendance.objects.filter(pk=row.pk).update(present=True)
        _credit(meeting, user_id)
        AttendanceChange.objects.create(
            meeting=meeting,
            user_id=user_id,
            action=AttendanceChange.Action.ADDED,
            changed_by=actor,
        )
    return len(added), len(removed)
