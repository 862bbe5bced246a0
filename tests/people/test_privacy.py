"""Need-to-know and GDPR: scopes, the register extract, anonymisation."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from modules import services as module_services
from modules.models import ReflectionAnswer
from people import gdpr, selectors, services
from people.models import AnonymisationRun, HRScope, OrgUnit, Person
from progress import services as progress_services
from progress.models import Completion
from tests.factories import UserFactory, make_course, make_quiz, pass_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    root = OrgUnit.add_root(instance=OrgUnit(code="K", name="Kommunen"))
    a = root.add_child(instance=OrgUnit(code="A", name="Enhet A"))
    a1 = a.add_child(instance=OrgUnit(code="A1", name="Enhet A1"))
    b = root.add_child(instance=OrgUnit(code="B", name="Enhet B"))
    people = {}
    for number, unit in [("1", a), ("2", a1), ("3", b)]:
        user = UserFactory(username=f"p{number}")
        people[number] = Person.objects.create(user=user, employee_number=number, unit=unit)
    manager_a = UserFactory(username="chef-a")
    a.managers.add(manager_a)
    return {"root": root, "a": a, "a1": a1, "b": b, "people": people, "manager_a": manager_a}


def test_manager_sees_own_units_and_below_never_another_unit(org):
    seen = set(
        selectors.people_in_scope(org["manager_a"]).values_list("employee_number", flat=True)
    )
    assert seen == {"1", "2"}
    assert not selectors.can_see_person(org["manager_a"], org["people"]["3"])


def test_hr_sees_its_granted_subtree(org):
    from django.contrib.auth.models import Group

    hr = UserFactory(username="hr-b")
    hr.groups.add(Group.objects.get_or_create(name="HR")[0])
    HRScope.objects.create(user=hr, unit=org["b"])
    assert set(selectors.people_in_scope(hr).values_list("employee_number", flat=True)) == {"3"}


def test_a_learner_sees_only_themselves(org):
    user = org["people"]["1"].user
    assert list(selectors.people_in_scope(user)) == [org["people"]["1"]]


def test_manager_of_a_never_sees_b_in_the_admin(client, org, demo_users):
    from django.contrib.auth.models import Group, Permission

    manager = org["manager_a"]
    group = Group.objects.get_or_create(name="HR")[0]
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="view_person"),
    )
    manager.groups.add(group)
    client.force_login(manager)
    listing = client.get("/admin/organisation/people/").content.decode()
    assert org["people"]["1"].employee_number in listing
    person_b = org["people"]["3"]
    assert person_b.user.get_full_name() not in listing
    refused = client.get(f"/admin/organisation/people/inspect/{person_b.pk}/")
    assert (refused.status_code, refused.get("Location")) == (302, "/admin/")
    mine = client.get(f"/admin/organisation/people/inspect/{org['people']['1'].pk}/")
    assert mine.status_code == 200


def test_register_extract_has_everything_about_the_person_and_nothing_else(catalogue, org):
    me, other = org["people"]["1"].user, org["people"]["3"].user
    quiz = make_quiz(questions=1)
    course = make_course(catalogue, modules=1, quiz=quiz)
    module = course.get_children().get().specific
    block = next(b.id for b in module.body if b.block_type == "reflection")
    for user, text in [(me, "Mitt eget svar"), (other, "Någon annans svar")]:
        module_services.reflection_save(user=user, module=module, block_id=block, text=text)
        pass_quiz(user, quiz, module_id=module.pk)
        progress_services.module_complete(user=user, module=module)
    extract = gdpr.register_extract(me)
    text = json.dumps(extract, ensure_ascii=False)
    sections = extract["sections"]
    assert sections["person"][0]["employee_number"] == "1"
    assert [c["course"] for c in sections["completions"]] == [course.title]
    assert sections["courses"][0]["modules"][0]["module"] == module.title
    assert [r["answer"] for r in sections["reflections"]] == ["Mitt eget svar"]
    assert sections["quiz_attempts"][0]["passed"] is True
    for foreign in ("Någon annans svar", other.username, other.email, "Enhet B"):
        assert foreign not in text


def test_register_extract_pages_are_the_persons_own(client, org):
    me = org["people"]["1"].user
    client.force_login(me)
    response = client.get("/mina-uppgifter/registerutdrag.json")
    assert response["Content-Disposition"].startswith('attachment; filename="registerutdrag-')
    assert json.loads(response.content)["sections"]["person"][0]["username"] == me.username
    html = client.get("/mina-uppgifter/registerutdrag/").content.decode()
    # Emails, not bare usernames: "p3" can occur by chance in a CSRF token.
    other = org["people"]["3"].user
    assert me.email in html
    assert other.email not in html and "Enhet B" not in html


def test_person_can_correct_their_sex_and_nobody_else_sees_it_in_learner_pages(client, org):
    me = org["people"]["1"]
    client.force_login(me.user)
    client.post("/mina-uppgifter/", {"sex": "woman"})
    me.refresh_from_db()
    assert me.sex == "woman"


def test_leavers_are_anonymised_after_the_retention_period(catalogue, org, settings):
    settings.GDPR_RETENTION_DAYS = 30
    old, recent = org["people"]["1"], org["people"]["2"]
    course = make_course(catalogue, modules=1)
    module = course.get_children().get().specific
    progress_services.module_complete(user=old.user, module=module)
    block = next(b.id for b in module.body if b.block_type == "reflection")
    module_services.reflection_save(user=old.user, module=module, block_id=block, text="Privat")
    Person.objects.filter(pk=old.pk).update(end_date=timezone.localdate() - timedelta(days=40))
    from axes.models import AccessAttempt

    AccessAttempt.objects.create(
        username="p1",
        ip_address="10.0.0.1",
        user_agent="x",
        failures_since_start=1,
        get_data="",
        post_data="",
    )
    Person.objects.filter(pk=recent.pk).update(end_date=timezone.localdate() - timedelta(days=5))
    run = services.anonymise_leavers()
    assert run.people == 1 and AnonymisationRun.objects.count() == 1
    old.refresh_from_db()
    old.user.refresh_from_db()
    assert old.anonymised_at and old.user.email == "" and old.user.first_name == ""
    assert old.employee_number.startswith("anonym-") and not old.user.is_active
    # Statistics keep counting them: unit, sex, dates and the completion stay.
    assert old.unit.code == "A" and old.end_date is not None
    assert Completion.objects.filter(user=old.user).count() == 1
    assert not ReflectionAnswer.objects.filter(user=old.user).exists()
    recent.refresh_from_db()
    assert recent.anonymised_at is None
    from axes.models import AccessAttempt

    assert not AccessAttempt.objects.filter(username="p1").exists()
    assert services.anonymise_leavers().people == 0  # idempotent


def test_administrator_grants_hr_scope_in_django_admin(client, org, demo_users):
    from django.contrib.auth import get_user_model

    from tests.helpers import login_via_form
    from tests.listings import listing_ids

    hr = get_user_model().objects.get(username="hr")
    a_subtree_people = {org["people"]["1"].pk, org["people"]["2"].pk}
    a_subtree_units = {org["a"].pk, org["a1"].pk}

    def seen_by_hr():
        assert login_via_form(client, "hr", demo_users)
        people = client.get("/admin/organisation/people/")
        units = client.get("/admin/organisation/units/")
        client.logout()
        return (
            set(listing_ids(people, "/admin/organisation/people/")),
            set(listing_ids(units, "/admin/organisation/units/")),
        )

    assert seen_by_hr() == (set(), set())  # HR without a scope sees nobody

    assert login_via_form(client, "admin", demo_users)
    assert client.get("/django-admin/people/anonymisationrun/").status_code == 200
    response = client.post(
        "/django-admin/people/hrscope/add/",
        {"user": hr.pk, "unit": org["a"].pk, "_save": "Spara"},
    )
    assert (response.status_code, response["Location"]) == (302, "/django-admin/people/hrscope/")
    assert list(HRScope.objects.values_list("user", "unit")) == [(hr.pk, org["a"].pk)]
    client.logout()

    # Enhet A and the unit below it, with their people; not Enhet B, not the top unit.
    assert seen_by_hr() == (a_subtree_people, a_subtree_units)


def test_only_hr_for_the_whole_organisation_may_import(client, org, demo_users):
    from django.contrib.auth.models import Group

    from tests.helpers import login_via_form

    hr = Group.objects.get(name="HR").user_set.get(username="hr")
    HRScope.objects.create(user=hr, unit=org["b"])  # one unit only
    assert login_via_form(client, "hr", demo_users)
    assert client.get("/admin/employee-imports/").status_code == 302  # refused
    assert client.get(f"/admin/organisation/units/inspect/{org['a'].pk}/").status_code == 302
    HRScope.objects.create(user=hr, unit=org["root"])
    assert client.get("/admin/employee-imports/").status_code == 200


def test_an_import_is_applied_once(org):
    from django.core.files.base import ContentFile

    from people.models import EmployeeImport
    from people.sample import as_csv, sample_rows

    employee_import = EmployeeImport(original_name="personal.csv")
    employee_import.file.save("personal.csv", ContentFile(as_csv(sample_rows(20))), save=True)
    services.employee_import_check(employee_import=employee_import)
    services.employee_import_apply(employee_import=employee_import, user=None)
    with pytest.raises(ValueError, match="kan inte genomföras"):
        services.employee_import_apply(employee_import=employee_import, user=None)
