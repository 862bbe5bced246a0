import datetime

import pytest
from django.utils import timezone

from tests.factories import UserFactory, make_course


@pytest.fixture
def apt(catalogue):
    """A hand-built unit tree, a course allowing group credit whose module 2 is for group
    viewing, and people: the manager of Hemtjänsten Norr (which also manages Hemtjänsten Syd),
    five staff in Norr, one in Syd, one in Skolan (outside the manager's scope)."""
    from people.models import OrgUnit, Person

    root = OrgUnit.add_root(instance=OrgUnit(code="K", name="Kommunen"))
    soc = root.add_child(instance=OrgUnit(code="SOC", name="Socialförvaltningen"))
    north = soc.add_child(instance=OrgUnit(code="HN", name="Hemtjänsten Norr"))
    south = soc.add_child(instance=OrgUnit(code="HS", name="Hemtjänsten Syd"))
    school = root.add_child(instance=OrgUnit(code="SK", name="Skolan"))
    manager = UserFactory(username="chef-norr", first_name="Maja", last_name="Chef")
    north.managers.add(manager)
    south.managers.add(manager)
    Person.objects.create(user=manager, employee_number="M1", unit=soc, is_manager=True)

    def person(username, unit, number):
        user = UserFactory(username=username, first_name=username.capitalize(), last_name="Test")
        Person.objects.create(user=user, employee_number=number, unit=unit)
        return user

    staff = [person(f"norr{i}", north, f"N{i}") for i in range(5)]
    guest = person("syd", south, "S1")
    outsider = person("skola", school, "X1")
    course = make_course(
        catalogue, title="Normkurs", modules=2, sequential=False, allows_group_credit=True
    )
    modules = list(course.get_children().specific().order_by("path"))
    group_module = modules[1]
    group_module.for_group_viewing = True
    group_module.save_revision().publish()
    return {
        "root": root,
        "soc": soc,
        "north": north,
        "south": south,
        "school": school,
        "manager": manager,
        "staff": staff,
        "guest": guest,
        "outsider": outsider,
        "course": course,
        "module": group_module,
        "other_module": modules[0],
    }


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def held_meeting(apt, today):
    """A meeting held today in Hemtjänsten Norr with staff 0-2 present."""
    from workplace_meetings import services

    meeting = services.meeting_plan(
        actor=apt["manager"], unit=apt["north"], module_id=apt["module"].pk, date=today
    )
    return services.meeting_hold(
        actor=apt["manager"], meeting=meeting, present_user_ids={u.pk for u in apt["staff"][:3]}
    )


__all__ = ["datetime"]
