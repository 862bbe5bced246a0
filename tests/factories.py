"""Factories for users, courses and modules (factory-boy), usable at any data size."""

from __future__ import annotations

import itertools

import factory
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile

from courses.models import CourseIndexPage, CoursePage
from lms.demo_courses import webvtt
from modules.models import Film, ModulePage
from quizzes.models import Choice, FeedbackPolicy, Question, Quiz, QuizQuestion

PASSWORD = "Test-losenord-123"
_course_numbers = itertools.count(1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = factory.Faker("first_name", locale="sv_SE")
    last_name = factory.Faker("last_name", locale="sv_SE")
    email = factory.LazyAttribute(lambda u: f"{u.username}@kommun.example")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def make_film(*, title: str = "Testfilm", seconds: int = 20) -> Film:
    film = Film(
        title=title,
        description="En kort testfilm.",
        transcript="<p>Berättare: Det här är en testfilm.</p>",
        duration_seconds=seconds,
    )
    film.video.save("test.mp4", ContentFile(b"\x00" * 64), save=False)
    film.captions.save(
        "test.vtt",
        ContentFile(webvtt([{"start": 0, "end": seconds, "text": "Text"}]).encode()),
        save=False,
    )
    film.save()
    return film


def make_course(
    catalogue: CourseIndexPage,
    *,
    title: str = "Testkurs",
    modules: int = 2,
    sequential: bool = True,
    film: Film | None = None,
    quiz: Quiz | None = None,
    slug: str | None = None,
    **fields,
) -> CoursePage:
    course = CoursePage(
        title=title,
        slug=slug or f"kurs-{next(_course_numbers)}",
        summary=f"Sammanfattning av {title}.",
        sequential=sequential,
        **fields,
    )
    catalogue.add_child(instance=course)
    course.save_revision().publish()
    for number in range(1, modules + 1):
        body = [{"type": "paragraph", "value": f"<p>Text i modul {number}.</p>"}]
        if film is not None:
            body.append({"type": "film", "value": {"film": film.pk, "intro": ""}})
        body.append(
            {"type": "reflection", "value": {"question": "Vad tar du med dig?", "guidance": ""}}
        )
        if quiz is not None and number == modules:
            body.append({"type": "quiz", "value": {"quiz": quiz.pk, "required": True}})
        module = ModulePage(title=f"Modul {number}", slug=f"modul-{number}", body=body)
        course.add_child(instance=module)
        module.save_revision().publish()
    return course


def make_question(*, text: str = "Vilken är rätt?", kind: str = "single", correct=(0,), n: int = 3):
    question = Question(kind=kind, text=text, explanation="Förklaring.")
    question.choices = [
        Choice(
            text=f"Alternativ {i + 1}",
            is_correct=i in correct,
            feedback=f"Återkoppling {i + 1}",
            sort_order=i,
        )
        for i in range(n)
    ]
    question.save()
    return question


def make_quiz(
    *,
    questions: int = 3,
    pass_mark: int = 100,
    max_attempts: int | None = 3,
    policy: str = FeedbackPolicy.AFTER_SUBMIT,
    slug: str | None = None,
    **fields,
) -> Quiz:
    quiz = Quiz.objects.create(
        title="Testprov",
        slug=slug or f"prov-{next(_course_numbers)}",
        pass_mark_percent=pass_mark,
        max_attempts=max_attempts,
        feedback_policy=policy,
        shuffle_choices=False,
        **fields,
    )
    for order in range(questions):
        QuizQuestion.objects.create(
            quiz=quiz, question=make_question(text=f"Fråga {order + 1}"), sort_order=order
        )
    return quiz


def answer_quiz(user, attempt, *, right: bool = True) -> None:
    """Answer every question of an open attempt, all right or all wrong."""
    from quizzes import services

    for question in attempt.snapshot["questions"]:
        keys = [c["key"] for c in question["choices"] if c["correct"] == right]
        if question["kind"] != "multiple":
            keys = keys[:1]
        services.quiz_attempt_answer(
            user=user, attempt_id=attempt.pk, question_key=question["key"], choice_keys=keys
        )


def pass_quiz(user, quiz: Quiz, *, module_id: int | None = None):
    """Start (in the module, as its quiz page does), answer everything right and submit."""
    from progress.services import module_start
    from quizzes import services

    if module_id is not None:
        module_start(user=user, module=ModulePage.objects.get(pk=module_id))
    attempt = services.quiz_attempt_start(user=user, quiz=quiz, module_id=module_id)
    answer_quiz(user, attempt)
    return services.quiz_attempt_submit(user=user, attempt_id=attempt.pk)
