"""Every URL of the project × every role: who gets the page, who is sent to log in, who is refused.

A new URL pattern fails `test_every_url_is_in_the_matrix` until it is added to MATRIX, so that
nobody ships a view without deciding who may see it. Below the matrix, every list, report and
export is read row by row (DATA_CHECKS): a manager, an HR user scoped to one administration and
an administrator each get exactly the rows of their part of the organisation.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from wagtail.documents.models import Document

from lms.demo import DEFAULT_DEMO_PASSWORD
from quizzes import services as quiz_services
from tests import listings
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

ADMIN_ONLY = {**ADMIN_LOGIN, "hr": 302, "redaktor": 302, "admin": 200}
API_URLS = {
    "api_people": "/api/v1/people",
    "api_units": "/api/v1/units",
    "api_unit": "/api/v1/units/{unit_id}",
    "api_courses": "/api/v1/courses",
    "api_course": "/api/v1/courses/{course_id}",
    "api_module": "/api/v1/courses/{course_id}/modules/{module_id}",
    "api_assignments": "/api/v1/assignments",
    "api_completions": "/api/v1/completions",
    "api_coverage": "/api/v1/coverage",
    "api_quiz_stats": "/api/v1/quiz-stats",
}
# The scope each API URL needs (api.models.Scope).
API_SCOPES = {
    "api_people": "people",
    "api_units": "units",
    "api_unit": "units",
    "api_courses": "courses",
    "api_course": "courses",
    "api_module": "courses",
    "api_assignments": "assignments",
    "api_completions": "completions",
    "api_coverage": "coverage",
    "api_quiz_stats": "quiz_stats",
}

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
    # The accessibility statement is public (the law asks for it); its fixed address redirects.
    "accessibility_statement": ("/tillganglighet/", dict.fromkeys(ROLES, 302)),
    "wagtail_serve:accessibility": ("/tillganglighetsredogorelse/", ALL_200),
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
    "admin/organisation/people/results": ("/admin/organisation/people/results/", HR_ADMIN),
    "admin/organisation/people/inspect": (
        "/admin/organisation/people/inspect/{person_id}/",
        HR_ADMIN,
    ),
    # A person's course history (rounds, completions, validity): HR in scope, administrators.
    "progress_person_history": ("/admin/course-history/{person_id}/", HR_ADMIN),
    "admin/organisation/units": ("/admin/organisation/units/", HR_ADMIN_OR_REDIRECT),
    "admin/organisation/units/results": ("/admin/organisation/units/results/", HR_ADMIN),
    "admin/organisation/units/inspect": ("/admin/organisation/units/inspect/{unit_id}/", HR_ADMIN),
    # Assignment rules and assignments: HR (scoped, see tests/assignments) and administrators.
    "admin/assignments/rules": ("/admin/assignments/rules/", HR_ADMIN),
    "admin/assignments/rules/results": ("/admin/assignments/rules/results/", HR_ADMIN),
    "admin/assignments/rules/new": ("/admin/assignments/rules/new/", HR_ADMIN),
    "admin/assignments/rules/edit": ("/admin/assignments/rules/edit/{rule_id}/", HR_ADMIN),
    "admin/assignments/list": ("/admin/assignments/list/", HR_ADMIN),
    "admin/assignments/list/results": ("/admin/assignments/list/results/", HR_ADMIN),
    "admin/assignments/list/edit": (
        "/admin/assignments/list/edit/{assignment_id}/",
        HR_ADMIN,
    ),
    # Coverage dashboards and goals (HR within its scope, administrators); managers' own page.
    "my_unit": ("/min-enhet/", LOGIN_THEN_200),
    # Workplace meetings (APT): managers' and facilitators' own meetings only; HR's figures.
    "meeting_list": ("/arbetsplatstraffar/", LOGIN_THEN_200),
    "meeting_detail": ("/arbetsplatstraffar/{meeting_id}/", NOT_YOURS),
    "meeting_guide": ("/arbetsplatstraffar/{meeting_id}/samtalsguide/", NOT_YOURS),
    "meeting_add_guest": ("/arbetsplatstraffar/{meeting_id}/gaster/", POST_ONLY),
    "meeting_hold": ("/arbetsplatstraffar/{meeting_id}/genomford/", POST_ONLY),
    "meeting_correct": ("/arbetsplatstraffar/{meeting_id}/rattelse/", POST_ONLY),
    "meeting_cancel": ("/arbetsplatstraffar/{meeting_id}/stall-in/", POST_ONLY),
    "workplace_meetings_figures": ("/admin/workplace-meetings/", HR_ADMIN),
    "admin/coverage": ("/admin/coverage/", HR_ADMIN),
    "admin/coverage/units": ("/admin/coverage/units/{unit_id}/", HR_ADMIN),
    "admin/coverage/export": ("/admin/coverage/export/units.csv", HR_ADMIN),
    "admin/coverage/export:overdue": ("/admin/coverage/export/overdue.xlsx", HR_ADMIN),
    "admin/coverage/units/export": (
        "/admin/coverage/units/{unit_id}/export/overdue.csv",
        HR_ADMIN,
    ),
    "admin/coverage/goals": ("/admin/coverage/goals/", HR_ADMIN),
    "admin/coverage/goals/results": ("/admin/coverage/goals/results/", HR_ADMIN),
    "admin/coverage/goals/new": ("/admin/coverage/goals/new/", HR_ADMIN),
    "admin/coverage/goals/edit": ("/admin/coverage/goals/edit/{goal_id}/", HR_ADMIN),
    # The active-measures report (HR within its scope, administrators): page, PDF and XLSX.
    "admin/active-measures": (
        "/admin/active-measures/?unit={unit_id}&start=2020-01-01&end=2020-12-31",
        HR_ADMIN,
    ),
    "admin/active-measures/report": (
        "/admin/active-measures/report.pdf?unit={unit_id}&start=2020-01-01&end=2020-12-31",
        HR_ADMIN,
    ),
    "admin/active-measures/report:xlsx": (
        "/admin/active-measures/report.xlsx?unit={unit_id}&start=2020-01-01&end=2020-12-31",
        HR_ADMIN,
    ),
    # Sent reminders (HR within its scope, administrators).
    "reminders_report": ("/admin/sent-reminders/", HR_ADMIN),
    "reminders_report_results": ("/admin/sent-reminders/results/", HR_ADMIN),
    # Diplomas: the learner's own (nobody here completed the course), public verification,
    # and HR's list, downloads, ZIP and revoking within its scope.
    "diploma_mine": ("/mina-kurser/{course_id}/diplom/", NOT_YOURS),
    "diploma_verify_form": ("/verify/", ALL_200),
    "diploma_verify": ("/verify/{diploma_code}/", ALL_200),
    "diploma_verify:unknown": ("/verify/0000-0000-0000-0000/", dict.fromkeys(ROLES, 404)),
    "admin/diplomas": ("/admin/diplomas/", HR_ADMIN),
    "admin/diplomas/pdf": ("/admin/diplomas/{diploma_id}/pdf/", HR_ADMIN),
    "admin/diplomas/revoke": ("/admin/diplomas/{diploma_id}/revoke/", HR_ADMIN),
    "admin/diplomas/zip": ("/admin/diplomas/units/{unit_id}/zip/", HR_ADMIN),
    # Workplace certification: a unit's managers on the front end (nobody here manages the
    # fixture's unit, so it does not exist for them); HR within its scope in the admin.
    "certification_unit": ("/min-enhet/certifiering/{unit_id}/", NOT_YOURS),
    "certification_submit_evidence": (
        "/min-enhet/certifiering/{unit_id}/kriterier/{criterion_id}/underlag/",
        POST_ONLY,
    ),
    "certification_evidence_file": ("/min-enhet/certifiering/underlag/{evidence_id}/", NOT_YOURS),
    "certification_certificate": (
        "/min-enhet/certifiering/certifikat/{certification_id}/",
        NOT_YOURS,
    ),
    "admin/certification": ("/admin/certification/", HR_ADMIN),
    "admin/certification/unit": (
        "/admin/certification/{programme_id}/units/{unit_id}/",
        HR_ADMIN,
    ),
    "admin/certification/certify": (
        "/admin/certification/{programme_id}/units/{unit_id}/certify/",
        {**ADMIN_LOGIN, "hr": 405, "redaktor": 405, "admin": 405},
    ),
    "admin/certification/review": (
        "/admin/certification/evidence/{evidence_id}/review/",
        {**ADMIN_LOGIN, "hr": 405, "redaktor": 405, "admin": 405},
    ),
    "admin/certification/evidence": (
        "/admin/certification/evidence/{evidence_id}/file/",
        HR_ADMIN,
    ),
    "admin/certification/pdf": (
        "/admin/certification/certificates/{certification_id}/pdf/",
        HR_ADMIN,
    ),
    "admin/certification/programmes": ("/admin/certification/programmes/", HR_ADMIN),
    "admin/certification/programmes/new": ("/admin/certification/programmes/new/", HR_ADMIN),
    "admin/certification/programmes/edit": (
        "/admin/certification/programmes/edit/{programme_id}/",
        HR_ADMIN,
    ),
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
    # Accessibility problem reports: moderators (the demo editor is one) and administrators.
    "admin/accessibility-reports": (
        "/admin/accessibility-reports/",
        {**ADMIN_LOGIN, "hr": 302, "redaktor": 200, "admin": 200},
    ),
    # The integration API (api/): tokens only, never a session, so every role gets 401; the
    # schema and its docs are public. Tokens: test_api_matrix_for_tokens below.
    "api-root": ("/api/v1/", dict.fromkeys(ROLES, 404)),
    "openapi-json": ("/api/v1/openapi.json", ALL_200),
    "openapi-view": ("/api/v1/docs", ALL_200),
    **{name: (url, dict.fromkeys(ROLES, 401)) for name, url in API_URLS.items()},
    # Integration tokens in the admin: administrators only.
    "admin/api-tokens": ("/admin/api-tokens/", ADMIN_ONLY),
    "admin/api-tokens/new": ("/admin/api-tokens/new/", ADMIN_ONLY),
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


# External organisations (issue 15): three more roles, for every URL the feature adds. An
# external member ("extern") and a contact ("kontakt") are users without a Person; "koordinator"
# is the External coordinators group (lms/roles.py). The course in `urls` is NOT opened to
# external organisations: the external roles must not reach it.
EXTERNAL_ROLES = ("extern", "kontakt", "koordinator")
ALL_ROLES = (*ROLES, *EXTERNAL_ROLES)
_EXT_ALL_200 = dict.fromkeys(ALL_ROLES, 200)
_EXT_POST_ONLY = {"anonymous": "login", **dict.fromkeys(ALL_ROLES[1:], 405)}
_EXT_CONTACT_ONLY = {"anonymous": "login", **dict.fromkeys(ALL_ROLES[1:], 404), "kontakt": 200}
_EXT_COORDINATOR = {
    **dict.fromkeys(ALL_ROLES, "admin-login"),
    "hr": 200,
    "redaktor": 302,
    "admin": 200,
    "koordinator": 200,
}
EXTERNAL_MATRIX: dict[str, tuple[str, dict]] = {
    "register": ("/organisationer/registrera/", _EXT_ALL_200),
    "registered": ("/organisationer/registrera/tack/", _EXT_ALL_200),
    # GET shows a button only; an unknown token fails on POST (tests/external_organisations).
    "confirm": ("/organisationer/bekrafta/okand-lank/", _EXT_ALL_200),
    "accept": ("/organisationer/inbjudan/okand-lank/", dict.fromkeys(ALL_ROLES, 400)),
    "my_organisation": ("/organisationer/min-organisation/", _EXT_CONTACT_ONLY),
    "invite": ("/organisationer/min-organisation/bjud-in/", _EXT_POST_ONLY),
    "leave": ("/organisationer/min-organisation/lamna/", _EXT_POST_ONLY),
    "award_pdf": ("/organisationer/min-organisation/diplom/{award_id}/", _EXT_CONTACT_ONLY),
    "wagtail_serve:diplomated": ("/diplomerade-organisationer/", _EXT_ALL_200),
    "diploma_verify:organisation": ("/verify/{award_code}/", _EXT_ALL_200),
    "wagtail_serve:course-not-offered": (
        "{course_url}",
        {**dict.fromkeys(ALL_ROLES, 200), "anonymous": "login", "extern": 404, "kontakt": 404},
    ),
    "wagtail_serve:catalogue-external": ("/kurser/", {**_EXT_ALL_200, "anonymous": "login"}),
    "admin/external-organisations": ("/admin/external-organisations/", _EXT_COORDINATOR),
    "admin/external-organisations/decide": (
        "/admin/external-organisations/{organisation_id}/",
        _EXT_COORDINATOR,
    ),
    "admin/external-offerings": ("/admin/external-offerings/", _EXT_COORDINATOR),
    "admin/external-offerings/new": ("/admin/external-offerings/new/", _EXT_COORDINATOR),
    "admin/external-offerings/edit": (
        "/admin/external-offerings/edit/{offering_id}/",
        _EXT_COORDINATOR,
    ),
}
MATRIX.update(EXTERNAL_MATRIX)


def _external_urls(catalogue, course) -> dict:
    from diplomas import codes
    from external_organisations.demo import ensure_external
    from external_organisations.models import CourseOffering, OrganisationAward

    organisation = ensure_external(password=DEFAULT_DEMO_PASSWORD, home=catalogue.get_parent())
    offered = make_course(catalogue, title="Mångfald för föreningar", modules=1)
    offering = CourseOffering.objects.create(course=offered, min_members=3)
    award = OrganisationAward.objects.create(
        organisation=organisation,
        course=offered,
        code=codes.generate(),
        organisation_name=organisation.name,
        course_title=offered.title,
    )
    return {
        "award_id": award.pk,
        "award_code": award.display_code,
        "organisation_id": organisation.pk,
        "offering_id": offering.pk,
        "course_url": course.url,
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
    from accessibility.demo import ensure_statement

    ensure_statement(catalogue.get_parent())
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

    person = Person.objects.create(user=owner, employee_number="P1", unit=root)
    rule = AssignmentRule.objects.create(name="Alla", course=course, unit=root)
    assignment = Assignment.objects.create(
        user=owner, course=course, rule=rule, assigned_at="2026-11-01T08:00Z", due_on="2027-01-01"
    )
    from reports.models import CoverageGoal

    goal = CoverageGoal.objects.create(
        name="80 procent", target_percent=80, deadline="2027-12-31", unit=root
    )
    from diplomas import services as diploma_services
    from progress.models import Completion, CourseProgress

    done = timezone.now()
    completion = Completion.objects.create(
        user=owner,
        course=course,
        course_progress=CourseProgress.objects.create(
            user=owner, course=course, started_at=done, completed_at=done
        ),
        completed_at=done,
    )
    diploma = diploma_services.diploma_issue(completion=completion)
    from workplace_meetings.models import WorkplaceMeeting

    meeting = WorkplaceMeeting.objects.create(unit=root, module=module, date="2026-12-01")
    from certification.models import Certification, CertificationProgramme, Criterion, Evidence

    programme = CertificationProgramme.objects.create(name="Jämställd arbetsplats")
    criterion = Criterion.objects.create(programme=programme, kind="manual", title="Plan")
    evidence = Evidence(unit=root, criterion=criterion, text="Plan")
    evidence.file.save("plan.pdf", ContentFile(b"%PDF-1.4 plan"), save=False)
    evidence.save()
    certification = Certification.objects.create(
        unit=root, programme=programme, certified_on="2026-01-01", valid_until="2026-12-31"
    )
    external = _external_urls(catalogue, course)
    return {
        **external,
        "meeting_id": meeting.pk,
        "programme_id": programme.pk,
        "criterion_id": criterion.pk,
        "evidence_id": evidence.pk,
        "certification_id": certification.pk,
        "course_id": course.pk,
        "diploma_id": diploma.pk,
        "diploma_code": diploma.display_code,
        "unit_id": root.pk,
        "person_id": person.pk,
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


@pytest.mark.django_db
@pytest.mark.parametrize("role", EXTERNAL_ROLES)
def test_external_roles_matrix(client, urls, role):
    """The external roles on every URL the external organisations feature adds."""
    assert login_via_form(client, role, DEFAULT_DEMO_PASSWORD)
    failures = []
    for key, (path, expectations) in EXTERNAL_MATRIX.items():
        expected = expectations[role]
        got = _outcome(client.get(path.format(**urls)), expected)
        if got != expected:
            failures.append(f"{key} {path}: expected {expected}, got {got}")
    assert failures == [], f"as {role}:\n" + "\n".join(failures)


@pytest.mark.django_db
def test_api_matrix_for_tokens(client, urls):
    """Every API URL with a token of every scope but its own (403), of its scope (200), one of
    another organisation's part (its unit: 404), expired or revoked (401)."""
    import datetime as dt

    from api import services
    from api.models import Scope
    from people.models import OrgUnit

    def token(scopes, *, units=(), days=30):
        return services.token_create(
            name="matrix",
            scopes=scopes,
            units=units,
            whole_organisation=not units,
            expires_at=timezone.now() + dt.timedelta(days=days),
        )

    other = OrgUnit.add_root(instance=OrgUnit(code="ANNAN", name="Annan kommun"))
    _t, everything = token(Scope.values)
    _t, elsewhere = token(Scope.values, units=[other])
    _t, expired = token(Scope.values, days=-1)
    revoked_token, revoked = token(Scope.values)
    services.token_revoke(token=revoked_token)
    failures = []
    for name, url in API_URLS.items():
        path = url.format(**urls)
        _t, without = token([s for s in Scope.values if s != API_SCOPES[name]])
        expected = {
            everything: 200,
            without: 403,
            expired: 401,
            revoked: 401,
            # The unit is outside the token's part; every other URL answers with its rows.
            elsewhere: 404 if name == "api_unit" else 200,
        }
        for secret, status in expected.items():
            got = client.get(path, HTTP_AUTHORIZATION=f"Bearer {secret}").status_code
            if got != status:
                failures.append(f"{name} {path}: expected {status}, got {got}")
    assert failures == []


# --------------------------------------------------------------------------- which rows
#
# Answering 200 says nothing about WHICH rows a page holds. For every list, report and export
# (and the detail pages and forms that list units), a manager, an HR user scoped to one
# administration and an administrator each get exactly the rows of their part of the
# organisation, computed here from the tree (not through people.selectors, which is what is
# tested). Every unit, person, rule and goal has a name found nowhere else, so that the whole
# response can also be searched for anything outside the user's part.

TREE = {  # unit code: parent's code
    "K": None,
    "SOC": "K",
    "HT": "SOC",
    "HTNATT": "HT",
    "IFO": "SOC",
    "UTB": "K",
    "SKOLA": "UTB",
    "KS": "K",
}
PEOPLE = [f"{code}-{n}" for code in TREE for n in (1, 2)]  # n == 1: overdue; 2: due later


def unit_of(person: str) -> str:
    return person.rsplit("-", 1)[0]


def _lineage(code: str) -> list[str]:
    chain = []
    while code is not None:
        chain.append(code)
        code = TREE[code]
    return chain


def subtree(code: str) -> set[str]:
    return {unit for unit in TREE if code in _lineage(unit)}


def children(code: str) -> set[str]:
    return {unit for unit, parent in TREE.items() if parent == code}


@dataclass(frozen=True)
class Viewer:
    username: str
    superuser: bool = False
    hr_scopes: tuple[str, ...] = ()
    manages: tuple[str, ...] = ()

    @property
    def units(self) -> set[str]:
        if self.superuser:
            return set(TREE)
        return set().union(*(subtree(code) for code in self.hr_scopes + self.manages))

    @property
    def people(self) -> set[str]:
        return {p for p in PEOPLE if unit_of(p) in self.units}

    @property
    def admin(self) -> bool:  # HR or an administrator: reaches HR's pages in the Wagtail admin
        return self.superuser or bool(self.hr_scopes)

    @property
    def whole_organisation(self) -> bool:
        return self.superuser or "K" in self.hr_scopes

    @property
    def dashboard_roots(self) -> set[str]:
        if self.superuser:
            return {"K"}
        roots = set(self.hr_scopes + self.manages)
        return {r for r in roots if not any(a in roots for a in _lineage(r)[1:])}


VIEWERS = (
    Viewer("chef", manages=("HT", "SKOLA")),  # two units in two administrations
    Viewer("hr-soc", hr_scopes=("SOC",)),
    Viewer("admin", superuser=True),
)

TOKENS = (
    ("person", re.compile(r"(?:PERSON|NR)-([A-Z]+-\d)")),
    ("unit", re.compile(r"ENHET-([A-Z]+)")),
    ("rule", re.compile(r"REGEL-([A-Z]+)")),
    ("goal", re.compile(r"MÅL-([A-Z]+)")),
)


def tokens(text: str, kind: str | None = None) -> set[tuple[str, str]]:
    return {(k, key) for k, pattern in TOKENS if kind in (None, k) for key in pattern.findall(text)}


def visible_tokens(viewer: Viewer) -> set[tuple[str, str]]:
    return (
        {("person", p) for p in viewer.people}
        | {(kind, code) for code in viewer.units for kind in ("unit", "rule")}
        | {("goal", code) for code in viewer.units - {"K"}}
        | {("goal", "ALLA")}
    )


def _kind(*pairs):
    return {(kind, key) for kind, keys in pairs for key in keys}


# How a refusal looks (see MATRIX): an expectation that is not a set of rows is one of these.
ADMIN_LOGIN_REFUSAL = "admin-login"  # not an admin user at all
DASHBOARD_REFUSAL = "dashboard"  # Wagtail's answer to PermissionDenied: its dashboard
NOT_FOUND = 404


def _refusal(response):
    location = response.get("Location", "")
    if response.status_code == 302 and location.startswith("/admin/login/"):
        return ADMIN_LOGIN_REFUSAL
    if response.status_code == 302 and location == "/admin/":
        return DASHBOARD_REFUSAL
    return response.status_code


def in_html(kind: str | None, selector: str):
    def rows(response) -> set:
        return set().union(
            *(tokens(el.get_text(" "), kind) for el in listings.soup(response).select(selector))
        )

    return rows


def in_file(kind: str):
    def rows(response) -> set:
        # The first column: the unit's code, or the person's employee number.
        first = [row[0] for row in listings.file_rows(response)]
        if kind == "unit":
            return {("unit", code) for code in first}
        return set().union(*(tokens(value, kind) for value in first))

    return rows


LISTING = "table.listing tbody tr"
UNIT_OPTIONS = 'select[name="unit"] option'


def admin_only(rows_for):
    """HR's pages in the Wagtail admin: anybody else is sent to the admin's login."""

    def expected(viewer: Viewer):
        return rows_for(viewer) if viewer.admin else ADMIN_LOGIN_REFUSAL

    return expected


def in_scope(unit: str, rows_for, refusal=NOT_FOUND):
    """A page about one unit (or an object of one unit): refused outside the scope."""

    def expected(viewer: Viewer):
        return rows_for(viewer) if unit in viewer.units else refusal

    return admin_only(expected)


def overdue_people(units: set[str]) -> set[tuple[str, str]]:
    return {("person", p) for p in PEOPLE if p.endswith("-1") and unit_of(p) in units}


def drill_down(unit: str):
    # The unit's own row (its people directly in it), its children, and the overdue below it.
    return lambda v: _kind(("unit", children(unit) | {unit})) | overdue_people(subtree(unit))


@dataclass(frozen=True)
class DataCheck:
    key: str  # the MATRIX entry it checks
    path: str  # formatted with the world's ids: {unit_SOC}, {rule_UTB}, ...
    rows: Callable  # response -> set of (kind, key)
    expected: Callable  # Viewer -> set of rows, or how the page refuses


def _every_unit_of(viewer):
    return _kind(("unit", set().union(*(subtree(r) for r in viewer.dashboard_roots))))


DATA_CHECKS = [
    DataCheck(
        "admin/organisation/people",
        "/admin/organisation/people/",
        in_html("person", LISTING),
        admin_only(lambda v: _kind(("person", v.people))),
    ),
    DataCheck(
        "admin/organisation/people/results",
        "/admin/organisation/people/results/",
        in_html("person", LISTING),
        admin_only(lambda v: _kind(("person", v.people))),
    ),
    DataCheck(
        "admin/organisation/people/inspect",
        "/admin/organisation/people/inspect/{person_HT-2}/",
        in_html("person", "main"),
        in_scope("HT", lambda v: {("person", "HT-2")}, DASHBOARD_REFUSAL),
    ),
    DataCheck(
        "admin/organisation/people/inspect",
        "/admin/organisation/people/inspect/{person_SKOLA-2}/",
        in_html("person", "main"),
        in_scope("SKOLA", lambda v: {("person", "SKOLA-2")}, DASHBOARD_REFUSAL),
    ),
    DataCheck(
        "progress_person_history",
        "/admin/course-history/{person_HT-2}/",
        in_html("person", "main"),
        in_scope("HT", lambda v: {("person", "HT-2")}, DASHBOARD_REFUSAL),
    ),
    DataCheck(
        "progress_person_history",
        "/admin/course-history/{person_SKOLA-2}/",
        in_html("person", "main"),
        in_scope("SKOLA", lambda v: {("person", "SKOLA-2")}, DASHBOARD_REFUSAL),
    ),
    DataCheck(
        "admin/organisation/units",
        "/admin/organisation/units/",
        in_html("unit", LISTING),
        admin_only(lambda v: _kind(("unit", v.units))),
    ),
    DataCheck(
        "admin/organisation/units/results",
        "/admin/organisation/units/results/",
        in_html("unit", LISTING),
        admin_only(lambda v: _kind(("unit", v.units))),
    ),
    DataCheck(
        "admin/organisation/units/inspect",
        "/admin/organisation/units/inspect/{unit_IFO}/",
        in_html("unit", "main"),
        in_scope("IFO", lambda v: {("unit", "IFO")}, DASHBOARD_REFUSAL),
    ),
    DataCheck(
        "admin/organisation/units/inspect",
        "/admin/organisation/units/inspect/{unit_KS}/",
        in_html("unit", "main"),
        in_scope("KS", lambda v: {("unit", "KS")}, DASHBOARD_REFUSAL),
    ),
    DataCheck(
        "admin/assignments/rules",
        "/admin/assignments/rules/",
        in_html("rule", LISTING),
        admin_only(lambda v: _kind(("rule", v.units))),
    ),
    DataCheck(
        "admin/assignments/rules/results",
        "/admin/assignments/rules/results/",
        in_html("rule", LISTING),
        admin_only(lambda v: _kind(("rule", v.units))),
    ),
    DataCheck(
        "admin/assignments/rules/new",
        "/admin/assignments/rules/new/",
        in_html("unit", UNIT_OPTIONS),
        admin_only(lambda v: _kind(("unit", v.units))),
    ),
    DataCheck(
        "admin/assignments/rules/edit",
        "/admin/assignments/rules/edit/{rule_HT}/",
        in_html("unit", UNIT_OPTIONS),
        in_scope("HT", lambda v: _kind(("unit", v.units)), DASHBOARD_REFUSAL),
    ),
    DataCheck(
        "admin/assignments/rules/edit",
        "/admin/assignments/rules/edit/{rule_UTB}/",
        in_html("unit", UNIT_OPTIONS),
        in_scope("UTB", lambda v: _kind(("unit", v.units)), DASHBOARD_REFUSAL),
    ),
    DataCheck(
        "admin/assignments/list",
        "/admin/assignments/list/",
        in_html("person", LISTING),
        admin_only(lambda v: _kind(("person", v.people))),
    ),
    DataCheck(
        "admin/assignments/list/results",
        "/admin/assignments/list/results/",
        in_html("person", LISTING),
        admin_only(lambda v: _kind(("person", v.people))),
    ),
    DataCheck(
        "admin/coverage",
        "/admin/coverage/",
        in_html(
            "unit",
            "section.report-section h2, table.report-table:not(.report-forecast) tbody th",
        ),
        admin_only(
            lambda v: _kind(
                ("unit", v.dashboard_roots),
                ("unit", set().union(*map(children, v.dashboard_roots))),
            )
        ),
    ),
    DataCheck(
        "admin/coverage/units",
        "/admin/coverage/units/{unit_SOC}/",
        in_html(None, "table.report-table:not(.report-forecast) tbody th"),
        in_scope("SOC", drill_down("SOC")),
    ),
    DataCheck(
        "admin/coverage/units",
        "/admin/coverage/units/{unit_UTB}/",
        in_html(None, "table.report-table:not(.report-forecast) tbody th"),
        in_scope("UTB", drill_down("UTB")),
    ),
    *[
        DataCheck(
            "admin/coverage/export",
            f"/admin/coverage/export/units.{fmt}",
            in_file("unit"),
            admin_only(_every_unit_of),
        )
        for fmt in ("csv", "xlsx")
    ],
    *[
        DataCheck(
            "admin/coverage/export:overdue",
            f"/admin/coverage/export/overdue.{fmt}",
            in_file("person"),
            admin_only(lambda v: overdue_people(v.units)),
        )
        for fmt in ("csv", "xlsx")
    ],
    *[
        DataCheck(
            "admin/coverage/units/export",
            f"/admin/coverage/units/{{unit_{unit}}}/export/{kind}.{fmt}",
            in_file("unit" if kind == "units" else "person"),
            in_scope(
                unit,
                (lambda v, unit=unit: _kind(("unit", subtree(unit))))
                if kind == "units"
                else (lambda v, unit=unit: overdue_people(subtree(unit))),
            ),
        )
        for unit in ("SOC", "UTB")
        for kind in ("units", "overdue")
        for fmt in ("csv", "xlsx")
    ],
    DataCheck(
        "admin/coverage/goals",
        "/admin/coverage/goals/",
        in_html("goal", LISTING),
        admin_only(lambda v: _kind(("goal", (v.units - {"K"}) | {"ALLA"}))),
    ),
    DataCheck(
        "admin/coverage/goals/results",
        "/admin/coverage/goals/results/",
        in_html("goal", LISTING),
        admin_only(lambda v: _kind(("goal", (v.units - {"K"}) | {"ALLA"}))),
    ),
    DataCheck(
        "admin/coverage/goals/new",
        "/admin/coverage/goals/new/",
        in_html("unit", UNIT_OPTIONS),
        admin_only(lambda v: _kind(("unit", v.units))),
    ),
    DataCheck(
        "admin/coverage/goals/edit",
        "/admin/coverage/goals/edit/{goal_HTNATT}/",
        in_html("unit", UNIT_OPTIONS),
        in_scope("HTNATT", lambda v: _kind(("unit", v.units)), DASHBOARD_REFUSAL),
    ),
    DataCheck(
        "admin/coverage/goals/edit",
        "/admin/coverage/goals/edit/{goal_SKOLA}/",
        in_html("unit", UNIT_OPTIONS),
        in_scope("SKOLA", lambda v: _kind(("unit", v.units)), DASHBOARD_REFUSAL),
    ),
    DataCheck(
        "admin/active-measures",
        "/admin/active-measures/",
        in_html("unit", UNIT_OPTIONS),
        admin_only(lambda v: _kind(("unit", v.units))),
    ),
    DataCheck(
        "admin/active-measures",
        "/admin/active-measures/?unit={unit_SOC}&start=2020-01-01&end=2020-12-31",
        in_html("unit", "section.active-measures > h2"),
        in_scope("SOC", lambda v: _kind(("unit", {"SOC"}))),
    ),
    DataCheck(
        "reminders_report",
        "/admin/sent-reminders/",
        in_html("person", LISTING),
        admin_only(lambda v: _kind(("person", v.people))),
    ),
    DataCheck(
        "reminders_report_results",
        "/admin/sent-reminders/results/",
        in_html("person", LISTING),
        admin_only(lambda v: _kind(("person", v.people))),
    ),
    DataCheck(
        "admin/certification",
        "/admin/certification/",
        in_html("unit", LISTING),
        admin_only(lambda v: _kind(("unit", v.units))),
    ),
    DataCheck(
        "admin/diplomas",
        "/admin/diplomas/",
        in_html("person", LISTING),
        admin_only(lambda v: _kind(("person", v.people))),
    ),
    DataCheck(
        "admin/diplomas",
        "/admin/diplomas/",
        in_html("unit", UNIT_OPTIONS),
        admin_only(lambda v: _kind(("unit", v.units))),
    ),
    DataCheck(
        "admin/diplomas",
        "/admin/diplomas/?unit={unit_HT}&subunits=1",
        in_html("person", LISTING),
        # Every viewer with admin access here sees HT; the filter narrows to its subtree.
        admin_only(
            lambda v: _kind(("person", {p for p in v.people if unit_of(p) in subtree("HT")}))
        ),
    ),
    # Workplace meetings: the plan form offers the manager's own units and their people only;
    # HR's figures list the units of its scope.
    DataCheck(
        "meeting_list",
        "/arbetsplatstraffar/",
        in_html(None, 'select[name="unit"] option, select[name="facilitator"] option'),
        lambda v: _kind(("unit", v.units), ("person", v.people)) if v.manages else set(),
    ),
    DataCheck(
        "workplace_meetings_figures",
        "/admin/workplace-meetings/",
        in_html("unit", "table.listing tbody th"),
        admin_only(_every_unit_of),
    ),
    DataCheck(
        # Managers' own page: the units they manage, and the assignments of everyone below.
        "my_unit",
        "/min-enhet/",
        in_html(None, "main section > h2, #my-unit-assignments tbody th"),
        lambda v: _kind(("unit", set(v.manages)), ("person", v.people)) if v.manages else set(),
    ),
    # The employee file describes the whole organisation: only HR for all of it imports.
    DataCheck(
        "employee_import_list",
        "/admin/employee-imports/",
        in_html(None, "main"),
        admin_only(lambda v: set() if v.whole_organisation else DASHBOARD_REFUSAL),
    ),
    DataCheck(
        "employee_import_detail",
        "/admin/employee-imports/{import_id}/",
        in_html(None, "main"),
        admin_only(lambda v: set() if v.whole_organisation else DASHBOARD_REFUSAL),
    ),
]

# MATRIX entries without rows of people or units (or only the user's own), and why.
OWN_RECORDS = "only the user's own records (tests/people/test_privacy.py, tests/assignments)"
WITHOUT_SCOPED_ROWS = {
    **dict.fromkeys(
        (
            "health",
            "login",
            "logout",
            "password_change",
            "password_change_done",
            "password_reset",
            "password_reset_done",
            "password_reset_confirm",
            "password_reset_complete",
            "set_language",
            "wagtailcore_login",
            "oidc_authentication_init",
            "oidc_authentication_callback",
            "oidc_logout",
        ),
        "accounts and infrastructure: no organisation data",
    ),
    **dict.fromkeys(
        (
            "wagtaildocs_serve",
            "wagtaildocs_authenticate_with_password",
            "wagtailcore_authenticate_with_password",
            "wagtail_serve",
            "wagtail_serve:catalogue",
            "wagtail_serve:missing",
            "media",
            "media:documents",
            "admin/pages",
            "admin/snippets/quizzes",
        ),
        "course content, the same for everybody",
    ),
    **dict.fromkeys(
        (
            "my_courses",
            "film_progress",
            "transcript_read",
            "reflection_save",
            "module_complete",
            "quiz_start",
            "question",
            "review",
            "result",
            "my_data",
            "extract_json",
            "extract_html",
        ),
        OWN_RECORDS,
    ),
    "employee_import_upload": "a form; the import itself is refused like the list (above)",
    "employee_import_apply": "POST only; refused like the list (above)",
    "admin/assignments/list/edit": "one assignment; scope in tests/assignments/test_admin.py",
    "admin/": "Wagtail's dashboard: no panels with people or units",
    "admin/quiz-results": "pass rates per quiz for the whole organisation: figures, no people",
    "admin/quiz-results/quiz": "answers per question for the whole organisation: no people",
    "django-admin/": "administrators only (superusers see everything)",
    "accessibility_statement": "a redirect to the public statement",
    "wagtail_serve:accessibility": "the public statement and an empty form",
    "admin/accessibility-reports": (
        "problem reports from the public form, organisation-wide, for moderators: no employee "
        "records (tests/accessibility)"
    ),
    "diploma_mine": "only the learner's own diploma (tests/diplomas, tests/security)",
    **dict.fromkeys(
        (
            "meeting_detail",
            "meeting_guide",
            "meeting_add_guest",
            "meeting_hold",
            "meeting_correct",
            "meeting_cancel",
        ),
        "one meeting of the manager's own unit, or one they lead; others' answer 404 "
        "(tests/security/test_workplace_meeting_tamper.py)",
    ),
    "diploma_verify_form": "a form; no data",
    "diploma_verify": "one diploma by its code, public by design (tests/diplomas)",
    "diploma_verify:unknown": "no diploma at all",
    "admin/diplomas/pdf": "one diploma; scope in tests/diplomas/test_hr.py and tamper tests",
    "admin/diplomas/revoke": "one diploma; scope in tests/diplomas/test_hr.py and tamper tests",
    "admin/diplomas/zip": "a ZIP of a unit; scope in tests/diplomas/test_hr.py, tamper tests",
    **dict.fromkeys(
        ("admin/active-measures/report", "admin/active-measures/report:xlsx"),
        "the page's report as a file, counts per course only; scope in "
        "tests/reports/test_active_measures.py and tests/security/test_report_tamper.py",
    ),
    **dict.fromkeys(
        (
            "certification_unit",
            "certification_submit_evidence",
            "certification_evidence_file",
            "certification_certificate",
            "admin/certification/unit",
            "admin/certification/certify",
            "admin/certification/review",
            "admin/certification/evidence",
            "admin/certification/pdf",
        ),
        "one unit, evidence or certificate; scope in tests/security/test_certification_tamper.py",
    ),
    **dict.fromkeys(
        (
            "admin/certification/programmes",
            "admin/certification/programmes/new",
            "admin/certification/programmes/edit",
        ),
        "certification programmes are organisation-wide definitions: no people or units",
    ),
    **dict.fromkeys(
        ("api-root", "openapi-json", "openapi-view", *API_URLS),
        "the API answers sessions 401 (schema and docs: no data); which rows a token sees: "
        "tests/api/test_api.py and tests/security/test_api_tamper.py",
    ),
    **dict.fromkeys(
        ("admin/api-tokens", "admin/api-tokens/new"),
        "administrators only (superusers see everything)",
    ),
}
# External organisations hold no employee rows; their own organisation-by-organisation rows
# are checked in tests/external_organisations and tests/security/test_external_tamper.py.
WITHOUT_SCOPED_ROWS.update(
    dict.fromkeys(EXTERNAL_MATRIX, "external organisations: no rows of the employee organisation")
)


def test_every_url_has_a_data_check_or_a_reason_not_to():
    checked = {check.key for check in DATA_CHECKS}
    assert checked <= set(MATRIX), "a data check for a URL that is not in MATRIX"
    assert not checked & set(WITHOUT_SCOPED_ROWS)
    assert set(MATRIX) - checked - set(WITHOUT_SCOPED_ROWS) == set(), (
        "add a DataCheck for these URLs (or a reason to WITHOUT_SCOPED_ROWS)"
    )


@pytest.fixture
def world(catalogue, demo_users):
    """The organisation of TREE, two people per unit with an assignment each (the first one
    overdue), a rule and a goal per unit, a reminder email per person; the viewers."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from assignments.models import Assignment, AssignmentRule
    from diplomas import services as diploma_services
    from people.models import EmployeeImport, HRScope, OrgUnit, Person
    from progress.models import Completion, CourseProgress
    from reminders.models import Delivery
    from reports.models import CoverageGoal

    today = timezone.localdate()
    course = make_course(catalogue, modules=1, title="Likabehandling")
    extra_course = make_course(catalogue, modules=1, title="Diplomkurs")
    from modules.models import ModulePage

    # Held at workplace meetings: HR's figures list the units (workplace_meetings_figures).
    ModulePage.objects.child_of(course).update(for_group_viewing=True)
    ids = {}
    units = {}
    for code, parent in TREE.items():
        unit = OrgUnit(code=code, name=f"ENHET-{code}")
        units[code] = (
            OrgUnit.add_root(instance=unit)
            if parent is None
            else OrgUnit.objects.get(pk=units[parent].pk).add_child(instance=unit)
        )
        ids[f"unit_{code}"] = units[code].pk
        rule = AssignmentRule.objects.create(name=f"REGEL-{code}", course=course, unit=units[code])
        ids[f"rule_{code}"] = rule.pk
        if parent is not None:
            goal = CoverageGoal.objects.create(
                name=f"MÅL-{code}", target_percent=80, deadline="2030-12-31", unit=units[code]
            )
            ids[f"goal_{code}"] = goal.pk
        for n in (1, 2):
            key = f"{code}-{n}"
            user = UserFactory(
                username=f"person-{key.lower()}", first_name="Anna", last_name=f"PERSON-{key}"
            )
            person = Person.objects.create(user=user, employee_number=f"NR-{key}", unit=units[code])
            ids[f"person_{key}"] = person.pk
            due = today - datetime.timedelta(days=10) if n == 1 else today + datetime.timedelta(60)
            Assignment.objects.create(
                user=user, course=course, rule=rule, assigned_at=timezone.now(), due_on=due
            )
            Delivery.objects.create(user=user, day=today, status="sent", sent_at=timezone.now())
            # A completion of an unassigned course (coverage stays as it is), whose diploma
            # the sweep issues below.
            done = timezone.now()
            Completion.objects.create(
                user=user,
                course=extra_course,
                course_progress=CourseProgress.objects.create(
                    user=user, course=extra_course, started_at=done, completed_at=done
                ),
                completed_at=done,
            )
    CoverageGoal.objects.create(name="MÅL-ALLA", target_percent=80, deadline="2030-12-31")
    from certification.models import CertificationProgramme, Criterion

    Criterion.objects.create(
        programme=CertificationProgramme.objects.create(name="Jämställd arbetsplats"),
        kind="manual",
    )
    diploma_services.diplomas_create_missing()
    ids["import_id"] = EmployeeImport.objects.create(original_name="personal.csv").pk

    users = get_user_model().objects
    hr_group = Group.objects.get(name="HR")
    for viewer in VIEWERS:
        user = users.filter(username=viewer.username).first() or UserFactory(
            username=viewer.username
        )
        if viewer.hr_scopes:
            user.groups.add(hr_group)
        for code in viewer.hr_scopes:
            HRScope.objects.create(user=user, unit=units[code])
        for code in viewer.manages:
            units[code].managers.add(user)
    return ids


@pytest.mark.django_db
@pytest.mark.parametrize("viewer", VIEWERS, ids=lambda v: v.username)
def test_each_list_and_export_holds_exactly_the_rows_of_the_users_units(client, world, viewer):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=viewer.username))
    allowed = visible_tokens(viewer)
    failures = []
    for check in DATA_CHECKS:
        path = check.path.format(**world)
        response = client.get(path)
        expected = check.expected(viewer)
        if isinstance(expected, set):
            if response.status_code != 200:
                failures.append(f"{path}: expected rows, got {_refusal(response)}")
                continue
            rows = check.rows(response)
            if rows != expected:
                failures.append(
                    f"{path}: rows not shown {sorted(expected - rows)}, "
                    f"rows that should not be there {sorted(rows - expected)}"
                )
            body = (
                "\n".join(";".join(row) for row in listings.file_rows(response))
                if response.streaming
                else response.content.decode()
            )
        else:
            if _refusal(response) != expected:
                failures.append(f"{path}: expected {expected}, got {_refusal(response)}")
            body = "" if response.streaming else response.content.decode()
        leaked = tokens(body) - allowed
        if leaked:
            failures.append(f"{path}: shows what is outside the user's part {sorted(leaked)}")
    assert failures == [], f"as {viewer.username}:\n" + "\n".join(failures)
