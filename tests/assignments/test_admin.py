"""HR writes rules and exemptions in the Wagtail admin, within its own part of the organisation;
the learner sees their assignments on Mina kurser and on the course page."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from assignments import selectors, services
from assignments.models import Assignment, AssignmentRule
from lms.demo import DEFAULT_DEMO_PASSWORD
from people.gdpr import register_extract
from people.models import HRScope
from tests.helpers import login_via_form

from .conftest import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr_social(org, demo_users):
    """The demo HR user, scoped to the social administration only."""
    hr = get_user_model().objects.get(username="hr")
    HRScope.objects.create(user=hr, unit=org["social"])
    return hr


def rule_form(course, unit, **extra) -> dict:
    return {
        "name": "Normdiplomering för chefer",
        "course": course.pk,
        "unit": unit.pk,
        "include_subunits": "on",
        "audience": "managers",
        "hired_within_days": "",
        "due_days": "180",
        "active": "on",
        **extra,
    }


def test_hr_creates_a_rule_for_its_own_administration(client, org, course, hr_social):
    assert login_via_form(client, "hr", DEFAULT_DEMO_PASSWORD)
    response = client.post(
        "/admin/assignments/rules/new/", rule_form(course, org["social"]), follow=True
    )
    assert response.status_code == 200
    created = AssignmentRule.objects.get()
    assert created.unit == org["social"] and created.created_by == hr_social
    assert response.redirect_chain == [("/admin/assignments/rules/", 302)]
    # Wagtail appends an edit button to the message; the text is its first line.
    assert [str(m).partition("\n")[0] for m in response.context["messages"]] == [
        "Regeln ”Normdiplomering för chefer” är sparad. Tilldelningarna uppdateras; "
        "det kan ta någon minut."
    ]


def test_hr_cannot_write_a_rule_for_another_administration(client, org, course, hr_social):
    assert login_via_form(client, "hr", DEFAULT_DEMO_PASSWORD)
    response = client.post("/admin/assignments/rules/new/", rule_form(course, org["school"]))
    assert response.status_code == 200  # the form again, with the error
    assert AssignmentRule.objects.count() == 0
    assert "Välj ett giltigt alternativ" in response.content.decode()

    others = AssignmentRule.objects.create(name="Skolans", course=course, unit=org["school"])
    # Wagtail's admin answers a refusal by sending the user back to its dashboard.
    for response in (
        client.get(f"/admin/assignments/rules/edit/{others.pk}/"),
        client.post(f"/admin/assignments/rules/delete/{others.pk}/"),
    ):
        assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert AssignmentRule.objects.filter(pk=others.pk).exists()
    listing = client.get("/admin/assignments/rules/").content.decode()
    assert "Skolans" not in listing


def test_a_rule_must_name_a_course_not_any_page(client, org, catalogue, hr_social):
    assert login_via_form(client, "hr", DEFAULT_DEMO_PASSWORD)
    response = client.post("/admin/assignments/rules/new/", rule_form(catalogue, org["social"]))
    assert response.status_code == 200
    # Only course pages can be chosen: the catalogue is not among them.
    assert response.context["form"].errors == {
        "course": [
            "Välj ett giltigt alternativ. Det valet finns inte bland tillgängliga alternativ."
        ]
    }
    assert AssignmentRule.objects.count() == 0


def test_hr_exempts_a_person_with_a_reason_and_only_in_scope(client, org, course, hr_social):
    inside = make_person(org["home_care"], username="inne")
    outside = make_person(org["school"], username="ute")
    AssignmentRule.objects.create(name="Alla", course=course, unit=org["root"])
    services.evaluate_rules()
    assert login_via_form(client, "hr", DEFAULT_DEMO_PASSWORD)
    mine = Assignment.objects.get(user=inside.user)
    theirs = Assignment.objects.get(user=outside.user)

    listing = client.get("/admin/assignments/list/").content.decode()
    assert inside.user.get_full_name() in listing
    assert outside.user.get_full_name() not in listing
    refused = client.get(f"/admin/assignments/list/edit/{theirs.pk}/")
    assert (refused.status_code, refused["Location"]) == (302, "/admin/")

    url = f"/admin/assignments/list/edit/{mine.pk}/"
    response = client.post(url, {"exempt": "on", "exemption_reason": ""})
    assert response.status_code == 200
    assert "Ange varför personen är undantagen" in response.content.decode()
    mine.refresh_from_db()
    assert mine.exempted_at is None

    response = client.post(url, {"exempt": "on", "exemption_reason": "Utbildad i Borås 2025"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.exempted_by == hr_social and mine.exemption_reason == "Utbildad i Borås 2025"
    assert selectors.state_of(user=inside.user, course_id=course.pk) == selectors.EXEMPTED
    # Nobody adds or deletes assignments by hand.
    # AssignmentPolicy refuses both; Wagtail answers a refusal with its dashboard.
    for response in (
        client.get("/admin/assignments/list/new/"),
        client.post(f"/admin/assignments/list/delete/{mine.pk}/"),
    ):
        assert (response.status_code, response.get("Location")) == (302, "/admin/")
    assert Assignment.objects.filter(pk=mine.pk).exists()


def test_state_filter_lists_only_overdue(client, org, course, hr_social):
    late = make_person(org["social"], username="sen")
    AssignmentRule.objects.create(name="Alla", course=course, unit=org["root"], due_days=0)
    services.evaluate_rules()
    Assignment.objects.update(due_on="2026-01-01")
    assert login_via_form(client, "hr", DEFAULT_DEMO_PASSWORD)
    overdue = client.get("/admin/assignments/list/?state=overdue").content.decode()
    completed = client.get("/admin/assignments/list/?state=completed").content.decode()
    name = late.user.get_full_name()
    assert name in overdue and name not in completed


def test_learner_sees_own_assignments_with_due_date(client, org, course, demo_users):
    learner = get_user_model().objects.get(username="medarbetare")
    from people.models import Person

    Person.objects.create(user=learner, employee_number="D1", unit=org["social"])
    colleague = make_person(org["social"], username="kollega")
    AssignmentRule.objects.create(name="Alla", course=course, unit=org["root"], due_days=30)
    services.evaluate_rules()
    Assignment.objects.filter(user=colleague.user).update(due_on="2026-01-01")
    due = Assignment.objects.get(user=learner).due_on

    assert login_via_form(client, "medarbetare", DEFAULT_DEMO_PASSWORD)
    page = client.get("/mina-kurser/").content.decode()
    assert "Tilldelade kurser" in page and course.title in page
    assert f"Klar senast {due.day}" in page and "Inte påbörjad" in page
    assert "Försenad" not in page  # the colleague's overdue assignment is not shown
    course_page = client.get(course.url).content.decode()
    assert "Kursen är tilldelad dig" in course_page

    extract = register_extract(learner)
    assert [row["course"] for row in extract["sections"]["assignments"]] == [course.title]


def test_hr_cannot_exempt_itself_or_open_others_history(client, org, course, hr_social):
    from people.models import Person

    Person.objects.create(user=hr_social, employee_number="HR1", unit=org["home_care"])
    outside = make_person(org["school"], username="ute")
    AssignmentRule.objects.create(name="Alla", course=course, unit=org["root"])
    services.evaluate_rules()
    assert login_via_form(client, "hr", DEFAULT_DEMO_PASSWORD)
    own = Assignment.objects.get(user=hr_social)
    theirs = Assignment.objects.get(user=outside.user)
    for url in (
        f"/admin/assignments/list/edit/{own.pk}/",
        f"/admin/assignments/list/history/{theirs.pk}/",
        f"/admin/assignments/list/usage/{theirs.pk}/",
    ):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, "/admin/"), url
    response = client.post(
        f"/admin/assignments/list/edit/{own.pk}/", {"exempt": "on", "exemption_reason": "Nej"}
    )
    own.refresh_from_db()
    assert own.exempted_at is None


def test_correcting_the_reason_keeps_who_exempted_and_when(org, course, hr_social):
    make_person(org["social"])
    AssignmentRule.objects.create(name="Alla", course=course, unit=org["root"])
    services.evaluate_rules()
    assignment = Assignment.objects.get()
    first = services.exempt(assignment=assignment, by=hr_social, reason="Utbildad 2025")
    again = services.exempt(assignment=assignment, by=None, reason="Utbildad i Borås 2025")
    assert again.exempted_at == first.exempted_at and again.exempted_by == hr_social
    assert again.exemption_reason == "Utbildad i Borås 2025"


def test_a_made_up_course_value_is_a_form_error_not_a_crash(client, org, hr_social):
    assert login_via_form(client, "hr", DEFAULT_DEMO_PASSWORD)
    response = client.post(
        "/admin/assignments/rules/new/",
        {
            "name": "X",
            "course": "abc",
            "unit": org["social"].pk,
            "audience": "everyone",
            "due_days": "30",
            "active": "on",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"course": ["Det här fältet är obligatoriskt"]}
    assert AssignmentRule.objects.count() == 0


def test_rule_history_outside_the_scope_is_refused(client, org, course, hr_social):
    others = AssignmentRule.objects.create(name="Skolans", course=course, unit=org["school"])
    mine = AssignmentRule.objects.create(name="Socialens", course=course, unit=org["social"])
    assert login_via_form(client, "hr", DEFAULT_DEMO_PASSWORD)
    for view in ("history", "usage"):
        refused = client.get(f"/admin/assignments/rules/{view}/{others.pk}/")
        assert (refused.status_code, refused["Location"]) == (302, "/admin/")
        assert client.get(f"/admin/assignments/rules/{view}/{mine.pk}/").status_code == 200
