"""Managers' pages for workplace meetings, on the public site (managers are not admin users).

Thin: each view checks the scope through the selectors, calls one service and redirects.
Meetings of other people's units answer 404, as if they did not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from people.models import OrgUnit

from . import selectors, services
from .forms import MeetingPlanForm
from .models import MeetingStatus, WorkplaceMeeting


def _meeting(request: HttpRequest, meeting_id: int) -> WorkplaceMeeting:
    try:
        return selectors.meeting_for(request.user, meeting_id)
    except WorkplaceMeeting.DoesNotExist:
        raise Http404 from None


def _ticked(request: HttpRequest) -> set[int]:
    ids = set()
    for value in request.POST.getlist("present"):
        try:
            ids.add(int(value))
        except ValueError:
            continue  # a forged value is not on the list anyway
    return ids


def meeting_list(request: HttpRequest) -> HttpResponse:
    """The manager's meetings and the form to plan one. POST plans."""
    form = MeetingPlanForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            unit = selectors.managed_units(request.user).get(pk=data["unit"])
            meeting = services.meeting_plan(
                actor=request.user,
                unit=unit,
                module_id=data["module"],
                date=data["date"],
                facilitator_user_id=data["facilitator"],
                notes=data["notes"],
            )
        except (services.MeetingError, OrgUnit.DoesNotExist) as error:
            messages.error(request, getattr(error, "message", _("Choose one of your units.")))
        else:
            messages.success(request, _("The meeting is planned."))
            return redirect("workplace_meetings:meeting_detail", meeting.pk)
    meetings = list(selectors.meetings_for(request.user)[:200])
    return TemplateResponse(
        request,
        "workplace_meetings/meeting_list.html",
        {
            "form": form,
            "may_plan": bool(form.fields["unit"].choices),
            "planned": [m for m in meetings if m.status == MeetingStatus.PLANNED],
            "past": [m for m in meetings if m.status != MeetingStatus.PLANNED],
        },
        status=400 if request.method == "POST" else 200,
    )


def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The meeting on the day: the film for the room, the questions large, the attendee list,
    guest search (?q=), marking it held; afterwards the attendance, correction and log."""
    meeting = _meeting(request, meeting_id)
    module = meeting.module.specific
    query = request.GET.get("q", "")[:100]
    held = meeting.status == MeetingStatus.HELD
    deadline = services.correction_deadline(meeting)
    return TemplateResponse(
        request,
        "workplace_meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "module": module,
            "films": [b.value for b in module.body if b.block_type == "film" and b.value["film"]],
            "discussions": [b.value for b in module.body if b.block_type == "discussion"],
            "people": selectors.attendance_list(meeting),
            "query": query,
            "results": [] if held else selectors.guest_search(request.user, meeting, query),
            "may_correct": held
            and selectors.may_correct(request.user, meeting)
            and timezone.localdate() <= deadline,
            "deadline": deadline,
            "changes": meeting.changes.select_related("user", "changed_by") if held else [],
            "is_today_or_past": meeting.date <= timezone.localdate(),
        },
    )


def meeting_guide(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """A printable discussion guide for the facilitator (the print stylesheet does the rest)."""
    meeting = _meeting(request, meeting_id)
    module = meeting.module.specific
    return TemplateResponse(
        request,
        "workplace_meetings/meeting_guide.html",
        {
            "meeting": meeting,
            "module": module,
            "films": [b.value for b in module.body if b.block_type == "film" and b.value["film"]],
            "discussions": [b.value for b in module.body if b.block_type == "discussion"],
        },
    )


def _act(request: HttpRequest, meeting: WorkplaceMeeting, action, success: str) -> HttpResponse:
    try:
        action()
    except services.MeetingError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect("workplace_meetings:meeting_detail", meeting.pk)


@require_POST
def meeting_add_guest(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    try:
        user_id = int(request.POST.get("user", ""))
    except ValueError:
        user_id = 0
    return _act(
        request,
        meeting,
        lambda: services.meeting_add_guest(actor=request.user, meeting=meeting, user_id=user_id),
        _("The guest is added to the list."),
    )


@require_POST
def meeting_hold(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    return _act(
        request,
        meeting,
        lambda: services.meeting_hold(
            actor=request.user,
            meeting=meeting,
            present_user_ids=_ticked(request),
            notes=request.POST.get("notes", "")[:5000],
        ),
        _("The meeting is marked as held. Everyone ticked has the module done."),
    )


@require_POST
def meeting_correct(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    return _act(
        request,
        meeting,
        lambda: services.meeting_correct(
            actor=request.user, meeting=meeting, present_user_ids=_ticked(request)
        ),
        _("The attendance is corrected."),
    )


@require_POST
def meeting_cancel(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, meeting_id)
    return _act(
        request,
        meeting,
        lambda: services.meeting_cancel(actor=request.user, meeting=meeting),
        _("The meeting is cancelled."),
    )
