"""HR's dashboard in the admin: access, scope, drill-down, exports, query counts."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from openpyxl import load_workbook

from reports import selectors
from reports.models import CoverageGoal
from tests.factories import UserFactory
from tests.helpers import assert_queries_independent_of_size
from tests.reports.conftest import add_person, assign, make_hr

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr_a(tree):
    return make_hr("hr-a", tree.a)


@pytest.fixture
def hr_all(tree):
    return make_hr("hr-alla", tree.root)


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def csv_rows(response) -> list[list[str]]:
    text = body(response).decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads the file as UTF-8
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def xlsx_rows(response) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(body(response)), read_only=True).worksheets[0]
    return [tuple(cell for cell in row) for row in sheet.iter_rows(values_only=True)]


# --- Access ----------------------------------------------------------------------------------


def test_anonymous_and_learners_are_sent_to_the_admin_login(client, tree):
    assert client.get("/admin/coverage/")["Location"].startswith("/admin/login/")
    client.force_login(tree.people["w1"])
    assert client.get("/admin/coverage/")["Location"].startswith("/admin/login/")
    assert client.get("/admin/coverage/export/units.csv")["Location"].startswith("/admin/login/")


def test_admin_users_who_are_not_hr_are_refused(client, tree):
    editor = UserFactory(username="redaktor-x")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    for url in (
        "/admin/coverage/",
        f"/admin/coverage/units/{tree.a.pk}/",
        "/admin/coverage/export/units.csv",
        f"/admin/coverage/units/{tree.a.pk}/export/overdue.xlsx",
    ):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, "/admin/"), url


def test_superuser_sees_everything(client, tree):
    client.force_login(UserFactory(username="rot", is_superuser=True, is_staff=True))
    response = client.get("/admin/coverage/")
    assert response.status_code == 200
    (section,) = response.context["sections"]
    assert section.unit == tree.root
    assert client.get(f"/admin/coverage/units/{tree.b.pk}/").status_code == 200


def test_hr_sees_its_administration_and_nothing_of_another(client, tree, hr_a):
    client.force_login(hr_a)
    response = client.get("/admin/coverage/")
    assert response.status_code == 200
    assert [s.unit for s in response.context["sections"]] == [tree.a]
    html = response.content.decode()
    assert "Enhet A1" in html and "Förvaltning B" not in html
    assert client.get(f"/admin/coverage/units/{tree.a1.pk}/").status_code == 200
    for url in (
        f"/admin/coverage/units/{tree.b.pk}/",
        f"/admin/coverage/units/{tree.root.pk}/",
        f"/admin/coverage/units/{tree.b.pk}/export/units.csv",
        f"/admin/coverage/units/{tree.b.pk}/export/overdue.xlsx",
        "/admin/coverage/units/999999/",
    ):
        assert client.get(url).status_code == 404, url
    # The scope's own export has nothing from B.
    codes = [row[0] for row in csv_rows(client.get("/admin/coverage/export/units.csv"))[1:]]
    assert codes == ["A", "A1", "A2"]
    names = {row[1] for row in csv_rows(client.get("/admin/coverage/export/overdue.csv"))[1:]}
    assert names == {tree.people["w4"].get_full_name(), tree.people["o1"].get_full_name()}


def test_hr_without_a_scope_sees_an_empty_dashboard(client, tree):
    hr = make_hr("hr-utan", tree.a)
    hr.hr_scopes.all().delete()
    client.force_login(hr)
    response = client.get("/admin/coverage/")
    assert response.status_code == 200 and response.context["sections"] == []
    assert client.get(f"/admin/coverage/units/{tree.a.pk}/").status_code == 404


# --- Pages --------------------------------------------------------------------------------------


def test_overview_with_course_filter_and_goal(client, tree, hr_all):
    CoverageGoal.objects.create(
        name="Målet", target_percent=60, deadline=datetime.date(2030, 12, 31), course=tree.x
    )
    client.force_login(hr_all)
    response = client.get(f"/admin/coverage/?course={tree.x.pk}")
    assert response.status_code == 200
    (section,) = response.context["sections"]
    assert (section.total.assigned, section.total.completed) == (16, 9)
    assert [g.name for g in response.context["goals"]] == ["Målet"]
    rows = {r.unit.code: r.goal.reached for r in section.children}
    assert rows == {"A": False, "B": True}
    html = response.content.decode()
    assert f'<option value="{tree.x.pk}" selected>' in html
    assert f"/admin/coverage/units/{tree.a.pk}/?course={tree.x.pk}" in html
    assert "<caption>" in html and '<th scope="col">' in html and '<th scope="row">' in html
    assert len(response.context["trend"]) == 12
    # An unknown course is ignored rather than failing.
    response = client.get("/admin/coverage/?course=nonsense")
    assert response.status_code == 200 and response.context["course_id"] is None
    assert response.context["sections"][0].total.assigned == 18


def test_drill_down_has_children_breakdowns_and_overdue_names(client, tree, hr_all):
    client.force_login(hr_all)
    response = client.get(f"/admin/coverage/units/{tree.a.pk}/?course={tree.x.pk}")
    assert response.status_code == 200
    section = response.context["section"]
    assert [r.unit.code for r in section.children] == ["A1", "A2"]
    html = response.content.decode()
    # The small groups' figures are nowhere on the page.
    assert [g.suppressed for g in section.by_sex] == [True, True, True]
    # Each hidden breakdown says so once (issue 11: shown whole or not at all).
    assert (
        html.count("Not shown, to protect small groups")
        + html.count("Visas inte, för att skydda små grupper")
        == 2
    )
    overdue = [a.user.username for a in response.context["overdue"]]
    assert sorted(overdue) == ["o1", "w4"]
    assert tree.people["o1"].get_full_name() in html
    # Breadcrumbs lead back up through the scope.
    assert f"/admin/coverage/units/{tree.root.pk}/" in html


def test_overdue_list_is_paginated(client, tree, hr_all):
    for _ in range(55):
        assign(add_person(tree.a1), tree.x, "overdue")
    client.force_login(hr_all)
    first = client.get(f"/admin/coverage/units/{tree.a1.pk}/")
    assert len(first.context["overdue"]) == 50
    assert first.context["overdue"].paginator.count == 56
    second = client.get(f"/admin/coverage/units/{tree.a1.pk}/?page=2")
    assert len(second.context["overdue"]) == 6


# --- Exports -----------------------------------------------------------------------------------


def test_unit_export_csv_and_xlsx(client, tree, hr_all):
    tree.a2.name = '=HYPERLINK("http://evil.example")'
    tree.a2.save()
    client.force_login(hr_all)
    response = client.get(f"/admin/coverage/units/{tree.a.pk}/export/units.csv?course={tree.x.pk}")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="tackning-A-enheter-' in response["Content-Disposition"]
    header, *rows = csv_rows(response)
    assert len(header) == 14
    table = {row[0]: row[2:12] for row in rows}
    #                    level people assigned done prog not over exp exe cov
    assert table["A"] == ["2", "13", "13", "7", "1", "2", "2", "1", "1", "53"]
    assert table["A1"] == ["3", "9", "9", "5", "1", "2", "1", "0", "0", "55"]
    assert table["A2"] == ["3", "3", "3", "1", "0", "0", "1", "1", "1", "33"]
    # A formula in a name from the HR file is text, not something Excel runs.
    assert next(row[1] for row in rows if row[0] == "A2").startswith("'=")

    response = client.get(f"/admin/coverage/units/{tree.a.pk}/export/units.xlsx?course={tree.x.pk}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    header_x, *rows_x = xlsx_rows(response)
    assert list(header_x) == header
    assert rows_x[0][:12] == ("A", "Förvaltning A", 2, 13, 13, 7, 1, 2, 2, 1, 1, 53)
    assert rows_x[2][1].startswith("'=")


def test_overdue_export_csv_and_xlsx(client, tree, hr_all):
    client.force_login(hr_all)
    today = timezone.localdate()
    header, *rows = csv_rows(client.get("/admin/coverage/export/overdue.csv"))
    assert len(header) == 8
    by_name = {row[1]: row for row in rows}
    w4 = tree.people["w4"]
    row = by_name[w4.get_full_name()]
    assert row[0] == w4.person.employee_number and row[2:5] == ["A1", "Enhet A1", "Kurs X"]
    assert row[6] == (today - datetime.timedelta(days=10)).isoformat() and row[7] == "10"
    assert len(rows) == 2  # w4 and o1; expired (m2) is not overdue
    _header, *rows_x = xlsx_rows(client.get("/admin/coverage/export/overdue.xlsx"))
    assert sorted(r[1] for r in rows_x) == sorted(by_name)
    assert {r[7] for r in rows_x} == {10}


# --- Query counts ---------------------------------------------------------------------------


def grow(tree):
    def more():
        for n in range(5):
            unit = tree.a.add_child(instance=type(tree.a)(code=f"N{n}", name=f"Ny enhet {n}"))
            sub = unit.add_child(instance=type(tree.a)(code=f"N{n}s", name=f"Underenhet {n}"))
            for target in (unit, sub):
                for state in ("overdue", "completed", "not_started"):
                    assign(add_person(target), tree.x, state)

    return more


@pytest.mark.parametrize(
    "url",
    [
        "/admin/coverage/",
        "/admin/coverage/units/{a}/",
        "/admin/coverage/units/{a}/?course={x}",
        "/admin/coverage/export/units.csv",
        "/admin/coverage/units/{a}/export/overdue.csv",
        "/admin/coverage/units/{a}/export/units.xlsx",
    ],
)
def test_dashboard_queries_do_not_grow_with_units(client, tree, hr_all, url):
    client.force_login(hr_all)
    url = url.format(a=tree.a.pk, x=tree.x.pk)

    def measure():
        response = client.get(url)
        assert response.status_code == 200
        body(response)

    def grow_then_protect():
        grow(tree)()
        # The writes changed the protection's input: compute it again here (a constant two
        # queries, `test_protection_cache.py`), so both measured runs read it from the cache.
        selectors.hidden_breakdowns([tree.root])

    assert_queries_independent_of_size(measure, grow_then_protect, label=url)


def test_xlsx_export_freezes_the_header_and_sets_column_widths(client, tree, hr_all):
    """Issue 11, item 5: the header stays in view and the columns are wide enough to read."""
    client.force_login(hr_all)
    for kind in ("units", "overdue"):
        response = client.get(f"/admin/coverage/export/{kind}.xlsx")
        sheet = load_workbook(io.BytesIO(body(response))).worksheets[0]
        assert sheet.freeze_panes == "A2"
        header = [cell.value for cell in sheet[1]]
        for number, title in enumerate(header, start=1):
            letter = sheet.cell(row=1, column=number).column_letter
            assert sheet.column_dimensions[letter].width >= len(title) + 2, title
