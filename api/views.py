"""API v1: read-only, for HR and BI systems. Thin: parameters in, a selector, rows out.

Mounted at /api/v1/ (lms/urls.py). The schema is at /api/v1/openapi.json, the interactive docs
at /api/v1/docs (Swagger UI served from our own static files, no external hosts).
"""

from __future__ import annotations

import datetime
import time
from typing import Annotated

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Query, Router, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from pydantic import WithJsonSchema

from reports import selectors as report_selectors

from . import schemas, selectors, services
from .auth import TokenAuth, activate_language
from .errors import ERRORS, ApiError, bad_filter, not_found
from .models import Scope

MAX_ID = 2**63 - 1
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


class LmsApi(NinjaAPI):
    def create_response(self, request, data, *, status=None, temporal_response=None):
        response = super().create_response(
            request, data, status=status, temporal_response=temporal_response
        )
        token = getattr(request, "api_token", None)
        if token is not None:
            started = getattr(request, "api_started", time.monotonic())
            match = request.resolver_match
            services.request_log(
                token=token,
                endpoint=match.url_name if match else request.path[:100],
                status=response.status_code,
                rows=getattr(request, "api_rows", 0),
                duration_ms=int(1000 * (time.monotonic() - started)),
            )
        return response


api = LmsApi(
    title="Normkritik LMS API",
    version="1",
    description=(
        "Read-only API for HR and BI systems. Authenticate with `Authorization: Bearer <token>` "
        "(tokens are created by an administrator). Lists are paged with an opaque `next_cursor`; "
        "errors are JSON `{code, message}`."
    ),
    urls_namespace="api-v1",
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": False}),
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def _error_response(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message}, status=status)


@api.exception_handler(ApiError)
def api_error(request, exc: ApiError):
    response = _error_response(request, exc.status, exc.code, exc.message)
    if exc.retry_after is not None:
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    activate_language(request)
    fields = sorted(
        {".".join(str(p) for p in error.get("loc", [])[1:]) or "?" for error in exc.errors}
    )
    return _error_response(
        request,
        422,
        "invalid_parameter",
        _("Invalid parameter: %(fields)s.") % {"fields": ", ".join(fields)},
    )


@api.exception_handler(AuthenticationError)
def authentication_error(request, exc):
    activate_language(request)
    return _error_response(
        request, 401, "token_missing", _("An Authorization: Bearer token is required.")
    )


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    return _error_response(request, exc.status_code, "error", str(exc))


# --- Parameters ------------------------------------------------------------------------------


def _cursor_after(cursor: str | None, endpoint: str) -> int | None:
    if not cursor:
        return None
    try:
        value = signing.loads(cursor, salt=f"api.v1.cursor.{endpoint}")
        after = int(value["a"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise bad_filter("invalid_cursor", _("The cursor is not valid for this list.")) from None
    return after


def _cursor(after: int | None, endpoint: str) -> str | None:
    return None if after is None else signing.dumps({"a": after}, salt=f"api.v1.cursor.{endpoint}")


def _since(value: str | None) -> datetime.datetime | None:
    """An ISO 8601 date and time as an aware datetime (a naive one is local time); a 422 for
    anything else (numbers are not taken as Unix times). Times so early or late that they
    cannot be moved to UTC mean the nearest representable instant."""
    if value is None:
        return None
    try:
        parsed = parse_datetime(value) if len(value) <= 64 else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise bad_filter(
            "invalid_parameter",
            _("changed_since must be an ISO 8601 date and time, e.g. 2026-01-31T08:00:00Z."),
        )
    try:
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
        return parsed.astimezone(datetime.UTC)
    except (OverflowError, ValueError):
        edge = datetime.datetime.min if parsed.year < 5000 else datetime.datetime.max
        return edge.replace(tzinfo=datetime.UTC)


def _scope(request) -> selectors.TokenScope:
    return selectors.token_scope(request.auth)


def _unit(scope: selectors.TokenScope, unit_id: int | None):
    if unit_id is None:
        return None
    unit = selectors.unit_in_scope(scope, unit_id)
    if unit is None:
        raise not_found("unit")
    return unit


def _course_id(course_id: int | None) -> int | None:
    if course_id is not None and not selectors.courses().filter(pk=course_id).exists():
        raise not_found("course")
    return course_id


def _rows(request, count: int) -> None:
    request.api_rows = count


def _responses(ok):
    return {200: ok, **ERRORS}


CursorQ = Query(None, max_length=500, description="`next_cursor` of the previous page.")
LimitQ = Query(
    DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"Rows per page, at most {MAX_LIMIT}."
)
UnitQ = Query(None, ge=1, le=MAX_ID, description="Only this unit (an id in the token's scope).")
SubunitsQ = Query(False, description="With `unit`: include everyone in the units below it.")
CourseQ = Query(None, ge=1, le=MAX_ID, description="Only this course.")
SinceQ = Query(
    None,
    max_length=64,
    description="ISO 8601 date and time; only rows changed at or after it.",
)
# Documented as a date-time; parsed by `_since`, so that numbers are not taken as Unix times.
IsoDateTime = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]
StateQ = Query(None, description="Only this state.")
EndedQ = Query(False, description="Also assignments that have ended.")
CoverageUnitQ = Query(
    None, ge=1, le=MAX_ID, description="A unit in scope (default: the token's top units)."
)


# --- People ----------------------------------------------------------------------------------

people_router = Router(tags=["people"], auth=TokenAuth(Scope.PEOPLE))


@people_router.get("/people", response=_responses(schemas.PeoplePage), url_name="api_people")
def list_people(
    request,
    cursor: str | None = CursorQ,
    limit: int = LimitQ,
    unit: int | None = UnitQ,
    include_subunits: bool = SubunitsQ,
    changed_since: IsoDateTime | None = SinceQ,
):
    """People in the token's scope: employee number, unit and role. No names, no sex: the HR
    system already knows who an employee number is."""
    after = _cursor_after(cursor, "people")
    scope = _scope(request)
    rows, next_after = selectors.keyset_page(
        selectors.people(
            scope,
            unit=_unit(scope, unit),
            include_subunits=include_subunits,
            changed_since=_since(changed_since),
        ),
        after=after,
        limit=limit,
    )
    today = timezone.localdate()
    _rows(request, len(rows))
    return {
        "next_cursor": _cursor(next_after, "people"),
        "limit": limit,
        "items": [
            {
                "id": p.pk,
                "employee_number": p.employee_number,
                "unit_id": p.unit_id,
                "unit_code": p.unit.code if p.unit else None,
                "role": "manager" if p.is_manager else "staff",
                "active": p.end_date is None or p.end_date > today,
                "start_date": p.start_date,
                "end_date": p.end_date,
                "updated_at": p.updated_at,
            }
            for p in rows
        ],
    }


# --- Units -----------------------------------------------------------------------------------

units_router = Router(tags=["units"], auth=TokenAuth(Scope.UNITS))


def _unit_out(unit, parents: dict[str, int]) -> dict:
    return {
        "id": unit.pk,
        "code": unit.code,
        "name": unit.name,
        "parent_id": parents.get(unit.path[: -unit.steplen]) if unit.depth > 1 else None,
        "depth": unit.depth,
        "active": unit.active,
    }


@units_router.get("/units", response=_responses(schemas.UnitsPage), url_name="api_units")
def list_units(request, cursor: str | None = CursorQ, limit: int = LimitQ):
    """The units in the token's scope, with their parent (the tree), by id."""
    after = _cursor_after(cursor, "units")
    rows, next_after = selectors.keyset_page(
        selectors.units(_scope(request)).order_by("pk"), after=after, limit=limit
    )
    parents = selectors.parent_ids(rows)
    _rows(request, len(rows))
    return {
        "next_cursor": _cursor(next_after, "units"),
        "limit": limit,
        "items": [_unit_out(u, parents) for u in rows],
    }


@units_router.get("/units/{unit_id}", response=_responses(schemas.UnitOut), url_name="api_unit")
def get_unit(request, unit_id: int):
    if not 1 <= unit_id <= MAX_ID:
        raise not_found("unit")
    unit = _unit(_scope(request), unit_id)
    _rows(request, 1)
    return _unit_out(unit, selectors.parent_ids([unit]))


# --- Courses ---------------------------------------------------------------------------------

courses_router = Router(tags=["courses"], auth=TokenAuth(Scope.COURSES))


def _module_out(request, module, position: int) -> dict:
    return {
        "id": module.pk,
        "title": module.title,
        "slug": module.slug,
        "url": module.get_full_url(request) or "",
        "position": position,
        "required": module.is_required,
        "estimated_minutes": module.estimated_minutes,
    }


def _course_out(request, course, modules) -> dict:
    return {
        "id": course.pk,
        "title": course.title,
        "slug": course.slug,
        "url": course.get_full_url(request) or "",
        "validity_months": course.validity_months,
        "estimated_minutes": course.length_minutes,
        "modules": [_module_out(request, m, n) for n, m in enumerate(modules, start=1)],
    }


@courses_router.get("/courses", response=_responses(schemas.CoursesOut), url_name="api_courses")
def list_courses(request):
    """Every published course with its published modules, in the catalogue's order."""
    rows = list(selectors.courses())
    modules = selectors.modules_by_course(rows)
    _rows(request, len(rows))
    return {"items": [_course_out(request, c, modules[c.pk]) for c in rows]}


@courses_router.get(
    "/courses/{course_id}", response=_responses(schemas.CourseOut), url_name="api_course"
)
def get_course(request, course_id: int):
    course = selectors.courses().filter(pk=course_id).first() if course_id <= MAX_ID else None
    if course is None:
        raise not_found("course")
    _rows(request, 1)
    return _course_out(request, course, selectors.modules_by_course([course])[course.pk])


@courses_router.get(
    "/courses/{course_id}/modules/{module_id}",
    response=_responses(schemas.ModuleOut),
    url_name="api_module",
)
def get_module(request, course_id: int, module_id: int):
    course = selectors.courses().filter(pk=course_id).first() if course_id <= MAX_ID else None
    modules = selectors.modules_by_course([course])[course.pk] if course else []
    for position, module in enumerate(modules, start=1):
        if module.pk == module_id:
            _rows(request, 1)
            return _module_out(request, module, position)
    raise not_found("module")


# --- Assignments and completions -------------------------------------------------------------

assignments_router = Router(tags=["assignments"], auth=TokenAuth(Scope.ASSIGNMENTS))


@assignments_router.get(
    "/assignments", response=_responses(schemas.AssignmentsPage), url_name="api_assignments"
)
def list_assignments(
    request,
    cursor: str | None = CursorQ,
    limit: int = LimitQ,
    unit: int | None = UnitQ,
    include_subunits: bool = SubunitsQ,
    course: int | None = CourseQ,
    state: schemas.AssignmentState | None = StateQ,
    include_ended: bool = EndedQ,
    changed_since: IsoDateTime | None = SinceQ,
):
    """Assignments of the people in scope, each with its state as the dashboards derive it
    (today, in the organisation's time zone). With `changed_since`: assignments assigned, ended
    or exempted since, or whose course the person completed since. States that change only
    with time (overdue, expired) or with a module started have no change time: sync in full
    (without `changed_since`) nightly for those."""
    after = _cursor_after(cursor, "assignments")
    scope = _scope(request)
    rows, next_after = selectors.keyset_page(
        selectors.assignments(
            scope,
            unit=_unit(scope, unit),
            include_subunits=include_subunits,
            course_id=_course_id(course),
            state=state.value if state else None,
            include_ended=include_ended,
            changed_since=_since(changed_since),
        ),
        after=after,
        limit=limit,
    )
    _rows(request, len(rows))
    return {
        "next_cursor": _cursor(next_after, "assignments"),
        "limit": limit,
        "items": [
            {
                "id": a.pk,
                "person_id": a.person_id,
                "employee_number": a.employee_number,
                "course_id": a.course_id,
                "assigned_at": a.assigned_at,
                "due_on": a.due_on,
                "ended_at": a.ended_at,
                "end_reason": a.end_reason,
                "exempted_at": a.exempted_at,
                "state": a.state,
            }
            for a in rows
        ],
    }


completions_router = Router(tags=["completions"], auth=TokenAuth(Scope.COMPLETIONS))


@completions_router.get(
    "/completions", response=_responses(schemas.CompletionsPage), url_name="api_completions"
)
def list_completions(
    request,
    cursor: str | None = CursorQ,
    limit: int = LimitQ,
    unit: int | None = UnitQ,
    include_subunits: bool = SubunitsQ,
    course: int | None = CourseQ,
    changed_since: IsoDateTime | None = SinceQ,
):
    """Completed courses of the people in scope, with the date the completion is valid until
    (null: never expires). Completions are never changed once written."""
    after = _cursor_after(cursor, "completions")
    scope = _scope(request)
    rows, next_after = selectors.keyset_page(
        selectors.completions(
            scope,
            unit=_unit(scope, unit),
            include_subunits=include_subunits,
            course_id=_course_id(course),
            changed_since=_since(changed_since),
        ),
        after=after,
        limit=limit,
    )
    today = timezone.localdate()
    _rows(request, len(rows))
    return {
        "next_cursor": _cursor(next_after, "completions"),
        "limit": limit,
        "items": [
            {
                "id": c.pk,
                "person_id": c.person_id,
                "employee_number": c.employee_number,
                "course_id": c.course_id,
                "completed_at": c.completed_at,
                "valid_until": c.valid_until,
                "valid": c.valid_until is None or c.valid_until >= today,
            }
            for c in rows
        ],
    }


# --- Figures ---------------------------------------------------------------------------------

coverage_router = Router(tags=["coverage"], auth=TokenAuth(Scope.COVERAGE))


def _figures(figures) -> dict:
    return {
        "people": figures.people,
        "assigned": figures.assigned,
        "completed": figures.completed,
        "in_progress": figures.in_progress,
        "not_started": figures.not_started,
        "overdue": figures.overdue,
        "expired": figures.expired,
        "exempted": figures.exempted,
        "coverage_percent": figures.coverage,
    }


def _goal(status) -> dict | None:
    if status is None:
        return None
    goal = status.goal
    return {
        "id": goal.pk,
        "name": goal.name,
        "target_percent": goal.target_percent,
        "deadline": goal.deadline,
        "unit_id": goal.unit_id,
        "course_id": goal.course_id,
        "reached": status.reached,
    }


def _ref(unit) -> dict:
    return {"id": unit.pk, "code": unit.code, "name": unit.name}


def _groups(groups) -> list[dict]:
    return [
        {
            "key": g.key,
            "suppressed": g.suppressed,
            "figures": None if g.suppressed else _figures(g.figures),
        }
        for g in groups
    ]


@coverage_router.get("/coverage", response=_responses(schemas.CoverageOut), url_name="api_coverage")
def coverage(
    request,
    unit: int | None = CoverageUnitQ,
    course: int | None = CourseQ,
):
    """Coverage as on HR's dashboard: each unit's total, its children rolled up, its goal, and
    a breakdown by role where groups under `small_group` people (and any group from which they
    could be derived) are suppressed, exactly as the dashboard does. No breakdown by sex: with
    the per-person assignment lists it could reveal a person's sex."""
    scope = _scope(request)
    items = selectors.coverage(scope, unit=_unit(scope, unit), course_id=_course_id(course))
    _rows(request, len(items))
    return {
        "date": timezone.localdate(),
        "course_id": course,
        "small_group": report_selectors.SMALL_GROUP,
        "items": [
            {
                "unit": _ref(item.unit),
                "total": _figures(item.total),
                "direct": _figures(item.direct),
                "goal": _goal(item.goal),
                "children": [
                    {
                        "unit": _ref(row.unit),
                        "figures": _figures(row.figures),
                        "goal": _goal(row.goal),
                    }
                    for row in item.children
                ],
                "by_role": _groups(item.by_role),
            }
            for item in items
        ],
    }


quiz_router = Router(tags=["quiz_stats"], auth=TokenAuth(Scope.QUIZ_STATS))


@quiz_router.get(
    "/quiz-stats", response=_responses(schemas.QuizStatsOut), url_name="api_quiz_stats"
)
def quiz_stats(request, course: int | None = CourseQ):
    """Per course and quiz: learners in scope who submitted an attempt, how many passed. Quizzes
    with fewer than `small_group` learners are suppressed."""
    figures = selectors.quiz_stats(_scope(request), course_id=_course_id(course))
    _rows(request, len(figures))
    return {
        "small_group": report_selectors.SMALL_GROUP,
        "items": [
            {
                "course_id": f.course.pk,
                "quiz_id": f.quiz.pk,
                "quiz_title": f.quiz.title,
                "suppressed": f.suppressed,
                "learners": f.learners,
                "passed": f.passed,
                "attempts": f.attempts,
                "pass_rate_percent": f.pass_rate,
            }
            for f in figures
        ],
    }


for router in (
    people_router,
    units_router,
    courses_router,
    assignments_router,
    completions_router,
    coverage_router,
    quiz_router,
):
    api.add_router("", router)
