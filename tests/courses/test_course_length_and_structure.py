"""Editors: a course's length follows its modules; a module after the final test is flagged."""

import pytest

from courses.models import CoursePage
from courses.services import course_length_refresh
from modules.models import ModulePage
from tests.factories import make_course, make_quiz
from tests.helpers import login_via_form

pytestmark = pytest.mark.django_db


def add_module(course, title, *, minutes=15, required=True, publish=True):
    module = ModulePage(
        title=title,
        slug=title.lower().replace(" ", "-"),
        estimated_minutes=minutes,
        is_required=required,
        body=[],
        live=publish,
    )
    course.add_child(instance=module)
    if publish:
        module.save_revision().publish()
    return module


def test_the_length_follows_the_required_published_modules(client, catalogue, learner):
    course = make_course(catalogue, modules=2)  # two modules of 15 minutes
    assert CoursePage.objects.get(pk=course.pk).length_minutes == 30
    add_module(course, "Extra", minutes=20)
    add_module(course, "Valfri", minutes=40, required=False)
    add_module(course, "Utkast", minutes=50, publish=False)
    assert CoursePage.objects.get(pk=course.pk).length_minutes == 50
    extra = ModulePage.objects.get(slug="extra")
    extra.unpublish()
    assert CoursePage.objects.get(pk=course.pk).length_minutes == 30
    ModulePage.objects.get(slug="valfri").delete()
    assert course_length_refresh(course_id=course.pk) == 30

    client.force_login(learner)
    assert "cirka 30 min" in client.get(course.url).content.decode()
    assert "cirka 30 min" in client.get(catalogue.url).content.decode()


def test_a_length_set_by_hand_wins(client, catalogue, learner):
    course = make_course(catalogue, modules=2, estimated_minutes=90)
    add_module(course, "Extra", minutes=20)
    course = CoursePage.objects.get(pk=course.pk)
    assert course.computed_minutes == 50 and course.length_minutes == 90
    client.force_login(learner)
    assert "cirka 90 min" in client.get(course.url).content.decode()


def test_republishing_an_old_course_revision_keeps_the_length_current(catalogue):
    course = make_course(catalogue, modules=1)
    old = course.save_revision()
    add_module(course, "Extra", minutes=20)
    old.publish()
    assert CoursePage.objects.get(pk=course.pk).length_minutes == 35


def test_a_module_added_after_the_final_test_is_flagged(client, catalogue, demo_users):
    course = make_course(catalogue, modules=2, quiz=make_quiz(questions=1))
    assert login_via_form(client, "redaktor", demo_users)
    edit = f"/admin/pages/{course.pk}/edit/"
    assert "efter sluttestet" not in client.get(edit).content.decode()

    # Added the way editors add one: it lands last, after the module with the final test.
    response = client.post(
        f"/admin/pages/add/modules/modulepage/{course.pk}/",
        {
            "title": "Efterhandsmodul",
            "slug": "efterhand",
            "intro": "",
            "estimated_minutes": "10",
            "is_required": "on",
            "body-count": "0",
            "action-publish": "publish",
        },
        follow=True,
    )
    page = " ".join(response.content.decode().split())
    assert "Modulen ”Efterhandsmodul” ligger efter sluttestet och är obligatorisk" in page
    html = " ".join(client.get(edit).content.decode().split())
    assert "En obligatorisk modul ligger efter sluttestet." in html
    assert "Efter sluttestet" in html

    # Optional, it is no longer a problem.
    module = ModulePage.objects.get(slug="efterhand")
    module.is_required = False
    module.save_revision().publish()
    assert "ligger efter sluttestet" not in client.get(edit).content.decode()
