"""Reads of progress, and the rules for what is locked. The one place that decides
"in progress", "completed" and "locked" for a learner.

Courses and modules are read through Wagtail's page tree; their specific attributes used here
(`sequential`, `prerequisites`, `is_required`) are duck-typed so that this app does not import
`courses` or `modules`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from wagtail.models import Page

from lms import content_cache
from lms.compiled_query import CompiledQuery, fields_of

from .models import Completion, CourseProgress, ModuleProgress

NOT_STARTED, IN_PROGRESS, COMPLETED = "not_started", "in_progress", "completed"


@dataclass
class ModuleState:
    page: Page
    number: int
    started: bool = False
    completed: bool = False
    locked_reason: str | None = None
    # Set when a group credit completed the module: the day of the workplace meeting.
    credited_on: object | None = None

    @property
    def required(self) -> bool:
        return getattr(self.page, "is_required", True)


@dataclass
class CourseState:
    course: Page
    status: str = NOT_STARTED
    progress: CourseProgress | None = None
    required_total: int = 0
    required_done: int = 0
    locked_reasons: list[str] = field(default_factory=list)
    modules: list[ModuleState] = field(default_factory=list)

    @property
    def percent(self) -> int:
        if self.status == COMPLETED:
            return 100
        if not self.required_total:
            return 0
        return round(100 * self.required_done / self.required_total)

    @property
    def completed_at(self):
        return self.progress.completed_at if self.progress else None

    @property
    def locked(self) -> bool:
        return bool(self.locked_reasons)

    @property
    def resume_module(self) -> ModuleState | None:
        """Where to continue: the first module not done that is open, else the first."""
        for state in self.modules:
            if not state.completed and not state.locked_reason:
                return state
        return self.modules[0] if self.modules else None

    def module(self, page_id: int) -> ModuleState | None:
        return next((m for m in self.modules if m.page.pk == page_id), None)

    def next_module(self, page_id: int) -> ModuleState | None:
        ids = [m.page.pk for m in self.modules]
        if page_id in ids and ids.index(page_id) + 1 < len(ids):
            return self.modules[ids.index(page_id) + 1]
        return None


def current_round(*, user, course_id: int) -> CourseProgress | None:
    """The learner's latest round of the course, or None (asked on every course and module
    page: compiled once per process)."""
    rounds = _LATEST_ROUND.instances("", user_id=user.pk, course_id=course_id)
    return rounds[0] if rounds else None


def completed_course_ids(*, user, course_ids: list[int] | None = None) -> set[int]:
    """The courses the learner has a completion of (of `course_ids`, when given; none asked
    about, no query)."""
    if course_ids is not None and not course_ids:
        return set()
    done = {course_id for (course_id,) in _MY_COMPLETIONS.rows("", user_id=user.pk)}
    return done if course_ids is None else done & set(course_ids)


_MY_ROUNDS = CompiledQuery(
    CourseProgress,
    lambda _key, *, user_id: (
        CourseProgress.objects.filter(user_id=user_id)
        .order_by("round")
        .values_list(*fields_of(CourseProgress))
    ),
    names=("user_id",),
)
_LATEST_ROUND = CompiledQuery(
    CourseProgress,
    lambda _key, *, user_id, course_id: (
        CourseProgress.objects.filter(user_id=user_id, course_id=course_id)
        .order_by("-round")
        .values_list(*fields_of(CourseProgress))[:1]
    ),
    names=("user_id", "course_id"),
)
_ROUND_MODULES = CompiledQuery(
    ModuleProgress,
    lambda _key, *, progress_id: ModuleProgress.objects.filter(
        course_progress_id=progress_id
    ).values_list(*fields_of(ModuleProgress)),
    names=("progress_id",),
)
_MY_DONE_MODULES = CompiledQuery(
    ModuleProgress,
    lambda _key, *, user_id: ModuleProgress.objects.filter(
        course_progress__user_id=user_id, completed_at__isnull=False
    ).values_list("course_progress_id", "module_id"),
    names=("user_id",),
)
_MY_COMPLETIONS = CompiledQuery(
    Completion,
    lambda _key, *, user_id: Completion.objects.filter(user_id=user_id).values_list("course_id"),
    names=("user_id",),
)


def _prerequisite_reasons(course: Page, done: set[int], prerequisites: list[Page]) -> list[str]:
    # An unpublished prerequisite cannot be taken, so it does not lock anything.
    return [
        _("Complete the course “%(title)s” first.") % {"title": p.title}
        for p in prerequisites
        if p.live and p.pk not in done
    ]


def _prerequisites_of(course) -> list:
    """A course's prerequisites (pk, title, live): the catalogue's cached entries carry them
    as `prerequisite_refs`; a course page has them prefetched."""
    refs = getattr(course, "prerequisite_refs", None)
    return list(refs) if refs is not None else list(course.prerequisites.all())


@dataclass(frozen=True)
class _ModuleRef:
    """A module as far as the completion rule needs it."""

    pk: int
    is_required: bool


def required_module_ids(modules: list[Page]) -> set[int]:
    """The modules a course needs done: the required ones, or all if none is marked required."""
    required = {m.pk for m in modules if getattr(m, "is_required", True)}
    return required or {m.pk for m in modules}


def course_state(*, user, course: Page, fresh: bool = False) -> CourseState:
    """Everything a course or module page needs to know about one learner and one course.

    A fixed number of queries whatever the size of the course or the number of learners: the
    course's modules and prerequisites come from the content cache (they change only when an
    editor publishes); the learner's round and module rows are read fresh. `fresh` reads the
    structure from the database too, for the services that decide a completion.
    """
    course = course.specific
    structure = content_cache.course_structure(course, fresh=fresh)
    modules = structure.modules
    required = required_module_ids(modules)
    progress = current_round(user=user, course_id=course.pk)
    rows = (
        {row.module_id: row for row in _ROUND_MODULES.instances("", progress_id=progress.pk)}
        if progress
        else {}
    )
    prerequisites = structure.prerequisites
    # No prerequisites, no query (an empty id list is answered without the database).
    done_courses = completed_course_ids(user=user, course_ids=[p.pk for p in prerequisites])

    state = CourseState(course=course, progress=progress)
    state.locked_reasons = _prerequisite_reasons(course, done_courses, prerequisites)
    sequential = getattr(course, "sequential", False)
    course_done = bool(progress and progress.completed_at)
    blocking: ModuleState | None = None
    for number, page in enumerate(modules, start=1):
        row = rows.get(page.pk)
        module = ModuleState(
            page=page,
            number=number,
            started=row is not None,
            completed=bool(row and row.completed_at),
            credited_on=row.credited_on if row and row.completed_at and row.credit_key else None,
        )
        if state.locked_reasons:
            module.locked_reason = state.locked_reasons[0]
        elif sequential and blocking is not None and not course_done and not module.completed:
            module.locked_reason = _("Complete the module “%(title)s” first.") % {
                "title": blocking.page.title
            }
        if page.pk in required:
            state.required_total += 1
            state.required_done += module.completed
            if blocking is None and not module.completed:
                blocking = module
        state.modules.append(module)

    if course_done:
        state.status = COMPLETED
    elif progress:
        state.status = IN_PROGRESS
    return state


def catalogue_states(*, user, courses: list[Page]) -> dict[int, CourseState]:
    """Status and percentage for many courses at once, in a fixed number of queries."""
    ids = [c.pk for c in courses]
    if not ids:
        return {}
    # Which modules each course requires changes only on publish: from the content cache.
    required = {
        cid: required_module_ids([_ModuleRef(pk, is_required) for pk, is_required in modules])
        for cid, modules in content_cache.required_module_ids(ids).items()
        if modules
    }

    # The learner's own rows, whatever the courses: three queries compiled once per process
    # (lms.compiled_query), filtered here to the courses asked about.
    wanted = set(ids)
    progress_rows: dict[int, CourseProgress] = {}
    for row in _MY_ROUNDS.instances("", user_id=user.pk):  # ordered by round: the latest wins
        if row.course_id in wanted:
            progress_rows[row.course_id] = row
    latest = {p.pk for p in progress_rows.values()}
    done: dict[int, set[int]] = {}
    for progress_id, module_id in _MY_DONE_MODULES.rows("", user_id=user.pk):
        if progress_id in latest:
            done.setdefault(progress_id, set()).add(module_id)

    prerequisites = {c.pk: _prerequisites_of(c) for c in courses}
    all_prereq_ids = [p.pk for ps in prerequisites.values() for p in ps]
    done_courses = completed_course_ids(user=user, course_ids=all_prereq_ids)

    states = {}
    for course in courses:
        progress = progress_rows.get(course.pk)
        state = CourseState(course=course, progress=progress)
        course_required = required.get(course.pk, set())
        state.required_total = len(course_required)
        state.required_done = len(course_required & done.get(progress.pk, set())) if progress else 0
        state.locked_reasons = _prerequisite_reasons(course, done_courses, prerequisites[course.pk])
        if progress and progress.completed_at:
            state.status = COMPLETED
        elif progress:
            state.status = IN_PROGRESS
        states[course.pk] = state
    return states


def pages_with_progress(page: Page) -> bool:
    """Whether any learner has progress in this page or a page below it."""
    ids = list(Page.objects.descendant_of(page, inclusive=True).values_list("pk", flat=True))
    return (
        CourseProgress.objects.filter(course_id__in=ids).exists()
        or ModuleProgress.objects.filter(module_id__in=ids).exists()
    )


def page_open_to(page: Page, request, *, restrictions_checked: bool = False) -> bool:
    """Published all the way up, and not behind a Wagtail view restriction the user fails.

    Wagtail serves a live page below an unpublished one; learners must not reach those. Which
    pages are unpublished comes from the content cache. `restrictions_checked`: Wagtail's own
    `before_serve_page` hook has already applied the view restrictions (a page being served),
    so they are not read a second time.
    """
    if not content_cache.ancestors_live(page):
        return False
    # External members (external_organisations) reach only courses opened to them.
    from external_organisations.selectors import page_open_to_external

    if not page_open_to_external(page, request):
        return False
    if restrictions_checked:
        return True
    return all(r.accept_request(request) for r in page.get_view_restrictions())


# History: every round of a course, with its completion and how long that was valid -----------

VALID, EXPIRED, DONE = "valid", "expired", "done"
ROUND_STATUS_LABELS = {
    IN_PROGRESS: _lazy("In progress"),
    VALID: _lazy("Completed, valid"),
    EXPIRED: _lazy("Completed, expired"),
    DONE: _lazy("Completed"),
}


@dataclass
class RoundHistory:
    course: Page
    round: int
    started_at: object
    completed_at: object | None
    valid_until: object | None
    status: str

    @property
    def status_label(self) -> str:
        return str(ROUND_STATUS_LABELS[self.status])


def _completion(progress: CourseProgress) -> Completion | None:
    try:
        return progress.completion
    except Completion.DoesNotExist:
        return None


def _round_status(progress: CourseProgress, today) -> str:
    completion = _completion(progress)
    if completion is None:
        return IN_PROGRESS
    if completion.valid_until is None:
        return DONE
    # valid_until is the last valid day, as everywhere (assignment states, reports, reminders).
    return VALID if completion.valid_until >= today else EXPIRED


def rounds_history(*, user, course_ids: list[int] | None = None, today=None) -> list[RoundHistory]:
    """A person's rounds of courses (all, or these), newest course activity first and each
    course's latest round first. One query; earlier rounds stay as they were (the history)."""
    from django.utils import timezone

    today = today or timezone.localdate()
    rows = CourseProgress.objects.filter(user=user).select_related("course", "completion")
    if course_ids is not None:
        rows = rows.filter(course_id__in=course_ids)
    return [
        RoundHistory(
            course=p.course,
            round=p.round,
            started_at=p.started_at,
            completed_at=p.completed_at,
            valid_until=_completion(p).valid_until if _completion(p) else None,
            status=_round_status(p, today),
        )
        for p in rows.order_by("course__title", "course_id", "-round")
    ]


def course_history(*, user, course_id: int, today=None) -> list[RoundHistory]:
    """One learner's rounds of one course, the latest first."""
    return rounds_history(user=user, course_ids=[course_id], today=today)
