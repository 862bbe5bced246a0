"""The active-measures report (issue 17, item 2): figures equal the dashboard's, in the HTML
preview, the PDF (read with pypdf) and the XLSX (read with openpyxl); scope; sections."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from reports import active_measures, selectors
from reports.active_measures import Section, SectionTable
from tests.factories import make_course
from tests.helpers import assert_queries_independent_of_size
from tests.reports.conftest import add_person, assign, complete, make_hr
from tests.reports.test_views import grow

pytestmark = pytest.mark.django_db

URL = "/admin/active-measures/"


@pytest.fixture
def hr_a(tree):
    return make_hr("hr-a", tree.a)


def period(today=None):
    today = today or timezone.localdate()
    return today.replace(month=1, day=1) if today.month > 1 else today - datetime.timedelta(
        days=40
    ), today


def query(unit, start, end) -> str:
    return f"unit={unit.pk}&start={start.isoformat()}&end={end.isoformat()}"


def dashboard(unit, course, today):
    """What HR's dashboard shows for the unit with this course chosen."""
    (section,) = selectors.coverage_by_unit(parents=[unit], course_id=course.pk, today=today)
    return section


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def xlsx_rows(content: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [row for row in sheet.iter_rows(values_only=True)]


def test_figures_equal_the_dashboard_in_preview_pdf_and_xlsx(client, tree, hr_a):
    start, end = period()
    client.force_login(hr_a)
    preview = client.get(f"{URL}?{query(tree.a, start, end)}")
    assert preview.status_code == 200
    html = preview.content.decode()
    pdf = client.get(f"{URL}report.pdf?{query(tree.a, start, end)}")
    xlsx = client.get(f"{URL}report.xlsx?{query(tree.a, start, end)}")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith('attachment; filename="aktiva-atgarder-A-')
    assert "no-store" in pdf["Cache-Control"]
    text = pdf_text(pdf.content)
    rows = xlsx_rows(xlsx.content)
    by_title: dict = {}
    for row in rows:  # the first row of each course: the coverage table
        if row and row[0] in ("Kurs X", "Kurs Y"):
            by_title.setdefault(row[0], row)

    for course in (tree.x, tree.y):
        expected = dashboard(tree.a, course, end)
        # XLSX: the first row of the course is the coverage table, the second the role table.
        rows_of_course = [row for row in rows if row and row[0] == course.title]
        coverage_row, role_row = rows_of_course[0], rows_of_course[1]
        assert coverage_row[1:4] == (
            expected.total.assigned,
            expected.total.completed,
            f"{expected.total.coverage} %",
        )
        roles = {group.key: group.figures for group in expected.by_role}
        for offset, key in ((1, "managers"), (4, "staff")):
            figures = roles[key]
            if figures is None:
                assert role_row[offset : offset + 3] == ("–", "–", "–")
            else:
                assert role_row[offset : offset + 2] == (figures.assigned, figures.completed)
        # PDF and preview: the same figures on the course's line.
        line = f"{course.title} {expected.total.assigned} {expected.total.completed} "
        line += f"{expected.total.coverage} %"
        assert line in re.sub(r"\s+", " ", text)
        assert re.search(
            rf"<th scope=\"row\">{course.title}</th><td>{expected.total.assigned}</td>"
            rf"<td>{expected.total.completed}</td><td>{expected.total.coverage} %</td>",
            html,
        )
    assert set(by_title) == {"Kurs X", "Kurs Y"}
    # The hand-counted figures of tests/reports/conftest.py: A has 13 assigned, 7 completed.
    assert by_title["Kurs X"][1:4] == (13, 7, "53 %")
    # In A, the managers are two (mA, m1): the role breakdown is hidden, as on the dashboard.
    assert dashboard(tree.a, tree.x, end).by_role[0].figures is None
    assert "Diskrimineringslagen" in text and "minst 5" in text


def test_trained_in_the_period_counts_completions_in_it(client, tree, hr_a):
    today = timezone.localdate()
    # w2 completed X three days ago (in the fixture); an old completion is outside the period.
    old = add_person(tree.a1, username="gammal")
    assign(old, tree.x, "not_started")
    complete(old, tree.x, at=timezone.now() - datetime.timedelta(days=400))
    start = today - datetime.timedelta(days=30)
    report = active_measures.build_report(unit=tree.a, start=start, end=today)
    trained = next(s for s in report.sections if s.key == "trained")
    (table,) = trained.tables
    row = next(r for r in table.rows if r[0] == "Kurs X")
    # Completed in the last 30 days in A: mA, w1, w2, m1, m3, m5, w6 (the expired one is old).
    assert row[3] == 7
    assert row[1:3] == ["–", "–"]  # the role breakdown of X in A is hidden


def test_role_split_shown_where_the_dashboard_shows_it(tree):
    today = timezone.localdate()
    course = make_course(tree.x.get_parent().specific, title="Kurs Z", modules=1)
    for n in range(5):
        assign(add_person(tree.b, username=f"bm{n}", manager=True), course, "completed")
        assign(add_person(tree.b, username=f"bs{n}"), course, "not_started")
    report = active_measures.build_report(
        unit=tree.b, start=today - datetime.timedelta(days=30), end=today
    )
    expected = dashboard(tree.b, course, today)
    assert not expected.by_role.hidden
    courses = next(s for s in report.sections if s.key == "courses")
    role_row = next(r for r in courses.tables[1].rows if r[0] == "Kurs Z")
    assert role_row[1:3] == [5, 5] and role_row[4:6] == [5, 0]
    trained = next(s for s in report.sections if s.key == "trained")
    assert next(r for r in trained.tables[0].rows if r[0] == "Kurs Z") == ["Kurs Z", 5, 0, 5]


def test_goals_are_reported_against_the_course_goal(tree):
    from reports.models import CoverageGoal

    today = timezone.localdate()
    CoverageGoal.objects.create(
        name="X i A", target_percent=50, deadline=today + datetime.timedelta(days=90),
        course=tree.x, unit=tree.a,
    )  # fmt: skip
    report = active_measures.build_report(unit=tree.a1, start=today, end=today)
    courses = next(s for s in report.sections if s.key == "courses")
    row = next(r for r in courses.tables[0].rows if r[0] == "Kurs X")
    assert row[5].startswith("50 %") and row[6] == "Ja"  # A1: 5 of 9 = 55 %


def test_a_registered_section_appears_in_every_format(client, tree, hr_a):
    def meetings(context):
        assert context.unit == tree.a
        return Section(
            title="Arbetsplatsträffar",
            paragraphs=["Träffar där kursens diskussionsfrågor togs upp."],
            tables=[SectionTable("Träffar per enhet", ["Enhet", "Träffar"], [["Enhet A1", 4]])],
        )

    active_measures.register_section("extra", "Arbetsplatsträffar", meetings, order=46)
    try:
        assert active_measures.registered_sections() == [
            "law", "courses", "trained", "workplace_meetings", "extra", "method",
        ]  # fmt: skip
        start, end = period()
        client.force_login(hr_a)
        q = query(tree.a, start, end)
        assert "Träffar per enhet" in client.get(f"{URL}?{q}").content.decode()
        assert "Träffar per enhet" in pdf_text(client.get(f"{URL}report.pdf?{q}").content)
        rows = xlsx_rows(client.get(f"{URL}report.xlsx?{q}").content)
        assert ("Enhet A1", 4) in [row[:2] for row in rows]
    finally:
        active_measures.unregister_section("extra")


# --- Scope and input --------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["", "report.pdf", "report.xlsx"])
def test_units_outside_the_scope_answer_404(client, tree, hr_a, path):
    start, end = period()
    client.force_login(hr_a)
    assert client.get(f"{URL}{path}?{query(tree.b, start, end)}").status_code == 404
    assert client.get(f"{URL}{path}?{query(tree.root, start, end)}").status_code == 404
    forged = f"unit=999999&start={start.isoformat()}&end={end.isoformat()}"
    assert client.get(f"{URL}{path}?{forged}").status_code == 404
    assert client.get(f"{URL}{path}?{query(tree.a1, start, end)}").status_code == 200


def test_the_unit_list_holds_only_the_scope(client, tree, hr_a):
    client.force_login(hr_a)
    html = client.get(URL).content.decode()
    assert "Enhet A1" in html and "Förvaltning A" in html
    assert "Förvaltning B" not in html and "Kommunen" not in html


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (0, -3, "Perioden måste sluta"),
        (-5, 3, "Perioden kan inte sluta efter i dag"),
        (-2000, 0, "högst tre år"),
    ],
)
def test_invalid_periods_explain_themselves(client, tree, hr_a, start, end, message):
    today = timezone.localdate()
    first, last = (today + datetime.timedelta(days=d) for d in (start, end))
    q = f"unit={tree.a.pk}&start={first.isoformat()}&end={last.isoformat()}"
    client.force_login(hr_a)
    response = client.get(f"{URL}?{q}")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert client.get(f"{URL}report.pdf?{q}").status_code == 400


def test_learners_managers_and_editors_are_refused(client, tree):
    client.force_login(tree.people["w1"])
    assert client.get(URL)["Location"].startswith("/admin/login/")
    assert client.get(f"{URL}report.pdf")["Location"].startswith("/admin/login/")


def test_queries_do_not_grow_with_units(client, tree):
    hr_all = make_hr("hr-alla", tree.root)
    start, end = period()
    client.force_login(hr_all)

    def measure():
        for path in ("", "report.pdf", "report.xlsx"):
            assert client.get(f"{URL}{path}?{query(tree.a, start, end)}").status_code == 200

    assert_queries_independent_of_size(measure, grow(tree), label="active measures")


# --- Demo --------------------------------------------------------------------------------------


def test_demo_goals_are_created_once_and_reported(demo_courses, demo_organisation):
    from lms import demo
    from people.models import OrgUnit
    from reports.demo import DEMO_GOALS, ensure_goals

    demo.ensure_assignment_rules()
    assert ensure_goals() == len(DEMO_GOALS)
    assert ensure_goals() == 0  # loading the demo again adds nothing
    today = timezone.localdate()
    report = active_measures.build_report(
        unit=OrgUnit.get_first_root_node(), start=today.replace(day=1), end=today
    )
    courses = next(s for s in report.sections if s.key == "courses")
    goals = {row[0]: row[5] for row in courses.tables[0].rows}
    assert any(value.startswith("90 %") for value in goals.values()), goals
