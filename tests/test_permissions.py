"""Every URL of the project × every role: who gets the page, who is sent to log in, who is refused.

A new URL pattern fails `test_every_url_is_in_the_matrix` until it is added to MATRIX, so that
nobody ships a view without deciding who may see it.
"""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver
from wagtail.documents.models import Document

from lms.demo import DEFAULT_DEMO_PASSWORD
from quizzes import services as quiz_services
from tests.factories import UserFactory, make_course, make_film, make_quiz
from tests.helpers import login_via_form

ROLES = ("anonymous", "medarbetare", "chef", "hr", "redaktor", "admin")
STAFF = ROLES[1:]

# Expected outcome per role: an HTTP status, "login" (302 to the site login) or
# "admin-login" (302 to the Wagtail admin login).
ALL_200 = dict.fromkeys(ROLES, 200)
LOGIN_THEN_200 = {"anonymous": "login", **dict.fromkeys(STAFF, 200)}
POST_ONLY = {"anonymous": "login", **dict.fromkeys(STAFF, 405)}
ADMIN_LOGIN = dict.fromkeys(ROLES, "admin-login")
NOT_YOURS = {"anonymous": "login", **dict.fromkeys(STAFF, 404)}
# Wagtail's admin answers a missing permission by redirecting to its dashboard.
HR_ADMIN = {**ADMIN_LOGIN, "hr": 200, "redaktor": 302, "admin": 200}
HR_ADMIN_OR_REDIRECT = HR_ADMIN

MATRIX: dict[str, tuple[str, dict]] = {
    # url name: (path, expectations)
    "health": ("/health/", dict.fromkeys(ROLES, 503)),  # no worker in this test: 503, never login
    "login": ("/accounts/login/", ALL_200),
    "logout": ("/accounts/logout/", {"anonymous": "login", **dict.fromkeys(STAFF, 405)}),  # POST
    "password_change": ("/accounts/password_change/", LOGIN_THEN_200),
    "password_change_done": ("/accounts/password_change/done/", LOGIN_THEN_200),
    "password_reset": ("/accounts/password_reset/", ALL_200),
    "password_reset_done": ("/accounts/password_reset/done/", ALL_200),
    "password_reset_confirm": ("/accounts/reset/MQ/invalid-token/", ALL_200),
    "password_reset_complete": ("/accounts/reset/done/", ALL_200),
    "set_language": ("/i18n/setlang/", dict.fromkeys(ROLES, 302)),  # GET redirects back
    "wagtaildocs_serve": ("{document_url}", LOGIN_THEN_200),
    "wagtaildocs_authenticate_with_password": (
        "/documents/authenticate_with_password/999/",
        {"anonymous": "login", **dict.fromkeys(STAFF, 404)},
    ),
    "wagtailcore_authenticate_with_password": (
        "/_util/authenticate_with_password/999/{home_id}/",
        {"anonymous": "login", **dict.fromkeys(STAFF, 404)},
    ),
    "wagtailcore_login": ("/_util/login/", ALL_200),
    # Pages: the home page is public, every other page type needs a login.
    "wagtail_serve": ("/", ALL_200),
    "wagtail_serve:catalogue": ("/kurser/", LOGIN_THEN_200),
    "wagtail_serve:missing": ("/finns-inte/", dict.fromkeys(ROLES, 404)),
    # Learner pages and actions (actions are POST only; each acts on the learner's own records).
    "my_courses": ("/mina-kurser/", LOGIN_THEN_200),
    "media": ("{film_url}", LOGIN_THEN_200),
    "media:documents": (
        "/media/{document_file}",
        {"anonymous": "login", **dict.fromkeys(STAFF, 404)},
    ),
    "film_progress": ("/modules/{module_id}/films/x/progress/", POST_ONLY),
    "transcript_read": ("/modules/{module_id}/films/x/transcript-read/", POST_ONLY),
    "reflection_save": ("/modules/{module_id}/reflections/x/", POST_ONLY),
    "module_complete": ("/progress/modules/{module_id}/complete/", POST_ONLY),
    "quiz_start": ("/modules/{module_id}/quiz/{quiz_block}/", LOGIN_THEN_200),
    # Quiz attempts belong to one learner: for everybody else they do not exist.
    "question": ("/quiz/attempts/{attempt_id}/questions/1/", NOT_YOURS),
    "review": ("/quiz/attempts/{attempt_id}/review/", NOT_YOURS),
    "result": ("/quiz/attempts/{attempt_id}/result/", NOT_YOURS),
    # Single sign-on is off unless configured (tests/people/test_sso.py covers it on).
    "oidc_authentication_init": ("/oidc/authenticate/", dict.fromkeys(ROLES, 404)),
    "oidc_authentication_callback": ("/oidc/callback/", dict.fromkeys(ROLES, 404)),
    "oidc_logout": ("/oidc/logout/", dict.fromkeys(ROLES, 404)),
    # A person's own data (GDPR): only ever their own.
    "my_data": ("/mina-uppgifter/", LOGIN_THEN_200),
    "extract_json": ("/mina-uppgifter/registerutdrag.json", LOGIN_THEN_200),
    "extract_html": ("/mina-uppgifter/registerutdrag/", LOGIN_THEN_200),
    # HR's employee import and the organisation in the admin (HR and administrators).
    "employee_import_list": ("/admin/employee-imports/", HR_ADMIN),
    "employee_import_upload": ("/admin/employee-imports/new/", HR_ADMIN),
    "employee_import_detail": ("/admin/employee-imports/{import_id}/", HR_ADMIN),
    "employee_import_apply": (
        "/admin/employee-imports/{import_id}/apply/",
        {**ADMIN_LOGIN, "hr": 405, "redaktor": 405, "admin": 405},
    ),
    "admin/organisation/people": ("/admin/organisation/people/", HR_ADMIN_OR_REDIRECT),
    "admin/organisation/units": ("/admin/organisation/units/", HR_ADMIN_OR_REDIRECT),
    # Assignment rules and assignments: HR (scoped, see tests/assignments) and administrators.
    "admin/assignments/rules": ("/admin/assignments/rules/", HR_ADMIN),
    "admin/assignments/rules/new": ("/admin/assignments/rules/new/", HR_ADMIN),
    "admin/assignments/rules/edit": ("/admin/assignments/rules/edit/{rule_id}/", HR_ADMIN),
    "admin/assignments/list": ("/admin/assignments/list/", HR_ADMIN),
    "admin/assignments/list/edit": (
        "/admin/assignments/list/edit/{assignment_id}/",
        HR_ADMIN,
    ),
    # Coverage dashboards and goals (HR within its scope, administrators); managers' own page.
    "my_unit": ("/min-enhet/", LOGIN_THEN_200),
    "admin/coverage": ("/admin/coverage/", HR_ADMIN),
    "admin/coverage/units": ("/admin/coverage/units/{unit_id}/", HR_ADMIN),
    "admin/coverage/export": ("/admin/coverage/export/units.csv", HR_ADMIN),
    "admin/coverage/export:overdue": ("/admin/coverage/export/overdue.xlsx", HR_ADMIN),
    "admin/coverage/units/export": (
        "/admin/coverage/units/{unit_id}/export/overdue.csv",
        HR_ADMIN,
    ),
    "admin/coverage/goals": ("/admin/coverage/goals/", HR_ADMIN),
    "admin/coverage/goals/new": ("/admin/coverage/goals/new/", HR_ADMIN),
    "admin/coverage/goals/edit": ("/admin/coverage/goals/edit/{goal_id}/", HR_ADMIN),
    # Sent reminders (HR within its scope, administrators).
    "reminders_report": ("/admin/sent-reminders/", HR_ADMIN),
    "reminders_report_results": ("/admin/sent-reminders/results/", HR_ADMIN),
    # Admin sites: editors and administrators author in the Wagtail admin; only superusers
    # reach Django's admin (Celery beat schedules).
    # HR reaches the admin for its reports only; it cannot browse or edit pages.
    "admin/": ("/admin/", {**ADMIN_LOGIN, "hr": 200, "redaktor": 200, "admin": 200}),
    "admin/pages": ("/admin/pages/", {**ADMIN_LOGIN, "hr": 302, "redaktor": 200, "admin": 200}),
    "admin/snippets/quizzes": (
        "/admin/snippets/quizzes/quiz/",
        {**ADMIN_LOGIN, "hr": 302, "redaktor": 200, "admin": 200},
    ),
    "admin/quiz-results": (
        "/admin/quiz-results/",
        {**ADMIN_LOGIN, "hr": 200, "redaktor": 200, "admin": 200},
    ),
    "admin/quiz-results/quiz": (
        "/admin/quiz-results/{quiz_id}/",
        {**ADMIN_LOGIN, "hr": 200, "redaktor": 200, "admin": 200},
    ),
    "django-admin/": (
        "/django-admin/",
        {
            "anonymous": 302,
            "medarbetare": 302,
            "chef": 302,
            "hr": 302,
            "redaktor": 302,
            "admin": 200,
        },
    ),
}


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            text = prefix + str(pattern.pattern)
            if text in ("admin/", "django-admin/"):
                yield text
                continue
            yield from _walk(pattern.url_patterns, text)
        elif isinstance(pattern, URLPattern):
            yield pattern.name or prefix + str(pattern.pattern)


def test_every_url_is_in_the_matrix():
    names = set(_walk(get_resolver().url_patterns))
    covered = {key.split(":")[0] for key in MATRIX}
    assert names - covered == set(), "add these URLs to MATRIX with who may see them"


@pytest.fixture
def urls(catalogue, demo_users):
    document = Document(title="Handledning")
    document.file.save("handledning.txt", ContentFile(b"Handledning for APT"), save=True)
    film = make_film()
    quiz = make_quiz(questions=1)
    course = make_course(catalogue, modules=1, film=film, quiz=quiz)
    module = course.get_children().first().specific
    owner = UserFactory(username="attempt-owner")
    attempt = quiz_services.quiz_attempt_start(user=owner, quiz=quiz, module_id=module.pk)
    from django.contrib.auth import get_user_model

    from people.models import EmployeeImport, HRScope, OrgUnit

    employee_import = EmployeeImport.objects.create(original_name="personal.csv")
    # HR is scoped to the whole organisation, as the import requires.
    root = OrgUnit.add_root(instance=OrgUnit(code="K", name="Kommunen"))
    HRScope.objects.create(user=get_user_model().objects.get(username="hr"), unit=root)
    from assignments.models import Assignment, AssignmentRule
    from people.models import Person

    Person.objects.create(user=owner, employee_number="P1", unit=root)
    rule = AssignmentRule.objects.create(name="Alla", course=course, unit=root)
    assignment = Assignment.objects.create(
        user=owner, course=course, rule=rule, assigned_at="2026-11-01T08:00Z", due_on="2027-01-01"
    )
    from reports.models import CoverageGoal

    goal = CoverageGoal.objects.create(
        name="80 procent", target_percent=80, deadline="2027-12-31", unit=root
    )
    return {
        "unit_id": root.pk,
        "goal_id": goal.pk,
        "rule_id": rule.pk,
        "assignment_id": assignment.pk,
        "import_id": employee_import.pk,
        "quiz_id": quiz.pk,
        "quiz_block": next(b.id for b in module.body if b.block_type == "quiz"),
        "attempt_id": attempt.pk,
        "document_url": document.url,
        "document_file": document.file.name,
        "home_id": catalogue.get_parent().pk,
        "film_url": film.video.url,
        "module_id": module.pk,
    }


def _outcome(response, expected):
    if expected == "login":
        return (
            "login"
            if response.status_code == 302 and response["Location"].startswith("/accounts/login/")
            else response.status_code
        )
    if expected == "admin-login":
        return (
            "admin-login"
            if response.status_code == 302 and response["Location"].startswith("/admin/login/")
            else response.status_code
        )
    return response.status_code


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_matrix(client, urls, role):
    if role != "anonymous":
        assert login_via_form(client, role, DEFAULT_DEMO_PASSWORD)
    failures = []
    for key, (path, expectations) in MATRIX.items():
        expected = expectations[role]
        response = client.get(path.format(**urls))
        got = _outcome(response, expected)
        if got != expected:
            failures.append(f"{key} {path}: expected {expected}, got {got}")
    assert failures == [], f"as {role}:\n" + "\n".join(failures)
