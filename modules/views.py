from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lms import content_cache
from progress import selectors as progress_selectors
from progress import services as progress_services
from quizzes import selectors as quiz_selectors
from quizzes import services as quiz_services

from . import selectors, services
from .models import ModulePage


def _module_for_learner(request: HttpRequest, page_id: int) -> ModulePage:
    """A live module the learner may open; locked or unpublished modules are refused."""
    if page_id >= 2**63:  # no such page; SQLite cannot even be asked about one
        raise Http404
    module = get_object_or_404(ModulePage.objects.live(), pk=page_id)
    if not progress_selectors.page_open_to(module, request):
        raise Http404
    state = progress_selectors.course_state(
        user=request.user, course=content_cache.parent_page(module)
    )
    module_state = state.module(module.pk)
    if module_state is None or module_state.locked_reason:
        raise Http404
    return module


def module_context(
    module: ModulePage, request: HttpRequest, state, *, preview: bool = False
) -> dict:
    # A module without films or reflections has no rows of them to read.
    kinds = {block.block_type for block in module.body}
    films = (
        selectors.film_progress_by_block(user=request.user, module=module)
        if not preview and "film" in kinds
        else {}
    )
    answers = (
        selectors.reflection_answers_by_block(user=request.user, module=module)
        if not preview and "reflection" in kinds
        else {}
    )
    quizzes = [b.value["quiz"] for b in module.body if b.block_type == "quiz" and b.value["quiz"]]
    statuses = (
        {}
        if preview
        else quiz_selectors.quiz_statuses(
            user=request.user,
            quizzes=quizzes,
            now=timezone.now(),
            since=state.progress.started_at if state.progress else None,  # this round's
        )
    )
    blocks = [
        {
            "block": block,
            "film_progress": films.get(block.id),
            "answer": answers.get(block.id),
            "quiz_status": statuses.get(block.value["quiz"].pk)
            if block.block_type == "quiz" and block.value["quiz"]
            else None,
        }
        for block in module.body
    ]
    module_state = state.module(module.pk) or progress_selectors.ModuleState(
        page=module, number=len(state.modules) + 1
    )
    return {
        "preview": preview,
        "page": module,
        "self": module,
        "state": state,
        "course": state.course,
        "module_state": module_state,
        "next_module": state.next_module(module.pk),
        "blocks": blocks,
        "unmet": []
        if preview or module_state.completed
        # The film progress this page already read: not a second query for the same rows.
        else module.unmet_requirements(request.user, film_progress=films),
    }


def preview_module(module: ModulePage, request: HttpRequest) -> HttpResponse:
    """The editor's preview: the module as a learner sees it, recording nothing."""
    state = progress_selectors.course_state(user=request.user, course=module.get_parent())
    return TemplateResponse(
        request, module.get_template(request), module_context(module, request, state, preview=True)
    )


def serve_module(module: ModulePage, request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """The module as the learner sees it: locked modules say why, open ones record a start."""
    # Wagtail's before_serve_page hook has applied the view restrictions already.
    if not progress_selectors.page_open_to(module, request, restrictions_checked=True):
        raise Http404
    state = progress_selectors.course_state(
        user=request.user, course=content_cache.parent_page(module)
    )
    if state.status == progress_selectors.COMPLETED and progress_services.renewal_open_if_due(
        user=request.user, course=state.course
    ):  # the completion has lapsed: a new round
        state = progress_selectors.course_state(user=request.user, course=state.course)
    module_state = state.module(module.pk)
    if module_state is None:
        raise Http404
    if module_state.locked_reason:
        return TemplateResponse(
            request,
            "modules/module_locked.html",
            {"page": module, "state": state, "reason": module_state.locked_reason},
            status=403,
        )
    if not module_state.started:
        progress_services.module_start(user=request.user, module=module)
        module_state.started = True
    context = module_context(module, request, state)
    services.film_progress_serve(
        user=request.user,
        module=module,
        shown={i["block"].id: i["film_progress"] for i in context["blocks"] if i["film_progress"]},
    )
    return TemplateResponse(request, module.get_template(request), context)


@require_POST
def film_progress(request: HttpRequest, page_id: int, block_id: str) -> JsonResponse:
    module = _module_for_learner(request, page_id)
    try:
        # Read no more than a report can be, whatever Content-Length says.
        played = services.film_report_parse(request.read(services.MAX_REPORT_BYTES + 1))
        progress = services.film_progress_record(
            user=request.user, module=module, block_id=block_id, played=played
        )
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=400)
    return JsonResponse(
        {
            "watched": progress.is_watched,
            "percent": progress.percent,
            # Played faster than time allows so far: the player sends its ranges again later.
            "uncredited_seconds": round(progress.uncredited_seconds, 1),
        }
    )


@require_POST
def transcript_read(request: HttpRequest, page_id: int, block_id: str) -> HttpResponse:
    module = _module_for_learner(request, page_id)
    try:
        services.film_transcript_read(user=request.user, module=module, block_id=block_id)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(module.url)  # the message at the top of the page gets the focus
    messages.success(request, _("Noted: you have read the transcript."))
    return redirect(module.url + f"#block-{block_id}")


@require_POST
def reflection_save(request: HttpRequest, page_id: int, block_id: str) -> HttpResponse:
    module = _module_for_learner(request, page_id)
    try:
        services.reflection_save(
            user=request.user, module=module, block_id=block_id, text=request.POST.get("text", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(module.url)  # the message at the top of the page gets the focus
    messages.success(request, _("Your reflection is saved. Only you can see it."))
    return redirect(module.url + f"#block-{block_id}")


def quiz_start(request: HttpRequest, page_id: int, block_id: str) -> HttpResponse:
    """The quiz placed in a module: POST (the module's and the result's one button) starts or
    resumes the attempt; GET shows its rules and the learner's standing."""
    module = _module_for_learner(request, page_id)
    block = next((b for b in module.body if b.id == block_id and b.block_type == "quiz"), None)
    if block is None or not block.value["quiz"]:
        raise Http404
    quiz = block.value["quiz"]
    if request.method == "POST":
        # The course round must exist before the attempt: a pass counts in the round it is in.
        progress_services.module_start(user=request.user, module=module)
        try:
            attempt = quiz_services.quiz_attempt_start(
                user=request.user, quiz=quiz, module_id=module.pk
            )
        except quiz_services.QuizError as error:
            for message in error.messages:
                messages.error(request, message)
            # Back where the button was; the message at the top of the page gets the focus.
            return redirect(module.url)
        return redirect("quizzes:question", attempt.pk, quiz_selectors.first_open_number(attempt))
    since = quiz_services.round_started_at(user=request.user, module_id=module.pk)
    status = quiz_selectors.quiz_statuses(
        user=request.user, quizzes=[quiz], now=timezone.now(), since=since
    )
    return TemplateResponse(
        request,
        "quizzes/quiz_start.html",
        {"quiz": quiz, "status": status[quiz.pk], "module": module, "block_id": block_id},
    )
