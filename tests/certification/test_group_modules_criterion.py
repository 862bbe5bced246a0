"""The criterion "group modules held at a workplace meeting", registered by workplace_meetings:
every workplace (a unit with staff of its own) in the subtree held every module asked for."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from certification import evaluators
from certification.models import CertificationProgramme, Criterion
from tests.certification.test_admin import _form
from workplace_meetings.models import MeetingStatus, WorkplaceMeeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def films(catalogue):
    from tests.factories import make_course

    course = make_course(catalogue, title="APT-filmer", modules=3)
    modules = list(course.get_children().specific().order_by("path"))
    for module in modules[:2]:  # the third stays an ordinary module
        module.for_group_viewing = True
        module.save_revision().publish()
    return modules


def held(unit, module, days_ago: int = 10) -> WorkplaceMeeting:
    return WorkplaceMeeting.objects.create(
        unit=unit,
        module=module,
        date=timezone.localdate() - datetime.timedelta(days=days_ago),
        status=MeetingStatus.HELD,
    )


def films_criterion(films, months: int = 12) -> Criterion:
    programme = CertificationProgramme.objects.create(name="APT", validity_months=24)
    return Criterion.objects.create(
        programme=programme,
        kind="group_modules_held",
        module_ids=[f.pk for f in films],
        months=months,
    )


def test_each_workplace_below_must_have_held_every_film(org, films):
    units = org["units"]
    criterion = films_criterion(films[:2])
    today = timezone.localdate()
    evaluate = evaluators.get("group_modules_held").evaluate_many

    night = units["HTN"]  # a workplace without units below it
    held(night, films[0])
    result = evaluate(criterion, [night], today)[night.pk]
    assert not result.met and result.summary.startswith("1 av 2 moduler")

    held(night, films[1], days_ago=400)  # older than the 12 months asked for
    assert not evaluate(criterion, [night], today)[night.pk].met
    held(night, films[1])
    results = evaluate(criterion, [night, units["HT"], units["SOC"]], today)
    assert results[night.pk].met
    # HT has staff of its own and holds HTN: two workplaces, and HT itself held nothing.
    # SOC has no staff of its own: the same two.
    for code in ("HT", "SOC"):
        result = results[units[code].pk]
        assert not result.met
        assert result.figures == {"workplaces": 2, "held_all": 1, "modules": 2}
        assert result.summary.startswith("1 av 2 arbetsplatser")

    held(units["HT"], films[0])
    held(units["HT"], films[1])
    assert evaluate(criterion, [units["SOC"]], today)[units["SOC"].pk].met
    assert not evaluate(criterion, [units["UTB"]], today)[units["UTB"].pk].met


def test_a_planned_or_cancelled_meeting_does_not_count(org, films):
    ht = org["units"]["HT"]
    criterion = films_criterion(films[:2])
    for module in films[:2]:
        meeting = held(ht, module)
        meeting.status = MeetingStatus.PLANNED
        meeting.save()
    evaluate = evaluators.get("group_modules_held").evaluate_many
    assert not evaluate(criterion, [ht], timezone.localdate())[ht.pk].met


def test_evaluation_queries_do_not_grow_with_units(org, films, django_assert_max_num_queries):
    from people.models import OrgUnit, Person
    from tests.factories import UserFactory

    criterion = films_criterion(films[:2])
    soc = org["units"]["SOC"]
    for n in range(30):
        unit = soc.add_child(instance=OrgUnit(code=f"U{n}", name=f"Enhet {n}"))
        Person.objects.create(user=UserFactory(), employee_number=f"NR-U{n}", unit=unit)
        held(unit, films[0])
    units = list(OrgUnit.objects.all())
    evaluate = evaluators.get("group_modules_held").evaluate_many
    with django_assert_max_num_queries(2):
        results = evaluate(criterion, units, timezone.localdate())
    assert len(results) == len(units)


def _films_form(courses, films, **extra):
    data = _form(
        courses,
        kind="group_modules_held",
        course="",
        percent="",
        months="12",
        title="Båda filmerna",
        **extra,
    )
    data.pop("criteria-0-module_ids", None)
    return data


def test_hr_picks_the_films_in_the_programme_form(org, courses, films, client):
    client.force_login(org["hr"])
    page = client.get("/admin/certification/programmes/new/").content.decode()
    # Each live group module is offered with its course, as a checkbox.
    assert f'value="{films[1].pk}"' in page and "APT-filmer – Modul 2" in page
    assert f'value="{films[2].pk}"' not in page
    data = _films_form(courses, films)
    post = {k: v for k, v in data.items()}
    response = client.post(
        "/admin/certification/programmes/new/",
        {**post, "criteria-0-module_ids": [str(f.pk) for f in films[:2]]},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    criterion = CertificationProgramme.objects.get().criteria.get()
    assert sorted(criterion.module_ids) == sorted(f.pk for f in films[:2])
    assert "2 gruppmoduler" in evaluators.get(criterion.kind).describe_criterion(criterion)


def test_the_form_asks_for_at_least_one_film(org, courses, films, client):
    client.force_login(org["hr"])
    response = client.post("/admin/certification/programmes/new/", _films_form(courses, films))
    assert response.status_code == 200
    assert "behöver minst en modul" in response.content.decode()
    assert not CertificationProgramme.objects.exists()
