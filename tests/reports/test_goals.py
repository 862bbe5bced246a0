"""HR edits coverage goals in the admin, within its own part of the organisation."""

from __future__ import annotations

import datetime

import pytest

from reports.models import CoverageGoal
from tests.factories import UserFactory
from tests.reports.conftest import make_hr

pytestmark = pytest.mark.django_db

DEADLINE = datetime.date(2030, 12, 31)


def form(**fields):
    data = {
        "name": "Mål",
        "target_percent": "80",
        "deadline": "2030-12-31",
        "course": "",
        "unit": "",
    }
    return {**data, **{k: "" if v is None else str(v) for k, v in fields.items()}}


def test_hr_for_an_administration_sets_goals_only_inside_it(client, tree):
    hr = make_hr("hr-a", tree.a)
    client.force_login(hr)
    assert client.get("/admin/coverage/goals/new/").status_code == 200

    response = client.post("/admin/coverage/goals/new/", form(unit=tree.b.pk))
    assert response.status_code == 200 and "unit" in response.context["form"].errors
    response = client.post("/admin/coverage/goals/new/", form(unit=None))
    assert "unit" in response.context["form"].errors  # the whole organisation is not theirs
    response = client.post("/admin/coverage/goals/new/", form(target_percent=120, unit=tree.a1.pk))
    assert "target_percent" in response.context["form"].errors

    response = client.post(
        "/admin/coverage/goals/new/", form(name="A1 senast 2030", unit=tree.a1.pk, course=tree.x.pk)
    )
    assert response.status_code == 302
    goal = CoverageGoal.objects.get(name="A1 senast 2030")
    assert (goal.unit, goal.course_id, goal.created_by) == (tree.a1, tree.x.pk, hr)


def test_hr_sees_and_changes_only_goals_of_its_scope(client, tree):
    mine = CoverageGoal.objects.create(name="Mitt", deadline=DEADLINE, unit=tree.a1)
    theirs = CoverageGoal.objects.create(name="Deras", deadline=DEADLINE, unit=tree.b)
    everyone = CoverageGoal.objects.create(name="Allas", deadline=DEADLINE)
    client.force_login(make_hr("hr-a", tree.a))
    html = client.get("/admin/coverage/goals/").content.decode()
    assert "Mitt" in html and "Allas" in html and "Deras" not in html
    for action in ("edit", "delete", "history", "usage"):
        assert client.get(f"/admin/coverage/goals/{action}/{mine.pk}/").status_code == 200
    for goal in (theirs, everyone):
        for action in ("edit", "delete", "history", "usage"):
            response = client.get(f"/admin/coverage/goals/{action}/{goal.pk}/")
            # Refused (PermissionDenied): Wagtail sends the user back to its dashboard.
            assert (response.status_code, response.get("Location")) == (302, "/admin/"), (
                goal,
                action,
            )
    response = client.post(f"/admin/coverage/goals/delete/{theirs.pk}/")
    assert CoverageGoal.objects.filter(pk=theirs.pk).exists()


def test_hr_for_the_whole_organisation_sets_organisation_wide_goals(client, tree):
    client.force_login(make_hr("hr-alla", tree.root))
    response = client.post(
        "/admin/coverage/goals/new/", form(name="Hela kommunen", target_percent=80)
    )
    assert response.status_code == 302
    assert CoverageGoal.objects.get(name="Hela kommunen").unit is None


def test_goal_course_choices_are_courses_only(client, tree):
    client.force_login(UserFactory(username="rot", is_superuser=True, is_staff=True))
    choices = client.get("/admin/coverage/goals/new/").context["form"].fields["course"].queryset
    assert set(choices.values_list("title", flat=True)) == {"Kurs X", "Kurs Y"}


def test_people_without_the_permission_cannot_reach_goals(client, tree):
    client.force_login(tree.people["w1"])
    assert client.get("/admin/coverage/goals/")["Location"].startswith("/admin/login/")
