"""Loads the four demo courses (courses/demo_content/*.json) into the page tree.

The texts were written by us from the facts of the source programmes in shared/seeds. Films are
short generated clips with real WebVTT captions and full transcripts. Courses that already
exist (by slug) are left alone, so that editors' changes survive a second run.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction

from courses.models import CourseIndexPage, CoursePage
from modules.models import Film, ModulePage
from quizzes.models import Choice, FeedbackPolicy, Question, Quiz, QuizQuestion

CONTENT_DIR = Path(__file__).resolve().parent.parent / "courses" / "demo_content"
FILM_DIR = CONTENT_DIR / "films"
# Block types of the content files that map one to one onto module blocks.
SIMPLE_BLOCKS = {
    "heading",
    "paragraph",
    "reflection",
    "discussion",
    "law",
    "quote",
    "takeaways",
}


def course_files() -> list[dict]:
    return [json.loads(path.read_text("utf-8")) for path in sorted(CONTENT_DIR.glob("*.json"))]


def _timestamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def webvtt(cues: list[dict]) -> str:
    lines = ["WEBVTT", ""]
    for number, cue in enumerate(cues, start=1):
        lines += [
            str(number),
            f"{_timestamp(cue['start'])} --> {_timestamp(cue['end'])}",
            cue["text"],
            "",
        ]
    return "\n".join(lines)


def _film(module_slug: str, value: dict) -> Film:
    film = Film.objects.filter(title=value["title"]).first()
    if film is not None:
        return film
    film = Film(
        title=value["title"],
        description=value["description"],
        transcript=value["transcript"],
        duration_seconds=value["duration_seconds"],
        captions_language="sv",
    )
    film.video.save(
        f"{module_slug}.mp4",
        ContentFile((FILM_DIR / f"{module_slug}.mp4").read_bytes()),
        save=False,
    )
    film.captions.save(
        f"{module_slug}.vtt", ContentFile(webvtt(value["captions"]).encode("utf-8")), save=False
    )
    film.full_clean()
    film.save()
    return film


def _quiz(data: dict, *, tag: str) -> Quiz:
    quiz = Quiz.objects.filter(slug=data["slug"]).first()
    if quiz is not None:
        return quiz
    quiz = Quiz.objects.create(
        title=data["title"],
        slug=data["slug"],
        intro=data.get("intro", ""),
        pass_mark_percent=data.get("pass_mark_percent", 80),
        max_attempts=data.get("max_attempts"),
        # Final tests: a failed attempt must not hand out the answers for the next one.
        feedback_policy=data.get("feedback_policy", FeedbackPolicy.AFTER_PASS),
        shuffle_choices=True,
    )
    for order, item in enumerate(data["questions"]):
        question = Question(
            kind=item["type"],
            case_text=item.get("case", ""),
            text=item["text"],
            explanation=item.get("explanation", ""),
        )
        if item["type"] == "true_false":
            choices = [
                {"text": "Sant", "correct": item["correct"], "feedback": ""},
                {"text": "Falskt", "correct": not item["correct"], "feedback": ""},
            ]
        else:
            choices = item["choices"]
        question.choices = [
            Choice(
                text=c["text"],
                is_correct=c["correct"],
                feedback=c.get("feedback", ""),
                sort_order=n,
            )
            for n, c in enumerate(choices)
        ]
        question.save()
        question.tags.add(tag)
        QuizQuestion.objects.create(quiz=quiz, question=question, sort_order=order)
    return quiz


def module_body(module: dict, quizzes: dict[str, Quiz] | None = None) -> list[dict]:
    body = []
    for block in module["blocks"]:
        kind, value = block["type"], block["value"]
        if kind in SIMPLE_BLOCKS:
            body.append({"type": kind, "value": value})
        elif kind == "film":
            body.append(
                {"type": "film", "value": {"film": _film(module["slug"], value).pk, "intro": ""}}
            )
        elif kind == "quiz" and quizzes and value["quiz"] in quizzes:
            quiz = quizzes[value["quiz"]]
            body.append({"type": "quiz", "value": {"quiz": quiz.pk, "required": True}})
    return body


def _title(text: str) -> str:
    return text.replace(" — ", " – ")  # Swedish uses a spaced en dash


@transaction.atomic
def load_courses(*, catalogue: CourseIndexPage) -> list[CoursePage]:
    data = course_files()
    courses: dict[str, CoursePage] = {}
    for course_data in data:
        existing = CoursePage.objects.child_of(catalogue).filter(slug=course_data["slug"]).first()
        if existing is not None:
            courses[course_data["slug"]] = existing
            continue
        course = CoursePage(
            title=_title(course_data["title"]),
            slug=course_data["slug"],
            summary=course_data["summary"],
            description=course_data["description"],
            audience=course_data["audience"],
            level=course_data["level"],
            estimated_minutes=course_data["estimated_minutes"],
            sequential=course_data["sequential"],
            validity_months=course_data.get("validity_months"),
            source_note=course_data.get("source_note", ""),
            allows_group_credit=course_data.get("allows_group_credit", False),
        )
        catalogue.add_child(instance=course)
        quizzes = {}
        if course_data.get("quiz"):
            quiz = _quiz(course_data["quiz"], tag=course_data["slug"])
            quizzes[quiz.slug] = quiz
        for module_data in course_data["modules"]:
            module = ModulePage(
                title=_title(module_data["title"]),
                slug=module_data["slug"],
                intro=module_data.get("intro", ""),
                estimated_minutes=module_data.get("estimated_minutes", 15),
                body=module_body(module_data, quizzes),
                for_group_viewing=module_data.get("for_group_viewing", False),
            )
            course.add_child(instance=module)
            module.save_revision().publish()
        courses[course_data["slug"]] = course
        course.prerequisite_slugs = course_data.get("prerequisites", [])

    for course in courses.values():
        slugs = getattr(course, "prerequisite_slugs", None)
        if slugs is None:
            continue
        course.prerequisites.set([courses[s] for s in slugs if s in courses])
        course.save_revision().publish()
    return list(courses.values())
