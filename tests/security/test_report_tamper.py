"""Tampering with the active-measures report (issue 17): forged, foreign and polluted unit ids,
other people's units, managers who are not HR, odd dates. Nothing outside the scope is shown,
and nothing is computed for it."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.reports.conftest import make_hr, tree  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

URL = "/admin/active-measures/"
FILES = ("", "report.pdf", "report.xlsx")


def q(unit, start=None, end=None) -> str:
    today = timezone.localdate()
    start = (today - datetime.timedelta(days=30)).isoformat() if start is None else start
    end = today.isoformat() if end is None else end
    return f"unit={unit}&start={start}&end={end}"


@pytest.fixture
def world(tree):  # noqa: F811  (the fixture imported above)
    return tree


@pytest.fixture
def hr_a1(world):
    return make_hr("hr-a1", world.a1)


@pytest.mark.parametrize("path", FILES)
def test_the_parent_and_siblings_of_the_scope_are_not_found(client, world, hr_a1, path):
    client.force_login(hr_a1)
    for unit in (world.a, world.a2, world.b, world.root):
        response = client.get(f"{URL}{path}?{q(unit.pk)}")
        assert response.status_code == 404, unit
        assert unit.name.encode() not in response.content


@pytest.mark.parametrize("path", FILES)
def test_polluted_unit_parameters_use_one_checked_unit(client, world, hr_a1, path):
    """`?unit=A1&unit=B`: the view checks and the form reads the same (last) value."""
    client.force_login(hr_a1)
    polluted = f"unit={world.a1.pk}&{q(world.b.pk)}"
    assert client.get(f"{URL}{path}?{polluted}").status_code == 404
    fine = f"unit={world.b.pk}&{q(world.a1.pk)}"
    assert client.get(f"{URL}{path}?{fine}").status_code == 200


@pytest.mark.parametrize("unit", ["-1", "0", "99999999999999999999", "1 OR 1=1", "abc", ""])
def test_forged_unit_values_are_refused(client, world, hr_a1, unit):
    client.force_login(hr_a1)
    page = client.get(f"{URL}?{q(unit)}")
    assert page.status_code in (200, 404)
    if page.status_code == 200:  # not a number: the form says so, and shows no report
        assert b"report-downloads" not in page.content
    assert client.get(f"{URL}report.pdf?{q(unit)}").status_code in (400, 404)


@pytest.mark.parametrize(
    ("start", "end"),
    [("2026-02-30", "2026-03-01"), ("0001-01-01", "9999-12-31"), ("x", "y"), ("", "")],
)
def test_odd_dates_answer_400_for_files(client, world, hr_a1, start, end):
    client.force_login(hr_a1)
    assert client.get(f"{URL}report.xlsx?{q(world.a1.pk, start, end)}").status_code == 400
    assert client.get(f"{URL}?{q(world.a1.pk, start, end)}").status_code == 200


def test_a_manager_who_is_not_hr_is_refused_even_for_their_own_unit(client, world):
    manager = world.people["m1"]
    world.a1.managers.add(manager)
    client.force_login(manager)
    for path in FILES:
        response = client.get(f"{URL}{path}?{q(world.a1.pk)}")
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_the_report_only_answers_get(client, world, hr_a1):
    """Nothing to post, nothing to change."""
    client.force_login(hr_a1)
    assert client.post(f"{URL}?{q(world.a1.pk)}").status_code == 405
