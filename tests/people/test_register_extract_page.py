"""The register extract page reads as Swedish for any employee; the JSON keeps its keys."""

import datetime
import json
import re
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from assignments.models import Assignment
from modules import services as module_services
from modules.models import FilmProgress
from people import extract_display, gdpr
from people.models import OrgUnit, Person
from progress import services as progress_services
from quizzes import services as quiz_services
from quizzes.models import QuizQuestion
from reminders.models import Delivery, Notice
from tests.factories import (
    UserFactory,
    answer_quiz,
    make_course,
    make_film,
    make_question,
    make_quiz,
)

pytestmark = pytest.mark.django_db

# Python's spellings of data, which a readable page never shows.
PYTHON_LITERALS = ["{'", "'}", "['", "']", "[]", "{}", "True", "False", "None", "\\n"]
# Keys that are also ordinary Swedish words on the page.
SWEDISH_TOO = {"film", "status"}  # "E-postens status"


class VisibleText(HTMLParser):
    """The text a reader sees in <main>: no tags, no attributes, no scripts."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.depth += 1
        if tag in ("script", "style"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag == "main":
            self.depth -= 1
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def keys_of(value, *, content: bool = False) -> set[str]:
    """Every field key in the JSON extract (the questions under "answers" are content)."""
    keys: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if not content:
                keys.add(key)
            keys |= keys_of(item, content=key == "answers")
    elif isinstance(value, list):
        for item in value:
            keys |= keys_of(item)
    return keys


@pytest.fixture
def busy_learner(catalogue):
    """A learner with something in every section: progress, films, reflections, attempts,
    assignments and reminders."""
    unit = OrgUnit.add_root(instance=OrgUnit(code="K", name="Kommunen"))
    user = UserFactory(username="flitig", first_name="Sara", last_name="Lind")
    Person.objects.create(
        user=user,
        employee_number="4711",
        unit=unit,
        position_title="Handläggare",
        start_date=datetime.date(2020, 3, 1),
    )
    quiz = make_quiz(questions=1, pass_mark=100)
    multiple = make_question(text="Vilka stämmer?", kind="multiple", correct=(0, 1), n=4)
    QuizQuestion.objects.create(quiz=quiz, question=multiple, sort_order=5)
    film = make_film()
    course = make_course(catalogue, modules=1, quiz=quiz, film=film)
    module = course.get_children().get().specific
    progress_services.module_start(user=user, module=module)
    film_block = next(b.id for b in module.body if b.block_type == "film")
    FilmProgress.objects.create(
        user=user,
        module=module,
        block_id=film_block,
        film=film,
        played_ranges=[[0, 19.5]],
        seconds_played=19.5,
        watched_at=timezone.now(),
    )
    reflection = next(b.id for b in module.body if b.block_type == "reflection")
    module_services.reflection_save(
        user=user, module=module, block_id=reflection, text="Jag ska fråga i stället."
    )
    for right in (False, True):
        attempt = quiz_services.quiz_attempt_start(user=user, quiz=quiz, module_id=module.pk)
        answer_quiz(user, attempt, right=right)
        quiz_services.quiz_attempt_submit(user=user, attempt_id=attempt.pk)
    progress_services.module_complete(user=user, module=module)
    today = timezone.localdate()
    assignment = Assignment.objects.create(
        user=user, course=course, assigned_at=timezone.now(), due_on=today
    )
    delivery = Delivery.objects.create(user=user, day=today, status="sent", sent_at=timezone.now())
    Notice.objects.create(
        key=f"due-{assignment.pk}",
        kind="due_soon",
        user=user,
        assignment=assignment,
        delivery=delivery,
        payload={"course": course.title, "due_on": today.isoformat()},
    )
    from workplace_meetings.models import Attendance, WorkplaceMeeting

    meeting = WorkplaceMeeting.objects.create(unit=unit, module=module, date=today, status="held")
    Attendance.objects.create(meeting=meeting, user=user, present=True)
    return user


def test_the_extract_page_has_no_field_names_and_no_python_literals(client, busy_learner):
    extract = gdpr.register_extract(busy_learner)
    sections = extract["sections"]
    # An employee is never an external organisation's member: that section is empty here
    # (tests/external_organisations covers a member's extract).
    sections = {k: v for k, v in sections.items() if k != "external_organisation"}
    assert all(sections[key] for key in sections), "every section has rows"
    client.force_login(busy_learner)
    html = client.get("/mina-uppgifter/registerutdrag/").content.decode()
    text = visible_text(html)

    keys = keys_of(extract) - SWEDISH_TOO
    shown = sorted(k for k in keys if re.search(rf"(?<![\w-]){re.escape(k)}(?![\w-])", text))
    assert shown == [], f"field names on the page: {shown}"
    literals = [literal for literal in PYTHON_LITERALS if literal in text]
    assert literals == [], f"Python literals on the page: {literals}"
    # No UTC timestamps with microseconds or ISO date-times.
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}", text)
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d+", text)

    # Swedish labels, Ja/Nej, local dates, answers as lists of the chosen texts.
    for label in ("Förnamn", "Anställningsnummer", "Uppspelade sekunder", "Godkänd", "Svar"):
        assert label in text
    assert "Ja" in text and "Nej" in text
    assert "1 mars 2020" in text  # a date, in Swedish
    local = timezone.localtime(busy_learner.date_joined)
    assert f"{local.day} " in text and local.strftime("%H:%M") in text
    assert "19,5" in text  # a Swedish decimal comma
    assert '<ul class="extract-list"><li>Alternativ 1</li><li>Alternativ 2</li></ul>' in html
    assert "Vilka stämmer?" in text


def test_the_json_download_keeps_machine_readable_keys(client, busy_learner):
    client.force_login(busy_learner)
    data = json.loads(client.get("/mina-uppgifter/registerutdrag.json").content)
    person = data["sections"]["person"][0]
    assert person["first_name"] == "Sara" and person["start_date"] == "2020-03-01"
    film = data["sections"]["films"][0]
    assert film["seconds_played"] == 19.5 and "T" in film["watched"]
    assert data["sections"]["quiz_attempts"][1]["passed"] is True


def test_a_section_added_later_renders_readably(client, busy_learner):
    # Another app (diplomas) registers a section: known keys get their labels, unknown ones
    # are humanised, never shown raw.
    provider = gdpr.Provider(
        "diplomas_test",
        "Diplom",
        lambda user: [
            {"code": "ABC123", "issued_at": "2026-05-04T10:15:30.123456+00:00", "revoked": False}
        ],
        labels={"revoked": "Återkallat"},
    )
    gdpr.register(provider)
    try:
        client.force_login(busy_learner)
        text = visible_text(client.get("/mina-uppgifter/registerutdrag/").content.decode())
    finally:
        gdpr.PROVIDERS.pop("diplomas_test")
    assert "Verifieringskod" in text and "Återkallat" in text
    assert "4 maj 2026 12:15" in text  # Stockholm summer time, no seconds
    assert "issued_at" not in text and "False" not in text


def test_unknown_keys_are_humanised_without_underscores():
    assert extract_display.label_for("some_new_field") == "Some new field"


def test_the_diploma_section_reads_as_swedish(client, busy_learner):
    """Review of issue 12: the diplomas section had English labels and status values."""
    from diplomas import services as diploma_services
    from diplomas.models import Diploma

    course_id = busy_learner.completions.get().course_id
    diploma = diploma_services.diploma_for_learner(user=busy_learner, course_id=course_id)
    diploma_services.diploma_revoke(diploma=diploma, user=None, reason="Fel person")
    assert Diploma.objects.filter(completion__user=busy_learner).count() == 1
    client.force_login(busy_learner)
    text = visible_text(client.get("/mina-uppgifter/registerutdrag/").content.decode())
    assert "Fel person" in text
    for english in ("Holder", "Issued", "Revoke reason", "Revoked", "revoked", "Code"):
        assert not re.search(rf"(?<![\w-]){english}(?![\w-])", text), english
    for swedish in ("Namn på diplomet", "Utfärdad", "Skäl för återkallelse", "Återkallat"):
        assert swedish in text
    # The JSON keeps the machine-readable value.
    data = json.loads(client.get("/mina-uppgifter/registerutdrag.json").content)
    assert data["sections"]["diplomas"][0]["status"] == "revoked"


def test_a_valid_diploma_status_reads_as_swedish(client, busy_learner):
    from diplomas import services as diploma_services

    course_id = busy_learner.completions.get().course_id
    diploma_services.diploma_for_learner(user=busy_learner, course_id=course_id)
    client.force_login(busy_learner)
    text = visible_text(client.get("/mina-uppgifter/registerutdrag/").content.decode())
    assert not re.search(r"(?<![\w-])(valid|Valid|Holder)(?![\w-])", text)
    assert "Giltigt" in text
