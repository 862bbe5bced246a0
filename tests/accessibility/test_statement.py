"""The accessibility statement: reachable from every page, and problem reports that arrive."""

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from accessibility import services
from accessibility.demo import ensure_statement
from accessibility.models import ProblemReport

pytestmark = pytest.mark.django_db

GOOD = {
    "description": "Knappen Starta testet går inte att nå med tangentbordet.",
    "page_url": "/kurser/",
}


@pytest.fixture
def statement(demo_site):
    return ensure_statement(demo_site)


def test_footer_links_to_the_statement_from_public_and_private_pages(client, statement, learner):
    for url in ("/", reverse("login")):
        response = client.get(url)
        assert reverse("accessibility_statement").encode() in response.content, url
    client.force_login(learner)
    response = client.get(reverse("courses:my_courses"))
    assert reverse("accessibility_statement").encode() in response.content
    client.logout()
    response = client.get(reverse("accessibility_statement") + "?sida=/kurser/")
    assert response.status_code == 302
    assert response["Location"] == statement.url + "?sida=%2Fkurser%2F"
    page = client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    for heading in ("Kända brister", "Rapportera ett problem", "Tillsyn", "DIGG"):
        assert heading in text
    assert 'value="/kurser/"' in text


def test_offsite_return_address_is_not_passed_on(client, statement):
    response = client.get(reverse("accessibility_statement") + "?sida=//evil.example/")
    assert response["Location"] == statement.url


def test_statement_missing_is_a_plain_404(client, demo_site):
    assert client.get(reverse("accessibility_statement")).status_code == 404


def test_a_report_is_kept_and_emailed_to_the_responsible_person_once(
    client, statement, django_capture_on_commit_callbacks, monkeypatch
):
    sent_ids = []
    monkeypatch.setattr(
        "accessibility.tasks.notify_responsible.delay", lambda pk: sent_ids.append(pk)
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(statement.url, GOOD)
    assert response.status_code == 302
    assert response["Location"].endswith("?skickat=1#rapportera")
    report = ProblemReport.objects.get()
    assert report.description == GOOD["description"] and report.page_url == "/kurser/"
    assert sent_ids == [report.pk]
    assert services.notify_responsible(report.pk) is True
    assert services.notify_responsible(report.pk) is False, "a second delivery sends nothing"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["tillganglighet@demokommunen.se"]
    assert GOOD["description"] in mail.outbox[0].body
    thanks = client.get(response["Location"])
    assert "Tack! Din rapport har skickats" in thanks.content.decode()


def test_a_failed_email_is_sent_by_the_sweep_later(statement, monkeypatch):
    report = ProblemReport.objects.create(description="Kontrasten är för låg på knappen.")

    def refuse(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr("accessibility.services.send_mail", refuse)
    with pytest.raises(OSError):
        services.notify_responsible(report.pk)
    report.refresh_from_db()
    assert report.notified_at is None
    monkeypatch.undo()
    assert services.notify_pending() == 0, "too fresh: the task's own retry comes first"
    with time_machine.travel(report.created_at + services.RETRY_AFTER * 2):
        assert services.notify_pending() == 1
    report.refresh_from_db()
    assert report.notified_at is not None and len(mail.outbox) == 1


def test_bad_report_says_what_is_wrong_and_keeps_the_text(client, statement):
    response = client.post(
        statement.url, {"description": "kort", "contact_email": "inte-en-adress"}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Rapporten skickades inte" in text
    assert "minst 10 tecken" in text
    assert "giltig e-postadress" in text
    assert 'value="inte-en-adress"' in text
    assert not ProblemReport.objects.exists()


def test_too_long_report_is_refused(client, statement):
    response = client.post(statement.url, {"description": "x" * 5001})
    assert response.status_code == 400
    assert not ProblemReport.objects.exists()


def test_reports_are_rate_limited_per_client_with_the_text_kept(client, statement, settings):
    settings.ACCESSIBILITY_REPORTS_PER_CLIENT = 2
    for _ in range(2):
        assert client.post(statement.url, GOOD).status_code == 302
    response = client.post(statement.url, GOOD)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    text = response.content.decode()
    assert "Vänta" in text and GOOD["description"] in text
    assert ProblemReport.objects.count() == 2


def test_reports_are_listed_for_moderators_and_admins_only(client, statement, demo_users):
    ProblemReport.objects.create(description="Filmen saknar textning i modul 2.")
    url = reverse("accessibility_reports:index")
    for username, status in (("admin", 200), ("redaktor", 200), ("hr", 302), ("chef", 302)):
        client.force_login(demo_users_by_name(username))
        # The demo editor is also a moderator: moderators keep the statement and answer reports.
        response = client.get(url)
        assert response.status_code == status, username
        if status == 200:
            assert "Filmen saknar textning" in response.content.decode()


def demo_users_by_name(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)
