"""HR's figures and the public selector for certification: right numbers, scoped, rolled up,
and a constant number of queries whatever the number of units."""

import datetime

import pytest

from people.models import HRScope, OrgUnit, Person
from tests.factories import UserFactory
from workplace_meetings import selectors, services
from workplace_meetings.models import MeetingStatus, WorkplaceMeeting

pytestmark = pytest.mark.django_db


def _held(unit, module, day):
    return WorkplaceMeeting.objects.create(
        unit=unit, module=module, date=day, status=MeetingStatus.HELD
    )


def test_modules_held_by_unit(apt, today):
    _held(apt["north"], apt["module"], today)
    _held(apt["south"], apt["module"], today - datetime.timedelta(days=400))  # too long ago
    WorkplaceMeeting.objects.create(unit=apt["school"], module=apt["module"], date=today)  # planned
    units = [apt["north"].pk, apt["south"].pk, apt["school"].pk]
    since = selectors.period_start(today)
    assert selectors.modules_held_by_unit(units, since) == {apt["north"].pk: {apt["module"].pk}}
    assert selectors.modules_held_by_unit(units, since, module_ids=[apt["other_module"].pk]) == {}


def test_figures_roll_up_and_list_units_not_held_with_managers(apt, today):
    _held(apt["north"], apt["module"], today)
    figures = selectors.group_module_figures(roots=[apt["root"]], today=today)
    [item] = figures
    assert item.module.pk == apt["module"].pk and item.course_title == "Normkurs"
    # Staffed units: SOC (the manager), Norr, Syd, Skolan.
    assert (item.held, item.total) == (1, 4)
    rows = {row.unit.code: (row.held, row.total) for row in item.rows}
    assert rows == {"SOC": (1, 3), "SK": (0, 1)}
    not_held = {unit.code: managers for unit, managers in item.not_held}
    assert not_held == {"SOC": [], "HS": ["Maja Chef"], "SK": []}


def test_hr_sees_only_its_scope(apt, today, client):
    from django.contrib.auth.models import Group

    hr = UserFactory(username="hr-soc")
    hr.groups.add(Group.objects.get_or_create(name="HR")[0])
    HRScope.objects.create(user=hr, unit=apt["soc"])
    _held(apt["north"], apt["module"], today)
    assert selectors.hr_roots(hr) == [apt["soc"]]
    [item] = selectors.group_module_figures(roots=selectors.hr_roots(hr), today=today)
    assert (item.held, item.total) == (1, 3)
    assert "SK" not in {unit.code for unit, _m in item.not_held}
    client.force_login(hr)
    response = client.get("/admin/workplace-meetings/")
    assert response.status_code == 200
    assert "Skolan" not in response.content.decode()
    assert client.get(f"/admin/workplace-meetings/?unit={apt['school'].pk}").status_code == 404
    assert client.get(f"/admin/workplace-meetings/?unit={apt['north'].pk}").status_code == 200


def _grow(root, n, module, today):
    """n more staffed units with a manager each; every other one held the module."""
    for i in range(n):
        unit = root.add_child(instance=OrgUnit(code=f"G{root.pk}-{i}", name=f"Enhet {i}"))
        manager = UserFactory()
        unit.managers.add(manager)
        Person.objects.create(user=UserFactory(), employee_number=f"G{root.pk}-{i}", unit=unit)
        if i % 2:
            _held(unit, module, today)


def test_figures_take_a_constant_number_of_queries(apt, today, django_assert_num_queries):
    _grow(apt["soc"], 3, apt["module"], today)
    with django_assert_num_queries(5) as small:
        selectors.group_module_figures(roots=[apt["root"]], today=today)
    _grow(apt["root"], 30, apt["module"], today)
    with django_assert_num_queries(len(small.captured_queries)):
        [item] = selectors.group_module_figures(roots=[apt["root"]], today=today)
    assert item.total == 4 + 3 + 30


def test_held_by_unit_is_one_query(apt, today, django_assert_num_queries):
    _grow(apt["root"], 20, apt["module"], today)
    ids = list(OrgUnit.objects.values_list("pk", flat=True))
    with django_assert_num_queries(1):
        held = selectors.modules_held_by_unit(ids, selectors.period_start(today))
    assert len(held) == 10


def test_attendance_list_shows_guests_after_the_unit(apt, today):
    meeting = services.meeting_plan(
        actor=apt["manager"], unit=apt["north"], module_id=apt["module"].pk, date=today
    )
    services.meeting_add_guest(actor=apt["manager"], meeting=meeting, user_id=apt["guest"].pk)
    listed = selectors.attendance_list(meeting)
    assert [p.user_id for p in listed[:5]] == sorted(
        [u.pk for u in apt["staff"]], key=lambda pk: [u.pk for u in apt["staff"]].index(pk)
    )
    assert listed[-1].user_id == apt["guest"].pk and listed[-1].is_guest
    assert listed[-1].unit_name == "Hemtjänsten Syd"
