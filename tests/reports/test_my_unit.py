"""The manager's page /min-enhet/ on the front end, and the "My unit" link."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from reports.context_processors import NAV_CACHE_SECONDS, SESSION_KEY, navigation
from tests.helpers import assert_queries_independent_of_size
from tests.reports.conftest import add_person, assign

pytestmark = pytest.mark.django_db

LINK = 'href="/min-enhet/"'


@pytest.fixture
def manager_a1(tree):
    boss = tree.people["m1"]
    tree.a1.managers.add(boss)
    return boss


def test_anonymous_is_sent_to_log_in(client, tree):
    response = client.get("/min-enhet/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_manager_sees_their_units_people_overdue_first(client, tree, manager_a1):
    client.force_login(manager_a1)
    response = client.get("/min-enhet/")
    assert response.status_code == 200
    (unit,) = response.context["units"]
    assert unit.unit == tree.a1
    courses = {row.title: (row.figures.assigned, row.figures.completed) for row in unit.courses}
    assert courses == {"Kurs X": (9, 5), "Kurs Y": (2, 1)}
    rows = list(response.context["page"])
    people = {r.user.username for r in rows}
    assert people == {"w1", "w2", "w3", "w4", "w5", "m1", "m3", "m4", "m5"}
    assert rows[0].state == "overdue" and rows[0].user.username == "w4"
    html = response.content.decode()
    # Only A1: not A2's people, not the administration's manager, not B.
    for other in ("w6", "o1", "mA", "b1"):
        assert tree.people[other].get_full_name() not in html
    assert tree.people["w4"].get_full_name() in html
    assert "<caption" in html and '<th scope="row">' in html
    assert LINK in html  # the navigation offers the page to managers
    # Managers never see a breakdown by sex.
    assert "by_sex" not in response.context and "Kvinna" not in html and "Woman" not in html


def test_filters_by_course_and_state(client, tree, manager_a1):
    client.force_login(manager_a1)
    response = client.get(f"/min-enhet/?course={tree.y.pk}")
    assert {(r.user.username, r.state) for r in response.context["page"]} == {
        ("w1", "completed"),
        ("w4", "not_started"),
    }
    response = client.get("/min-enhet/?state=overdue")
    assert [r.user.username for r in response.context["page"]] == ["w4"]
    response = client.get("/min-enhet/?state=nonsense&course=abc")
    assert response.status_code == 200 and response.context["page"].paginator.count == 11


def test_a_manager_of_an_administration_sees_the_units_below(client, tree):
    boss = tree.people["mA"]
    tree.a.managers.add(boss)
    client.force_login(boss)
    rows = client.get("/min-enhet/").context["page"].paginator.count
    assert rows == 13 + 1 + 2  # course X in A (incl. exempted w7), plus course Y


def test_someone_who_manages_nothing_gets_a_page_saying_so(client, tree):
    client.force_login(tree.people["w1"])
    response = client.get("/min-enhet/")
    assert response.status_code == 200
    assert response.context["units"] == []
    html = response.content.decode()
    assert tree.people["w2"].get_full_name() not in html
    assert LINK not in html  # and is not offered the link


def test_the_link_is_looked_up_only_when_asked_and_then_remembered(
    rf, tree, manager_a1, django_assert_num_queries
):
    request = rf.get("/")
    request.user = manager_a1
    request.session = {}
    with django_assert_num_queries(0):
        manages_units = navigation(request)["manages_units"]
    with django_assert_num_queries(1):
        assert manages_units() and manages_units()
    with django_assert_num_queries(0):  # the next page reads the session
        assert navigation(request)["manages_units"]()
    request.session[SESSION_KEY][1] -= NAV_CACHE_SECONDS  # … until it is old
    with django_assert_num_queries(1):
        assert navigation(request)["manages_units"]()
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert not navigation(request)["manages_units"]()


def test_the_link_follows_the_user_not_the_session(rf, tree, manager_a1):
    request = rf.get("/")
    request.user, request.session = manager_a1, {}
    assert navigation(request)["manages_units"]()
    request.user = tree.people["w1"]  # another login in the same browser
    assert not navigation(request)["manages_units"]()


def test_manager_page_queries_do_not_grow(client, tree, manager_a1):
    client.force_login(manager_a1)

    def measure():
        assert client.get("/min-enhet/").status_code == 200

    def grow():
        for n in range(4):
            unit = tree.a1.add_child(instance=type(tree.a1)(code=f"U{n}", name=f"Grupp {n}"))
            for state in ("overdue", "completed", "in_progress"):
                assign(add_person(unit), tree.x, state)
                assign(add_person(unit), tree.y, state)

    assert_queries_independent_of_size(measure, grow, label="/min-enhet/")


def test_the_page_is_not_in_the_admin(client, tree, manager_a1):
    # Managers are not admin users: the admin refuses them, the front end serves them.
    client.force_login(manager_a1)
    assert client.get("/admin/coverage/")["Location"].startswith("/admin/login/")
