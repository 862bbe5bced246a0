"""Factories for users, courses and modules (factory-boy), usable at any data size."""

from __future__ import annotations

import itertools

import factory
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile

from courses.models import CourseIndexPage, CoursePage
from lms.demo_courses import webvtt
from modules.models import Film, ModulePage

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
        module = ModulePage(title=f"Modul {number}", slug=f"modul-{number}", body=body)
        course.add_child(instance=module)
        module.save_revision().publish()
    return course
