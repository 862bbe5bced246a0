"""HR's "Sent reminders" report: HR within its scope and administrators; nobody else."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group

from people.models import HRScope
from reminders import services
from reminders.models import Delivery
from tests.factories import UserFactory
from tests.reminders.conftest import MONDAY, assign, at, make_person

pytestmark = pytest.mark.django_db

URL = "/admin/sent-reminders/"
DAY = datetime.timedelta(days=1)


@pytest.fixture
def sent(world):
    inside = make_person(world.unit)
    inside.user.first_name, inside.user.last_name = "Ida", "Innanför"
    inside.user.save()
    outside = make_person(world.other)
    outside.user.first_name, outside.user.last_name = "Otto", "Utanför"
    outside.user.save()
    assign(inside, world.course, MONDAY + 3 * DAY)
    assign(outside, world.course, MONDAY + 3 * DAY)
    tuesday = MONDAY + DAY
    services.sweep(today=tuesday)
    services.send_due(now=at(tuesday, 9))
    assert Delivery.objects.filter(status="sent").count() == 2
    return world


def hr_user(unit):
    user = UserFactory(username="hr-enhet")
    user.groups.add(Group.objects.get(name="HR"))
    HRScope.objects.create(user=user, unit=unit)
    return user


def test_hr_sees_the_reminders_of_people_in_its_scope_only(client, sent):
    client.force_login(hr_user(sent.unit))
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ida Innanför" in html
    assert "Otto Utanför" not in html
    # The filtered results (Wagtail's live filtering) are scoped the same way.
    results = client.get(URL + "results/", {"status": "sent"}).content.decode()
    assert "Ida Innanför" in results and "Otto Utanför" not in results


def test_administrators_see_everyone(client, sent):
    admin = UserFactory(username="admin-rem", is_superuser=True, is_staff=True)
    client.force_login(admin)
    html = client.get(URL).content.decode()
    assert "Ida Innanför" in html and "Otto Utanför" in html


def test_filtering_by_kind_and_status(client, sent):
    client.force_login(hr_user(sent.root))
    html = client.get(URL, {"kind": "overdue"}).content.decode()
    assert "Ida Innanför" not in html
    html = client.get(URL, {"kind": "due_soon", "status": "sent"}).content.decode()
    assert "Ida Innanför" in html and "Otto Utanför" in html


def test_the_report_is_in_the_reports_menu_for_hr_only(client, sent):
    client.force_login(hr_user(sent.unit))
    assert URL in client.get("/admin/").content.decode()
    editor = UserFactory(username="redaktor-rem")
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    assert URL not in client.get("/admin/").content.decode()


def test_editors_are_sent_back_to_the_dashboard_and_learners_to_the_login(client, sent):
    editor = UserFactory(username="redaktor-rem")
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    client.force_login(sent.manager.user)  # a manager has no admin access at all
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
