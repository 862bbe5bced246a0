"""The catalogue's cards show each learner's own state. Their per-learner part is rendered
once per process for each combination of the values it shows (course_tags.catalogue_card_tail),
so learners with different progress, assignments or language must each see their own."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assignments.models import Assignment
from progress import services as progress_services
from tests.factories import UserFactory, make_course

pytestmark = pytest.mark.django_db


def card(client, catalogue, title: str) -> str:
    html = client.get(catalogue.url).content.decode()
    cards = re.findall(r'<li class="card">(.*?)</li>\s*(?=<li class="card">|</ul>)', html, re.S)
    return next(c for c in cards if f">{title}<" in c)


def learner() -> tuple[Client, object]:
    user = UserFactory()
    client = Client()
    client.force_login(user)
    return client, user


def test_each_learner_sees_their_own_card(catalogue):
    course = make_course(catalogue, title="Kortkurs", modules=4, sequential=False)
    later = make_course(catalogue, title="Fortsättning", modules=1)
    later.prerequisites.add(course)
    later.save_revision().publish()
    (fresh, _u1), (busy, busy_user), (assigned, assigned_user) = learner(), learner(), learner()
    for client in (fresh, busy, assigned):  # the not-started cards are rendered first
        card(client, catalogue, "Kortkurs")
    progress_services.module_complete(user=busy_user, module=course.get_children().first())
    due = timezone.localdate() + datetime.timedelta(days=12)
    Assignment.objects.create(
        user=assigned_user, course=course, assigned_at=timezone.now(), due_on=due
    )

    fresh_card = card(fresh, catalogue, "Kortkurs")
    assert "Inte påbörjad" in fresh_card and "<progress" not in fresh_card
    assert "Tilldelad" not in fresh_card
    busy_card = card(busy, catalogue, "Kortkurs")
    assert "Pågående" in busy_card and 'value="25"' in busy_card and "1 av 4" in busy_card
    assigned_card = card(assigned, catalogue, "Kortkurs")
    assert "Tilldelad" in assigned_card and "Pågående" not in assigned_card
    # The locked course names its prerequisite for everybody who has not completed it.
    assert "Kortkurs" in card(busy, catalogue, "Fortsättning").split("locked-reason")[1]


def test_a_card_follows_the_learners_language(catalogue):
    make_course(catalogue, title="Språkkurs", modules=2, sequential=False)
    (swedish, _u1), (english, _u2) = learner(), learner()
    english.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Inte påbörjad" in card(swedish, catalogue, "Språkkurs")
    html = card(english, catalogue, "Språkkurs")
    assert "Not started" in html and "Inte påbörjad" not in html
