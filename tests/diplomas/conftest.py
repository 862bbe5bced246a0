import pytest

from tests.factories import UserFactory, make_course


@pytest.fixture
def complete(django_capture_on_commit_callbacks):
    """Complete a course through progress.services; on_commit callbacks run (the render task
    is captured, not run, so that each test decides when the worker works)."""
    from progress import services

    def run(user, course):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            for module in course.get_children().live().specific():
                services.module_start(user=user, module=module)
                services.module_complete(user=user, module=module)
        return user.completions.get(course_id=course.pk), callbacks

    return run


@pytest.fixture
def holder(db):
    return UserFactory(username="holder", first_name="Åsa", last_name="Öberg")


@pytest.fixture
def equality_course(catalogue):
    return make_course(catalogue, title="Jämställdhet i vardagen", modules=2, validity_months=36)


@pytest.fixture
def org(db):
    """Kommunen → Socialförvaltningen → Hemtjänsten; Kommunen → Utbildning. HR scoped to SOC."""
    from django.contrib.auth.models import Group

    from people.models import HRScope, OrgUnit, Person

    root = OrgUnit.add_root(instance=OrgUnit(code="K", name="Kommunen"))
    soc = root.add_child(instance=OrgUnit(code="SOC", name="Socialförvaltningen"))
    ht = soc.add_child(instance=OrgUnit(code="HT", name="Hemtjänsten"))
    utb = root.add_child(instance=OrgUnit(code="UTB", name="Utbildning"))
    hr = UserFactory(username="hr-soc", first_name="Kim", last_name="Berg")
    hr.groups.add(Group.objects.get_or_create(name="HR")[0])
    from django.contrib.auth.models import Permission

    hr.user_permissions.add(Permission.objects.get(codename="access_admin"))
    HRScope.objects.create(user=hr, unit=soc)
    people = {}
    for code, unit in (("SOC", soc), ("HT", ht), ("UTB", utb)):
        user = UserFactory(username=f"p-{code}", first_name="Person", last_name=code)
        Person.objects.create(user=user, employee_number=f"NR-{code}", unit=unit)
        people[code] = user
    return {"units": {"K": root, "SOC": soc, "HT": ht, "UTB": utb}, "hr": hr, "people": people}


def give_completion(user, course, when=None):
    """A completion written as the demo history does (no signal): the sweep issues its diploma."""
    from django.utils import timezone

    from progress.models import Completion, CourseProgress

    when = when or timezone.now()
    progress = CourseProgress.objects.create(
        user=user, course=course, started_at=when, completed_at=when
    )
    return Completion.objects.create(
        user=user, course=course, course_progress=progress, completed_at=when
    )
