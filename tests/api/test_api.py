"""The read API as an integration sees it: scope, tokens, errors, paging, figures."""

from __future__ import annotations

import datetime

import pytest
from django.test import override_settings
from django.utils import timezone

from api import services
from api.models import RequestLog, Scope
from people.models import Person
from progress.models import Completion
from reports import selectors as report_selectors
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db


def get(client, url, secret, **headers):
    return client.get(url, **bearer(secret), **headers)


def all_pages(client, url, secret, *, limit=3) -> list[dict]:
    items, cursor = [], None
    while True:
        sep = "&" if "?" in url else "?"
        page_url = f"{url}{sep}limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        response = get(client, page_url, secret)
        assert response.status_code == 200, response.content
        body = response.json()
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items


def person_ids(*units) -> set[int]:
    return set(
        Person.objects.filter(
            unit__in=[u for unit in units for u in unit.get_tree(unit)]
        ).values_list("pk", flat=True)
    )


# --- Scope -----------------------------------------------------------------------------------


def test_a_token_for_one_administration_sees_only_its_people_and_rows(client, tree, make_token):
    _token, secret = make_token(units=[tree.a])
    people = all_pages(client, "/api/v1/people", secret)
    assert {p["id"] for p in people} == person_ids(tree.a)
    assert person_ids(tree.b).isdisjoint(p["id"] for p in people)
    assert all("name" not in p and "sex" not in p for p in people)

    units = all_pages(client, "/api/v1/units", secret)
    assert {u["code"] for u in units} == {"A", "A1", "A2"}

    a_users = set(
        Person.objects.filter(pk__in=person_ids(tree.a)).values_list("user_id", flat=True)
    )
    assignments = all_pages(client, "/api/v1/assignments", secret)
    assert {a["person_id"] for a in assignments} == person_ids(tree.a)
    completions = all_pages(client, "/api/v1/completions", secret)
    expected = set(Completion.objects.filter(user_id__in=a_users).values_list("pk", flat=True))
    assert {c["id"] for c in completions} == expected

    coverage = get(client, "/api/v1/coverage", secret).json()
    assert [item["unit"]["code"] for item in coverage["items"]] == ["A"]
    assert {c["unit"]["code"] for c in coverage["items"][0]["children"]} == {"A1", "A2"}
    assert coverage["items"][0]["total"]["assigned"] == 15  # 13 of course X (w7 exempted), 2 of Y


def test_units_people_and_courses_outside_the_scope_do_not_exist(client, tree, make_token):
    _token, secret = make_token(units=[tree.a])
    for url in (
        f"/api/v1/people?unit={tree.b.pk}",
        f"/api/v1/assignments?unit={tree.root.pk}",
        f"/api/v1/coverage?unit={tree.b.pk}",
        f"/api/v1/units/{tree.b.pk}",
        "/api/v1/completions?course=999999",
    ):
        response = get(client, url, secret)
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found"


def test_unit_filter_with_and_without_sub_units(client, tree, make_token):
    _token, secret = make_token(units=[tree.root])
    only_a = all_pages(client, f"/api/v1/people?unit={tree.a.pk}", secret)
    assert {p["unit_code"] for p in only_a} == {"A"}
    with_subunits = all_pages(
        client, f"/api/v1/people?unit={tree.a.pk}&include_subunits=true", secret
    )
    assert {p["id"] for p in with_subunits} == person_ids(tree.a)


def test_assignment_states_come_from_the_one_place(client, tree, make_token):
    _token, secret = make_token(units=[tree.a2])
    rows = all_pages(client, f"/api/v1/assignments?course={tree.x.pk}", secret)
    by_number = {r["employee_number"]: r["state"] for r in rows}
    numbers = dict(
        Person.objects.filter(unit=tree.a2).values_list("user__username", "employee_number")
    )
    assert by_number == {
        numbers["w6"]: "completed",
        numbers["w7"]: "exempted",
        numbers["m2"]: "expired",
        numbers["o1"]: "overdue",
    }
    overdue = all_pages(client, "/api/v1/assignments?state=overdue", secret)
    assert [r["employee_number"] for r in overdue] == [numbers["o1"]]


def test_changed_since_returns_only_newer_completions(client, tree, make_token):
    _token, secret = make_token(units=[tree.b])
    newest = Completion.objects.filter(user__person__unit=tree.b).order_by("pk").last()
    newest.completed_at = timezone.now() + datetime.timedelta(hours=1)
    newest.save()
    since = (timezone.now() + datetime.timedelta(minutes=30)).isoformat()
    rows = all_pages(
        client, f"/api/v1/completions?changed_since={since.replace('+', '%2B')}", secret
    )
    assert [r["id"] for r in rows] == [newest.pk]


# --- Tokens ----------------------------------------------------------------------------------


def test_the_secret_is_stored_only_as_a_hash(make_token):
    token, secret = make_token()
    assert secret.startswith("nlms_") and len(secret) > 40
    assert token.secret_hash == services.hash_secret(secret)
    assert secret not in str(token.__dict__)
    assert services.token_for_secret(secret) == token
    assert services.token_for_secret(secret + "x") is None


@pytest.mark.parametrize(
    "header, code",
    [
        (None, "token_missing"),
        ("Bearer nlms_wrong", "token_invalid"),
        ("Basic dXNlcjpwYXNz", "token_invalid"),
        ("Bearer ", "token_invalid"),
    ],
)
def test_missing_or_wrong_tokens_get_401(client, db, header, code):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get("/api/v1/people", **extra)
    assert response.status_code == 401
    assert response.json()["code"] == code
    assert response["Content-Type"].startswith("application/json")


def test_expired_and_revoked_tokens_get_401(client, tree, make_token):
    _expired, expired_secret = make_token(units=[tree.a], expires_in=-1)
    response = get(client, "/api/v1/people", expired_secret)
    assert (response.status_code, response.json()["code"]) == (401, "token_expired")

    token, secret = make_token(units=[tree.a])
    assert get(client, "/api/v1/people", secret).status_code == 200
    services.token_revoke(token=token)
    response = get(client, "/api/v1/people", secret)
    assert (response.status_code, response.json()["code"]) == (401, "token_revoked")


def test_a_session_login_does_not_open_the_api(client, tree):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", "root@example.org", "x-Pass-123456")
    client.force_login(admin)
    response = client.get("/api/v1/people")
    assert response.status_code == 401
    assert response.json()["code"] == "token_missing"


def test_a_token_without_the_scope_gets_403(client, tree, make_token):
    _token, secret = make_token(
        units=[tree.a], scopes=[s for s in Scope.values if s != Scope.COVERAGE]
    )
    response = get(client, "/api/v1/coverage", secret)
    assert response.status_code == 403
    assert response.json()["code"] == "scope_missing"
    assert get(client, "/api/v1/people", secret).status_code == 200


@override_settings(API_RATE_LIMIT=3)
def test_the_rate_limit_answers_429_with_retry_after(client, tree, make_token):
    _token, secret = make_token(units=[tree.a])
    _other, other_secret = make_token(units=[tree.a], name="BI")
    for _n in range(3):
        assert get(client, "/api/v1/units", secret).status_code == 200
    response = get(client, "/api/v1/units", secret)
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 60
    # Per token: another integration is not slowed down.
    assert get(client, "/api/v1/units", other_secret).status_code == 200


def test_every_request_with_a_token_is_logged_once(client, tree, make_token):
    token, secret = make_token(units=[tree.a], scopes=[Scope.PEOPLE])
    get(client, "/api/v1/people?limit=2", secret)
    get(client, "/api/v1/coverage", secret)
    get(client, "/api/v1/people?limit=abc", secret)
    rows = list(RequestLog.objects.filter(token=token).order_by("pk"))
    assert [(r.endpoint, r.status, r.rows) for r in rows] == [
        ("api_people", 200, 2),
        ("api_coverage", 403, 0),
        ("api_people", 422, 0),
    ]


def test_old_log_entries_are_deleted(tree, make_token):
    token, _secret = make_token(units=[tree.a])
    old = RequestLog.objects.create(
        token=token,
        endpoint="api_people",
        status=200,
        at=timezone.now() - datetime.timedelta(days=100),
    )
    new = RequestLog.objects.create(token=token, endpoint="api_people", status=200)
    assert services.request_log_prune(older_than_days=90) == 1
    assert list(RequestLog.objects.values_list("pk", flat=True)) == [new.pk]
    assert not RequestLog.objects.filter(pk=old.pk).exists()


def test_errors_in_swedish_or_english(client, db):
    sv = client.get("/api/v1/people").json()["message"]
    en = client.get("/api/v1/people", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8").json()["message"]
    assert en == "An Authorization: Bearer token is required."
    assert sv != en and "token" in sv.lower()


# --- Figures ---------------------------------------------------------------------------------


def _groups(groups):
    return [(g.key, None if g.figures is None else g.figures.people) for g in groups]


def test_coverage_is_the_dashboards_figures_with_their_suppression(client, tree, make_token):
    _token, secret = make_token(units=[tree.root])
    body = get(client, f"/api/v1/coverage?unit={tree.a.pk}&course={tree.x.pk}", secret).json()
    [item] = body["items"]
    [dashboard] = report_selectors.coverage_by_unit(parents=[tree.a], course_id=tree.x.pk)
    assert item["total"]["assigned"] == dashboard.total.assigned == 13
    assert item["total"]["completed"] == dashboard.total.completed == 7
    api_role = [(g["key"], g["figures"] and g["figures"]["people"]) for g in item["by_role"]]
    assert api_role == _groups(dashboard.by_role)
    # In A, managers (2) are a small group, and the only other group cannot be shown either.
    assert [g["suppressed"] for g in item["by_role"]] == [True, True]
    assert all(g["figures"] is None for g in item["by_role"] if g["suppressed"])


def test_coverage_never_breaks_down_by_sex(client, tree, make_token):
    # With /assignments listing each person's assignments, counts by sex (even large groups)
    # could be combined to reveal one person's sex: the API promises never sex per person.
    _token, secret = make_token(units=[tree.root])
    body = get(client, f"/api/v1/coverage?unit={tree.root.pk}", secret).json()
    assert body["items"]
    for item in body["items"]:
        assert set(item) == {"unit", "total", "direct", "goal", "children", "by_role"}
    schema = client.get("/api/v1/openapi.json").json()
    assert "by_sex" not in str(schema) and "sex" not in str(body)


def test_quiz_pass_rates_are_scoped_and_small_groups_suppressed(client, tree, make_token):
    from quizzes.models import QuizAttempt
    from tests.factories import make_quiz

    quiz = make_quiz(questions=1)
    module = tree.x.get_children().first()
    now = timezone.now()

    def attempt(user, passed):
        QuizAttempt.objects.create(
            user=user,
            quiz=quiz,
            number=QuizAttempt.objects.filter(user=user).count() + 1,
            module=module,
            snapshot={},
            started_at=now,
            submitted_at=now,
            passed=passed,
        )

    for key in ("w1", "w2", "w3", "w4", "w5", "m1"):  # six learners in A1
        attempt(tree.people[key], key != "w5")
    attempt(tree.people["w5"], True)  # a second attempt, passed
    for key in ("b1", "b2"):  # two in B: too few
        attempt(tree.people[key], True)

    _token, secret = make_token(units=[tree.a])
    [row] = get(client, "/api/v1/quiz-stats", secret).json()["items"]
    assert (row["course_id"], row["quiz_id"]) == (tree.x.pk, quiz.pk)
    assert (row["learners"], row["passed"], row["attempts"]) == (6, 6, 7)
    assert row["pass_rate_percent"] == 100 and not row["suppressed"]

    _token, secret_b = make_token(units=[tree.b])
    [row] = get(client, "/api/v1/quiz-stats", secret_b).json()["items"]
    assert row["suppressed"] and row["learners"] is None and row["pass_rate_percent"] is None


# --- Paging ----------------------------------------------------------------------------------


def test_pages_cover_every_row_once_in_id_order(client, tree, make_token):
    _token, secret = make_token(units=[tree.root])
    rows = all_pages(client, "/api/v1/assignments", secret, limit=4)
    ids = [r["id"] for r in rows]
    assert ids == sorted(set(ids)) and len(ids) == 19


def test_the_number_of_queries_per_page_is_constant(
    client, tree, make_token, django_assert_num_queries
):
    _token, secret = make_token(units=[tree.root])
    counts = {}
    for url in ("/api/v1/people", "/api/v1/assignments", "/api/v1/completions", "/api/v1/units"):
        first = get(client, f"{url}?limit=2", secret).json()
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as small:
            get(client, f"{url}?limit=2&cursor={first['next_cursor']}", secret)
        with CaptureQueriesContext(connection) as large:
            get(client, f"{url}?limit=1000", secret)
        counts[url] = (len(small), len(large))
    assert all(small == large for small, large in counts.values()), counts
    assert max(small for small, _large in counts.values()) <= 6, counts


# --- Schema and docs -------------------------------------------------------------------------


def test_schema_and_docs_are_served_without_other_hosts(client, db):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/completions" in schema.json()["paths"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "//cdn" not in html and "https://" not in html.replace('"validatorUrl": null', "")
    assert '"validatorUrl": null' in html


def test_changed_since_returns_assignments_whose_course_was_completed_since(
    client, tree, make_token
):
    from assignments.models import Assignment

    _token, secret = make_token(units=[tree.b])
    newest = Completion.objects.filter(user__person__unit=tree.b).order_by("pk").last()
    expected = set(
        Assignment.objects.filter(user=newest.user, course_id=newest.course_id).values_list(
            "pk", flat=True
        )
    )
    assert expected, "the completion answers an assignment"
    since = (timezone.now() + datetime.timedelta(minutes=30)).isoformat().replace("+", "%2B")
    url = f"/api/v1/assignments?include_ended=true&changed_since={since}"
    assert all_pages(client, url, secret) == []
    newest.completed_at = timezone.now() + datetime.timedelta(hours=1)
    newest.save()
    assert {r["id"] for r in all_pages(client, url, secret)} == expected
