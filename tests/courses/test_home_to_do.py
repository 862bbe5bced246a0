"""The learner's home page lists what they have to do; the catalogue marks assigned courses."""

import datetime
import re

import pytest
from django.utils import timezone

from assignments.models import Assignment
from progress import services as progress_services
from progress.models import Completion
from tests.factories import UserFactory, make_course
from tests.helpers import assert_queries_independent_of_size

pytestmark = pytest.mark.django_db


def assign(user, course, due_on):
    return Assignment.objects.create(
        user=user, course=course, assigned_at=timezone.now(), due_on=due_on
    )


def test_home_lists_assigned_courses_overdue_first_then_by_due_date(client, catalogue, learner):
    today = timezone.localdate()
    later = make_course(catalogue, title="Senare kurs", modules=1)
    soon = make_course(catalogue, title="Snar kurs", modules=1)
    late = make_course(catalogue, title="Försenad kurs", modules=1)
    done = make_course(catalogue, title="Klar kurs", modules=1)
    assign(learner, later, today + datetime.timedelta(days=60))
    assign(learner, soon, today + datetime.timedelta(days=5))
    assign(learner, late, today - datetime.timedelta(days=3))
    assign(learner, done, today + datetime.timedelta(days=5))
    progress_services.module_start(user=learner, module=soon.get_children().get().specific)
    done_module = done.get_children().get().specific
    progress_services.module_start(user=learner, module=done_module)
    progress_services.module_complete(user=learner, module=done_module)
    assert Completion.objects.filter(user=learner, course=done).exists()
    make_course(catalogue, title="Ej tilldelad", modules=1)

    client.force_login(learner)
    html = client.get("/").content.decode()
    to_do = html[html.index('id="to-do-heading"') :]
    titles = re.findall(r'<h3 lang="sv">([^<]+)</h3>', to_do)
    assert titles == ["Försenad kurs", "Snar kurs", "Senare kurs"]
    text = " ".join(to_do.split())
    due = (today + datetime.timedelta(days=5)).strftime("%-d ")
    assert "Skulle ha varit klar senast" in text and f"Klar senast {due}" in text
    # Started courses continue, the others start.
    cards = to_do.split('<li class="card')
    assert "Fortsätt" in cards[2] and "Starta" in cards[1] and "Starta" in cards[3]
    assert "Du har slutfört 1 tilldelad kurs." in text and "/mina-kurser/" in to_do
    assert "Ej tilldelad" not in to_do and "Klar kurs</h3>" not in to_do


def test_visitors_keep_the_welcome(client, catalogue):
    html = client.get("/").content.decode()
    assert "Logga in för att börja" in html or "Logga in" in html
    assert "to-do-heading" not in html


def test_the_catalogue_marks_assigned_courses(client, catalogue, learner):
    today = timezone.localdate()
    assigned = make_course(catalogue, title="Tilldelad kurs", modules=1)
    make_course(catalogue, title="Fri kurs", modules=1)
    assign(learner, assigned, datetime.date(today.year + 1, 3, 4))
    client.force_login(learner)
    text = " ".join(client.get(catalogue.url).content.decode().split())
    assert f"Tilldelad – senast 4 mars {today.year + 1}" in text
    assert text.count("Tilldelad – senast") == 1


def _grow(catalogue, learner):
    def grow():
        today = timezone.localdate()
        for number in range(4):
            course = make_course(catalogue, title=f"Kurs {number}", modules=2)
            assign(learner, course, today + datetime.timedelta(days=number))
            progress_services.module_start(user=learner, module=course.get_children().first())
            assign(UserFactory(), course, today)

    return grow


def test_home_and_catalogue_queries_do_not_grow_with_assignments(client, catalogue, learner):
    course = make_course(catalogue, modules=1)
    assign(learner, course, timezone.localdate())
    client.force_login(learner)
    home = assert_queries_independent_of_size(
        lambda: client.get("/"), _grow(catalogue, learner), label="home"
    )
    listing = assert_queries_independent_of_size(
        lambda: client.get(catalogue.url), _grow(catalogue, learner), label="catalogue"
    )
    # Today (before the to-do list and the badges): home 10, catalogue 16 queries.
    assert home <= 12 and listing <= 17
