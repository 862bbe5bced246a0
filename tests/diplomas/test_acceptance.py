"""Issue 12, acceptance 1: complete a course, render the diploma, verify it publicly."""

from __future__ import annotations

import io
import math
from datetime import timedelta
from unittest import mock

import pypdf
import pytest
from django.utils import timezone

from diplomas import codes, services, tasks
from diplomas.models import Diploma, DiplomaSettings
from diplomas.pdf import swedish_date
from diplomas.views import VERIFY_LIMIT

pytestmark = pytest.mark.django_db


def pdf_text(diploma: Diploma) -> str:
    with diploma.pdf.open("rb") as handle:
        reader = pypdf.PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_completion_gives_a_diploma_with_name_course_date_and_code(
    demo_site, holder, equality_course, complete, django_capture_on_commit_callbacks
):
    DiplomaSettings.objects.update_or_create(
        site=demo_site.get_site(), defaults={"issuer_name": "Demokommunen"}
    )
    with mock.patch.object(tasks.render_diploma, "delay") as delay:
        completion, callbacks = complete(holder, equality_course)
        # The row is written with the completion; the PDF only after commit, by the task.
        diploma = Diploma.objects.get(completion=completion)
        assert not diploma.pdf
        for callback in callbacks:
            callback()
    delay.assert_called_once_with(diploma.pk)
    tasks.render_diploma.apply(args=[diploma.pk]).get()
    diploma.refresh_from_db()
    text = pdf_text(diploma)
    completed_on = timezone.localdate(completion.completed_at)
    assert "Diplom" in text
    assert "Åsa Öberg" in text
    assert "Jämställdhet i vardagen" in text
    assert swedish_date(completed_on) in text
    assert f"Giltigt till {swedish_date(completion.valid_until)}" in text
    assert diploma.display_code in text
    assert "Demokommunen" in text
    assert f"/verify/{diploma.display_code}/" in text


def test_verify_without_login_confirms_the_diploma(client, holder, equality_course, complete):
    completion, _ = complete(holder, equality_course)
    diploma = completion.diploma
    response = client.get(f"/verify/{diploma.display_code}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Åsa Öberg" in body
    assert "Jämställdhet i vardagen" in body
    assert swedish_date(timezone.localdate(completion.completed_at)) in body
    assert swedish_date(completion.valid_until) in body
    assert "Giltigt" in body
    assert 'name="robots" content="noindex' in body
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    # Nothing more than the diploma: no email, no username, no unit.
    assert holder.email not in body and holder.username not in body


def test_code_is_matched_in_any_case_with_spaces_and_dashes(
    client, holder, equality_course, complete
):
    completion, _ = complete(holder, equality_course)
    code = completion.diploma.code
    typed = " ".join([code[:4].lower(), code[4:8], code[8:12] + "-" + code[12:]])
    response = client.get("/verify/", {"code": typed})
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200


def test_revoked_code_says_revoked(client, holder, equality_course, complete):
    completion, _ = complete(holder, equality_course)
    services.diploma_revoke(diploma=completion.diploma, user=None, reason="Fel person")
    body = client.get(f"/verify/{completion.diploma.display_code}/").content.decode()
    assert "återkallat" in body.lower()
    assert "Fel person" not in body  # the reason is for HR's log, not the public


def test_expired_code_says_no_longer_valid(client, holder, equality_course, complete, time_machine):
    completion, _ = complete(holder, equality_course)
    time_machine.move_to(timezone.now() + timedelta(days=3 * 366 + 2))
    body = client.get(f"/verify/{completion.diploma.display_code}/").content.decode()
    assert "upphört att gälla" in body


def test_unknown_code_says_unknown(client):
    response = client.get(f"/verify/{codes.display(codes.generate())}/")
    assert response.status_code == 404
    assert "Det finns inget diplom med den koden" in response.content.decode()


def test_thirtieth_request_in_a_minute_is_refused(client, time_machine):
    time_machine.move_to("2026-11-30 10:00:05+00:00", tick=False)  # inside one window
    code = codes.display(codes.generate())
    for _ in range(29):
        assert client.get(f"/verify/{code}/").status_code == 404
    refused = client.get(f"/verify/{code}/")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Vänta" in refused.content.decode()
    assert VERIFY_LIMIT == 29
    # The next window starts afresh.
    time_machine.move_to("2026-11-30 10:01:01+00:00", tick=False)
    assert client.get(f"/verify/{code}/").status_code == 404
    # Another address is not affected.
    assert client.get(f"/verify/{code}/", REMOTE_ADDR="10.9.9.9").status_code == 404


def test_codes_have_at_least_64_bits_and_do_not_collide():
    assert len(codes.ALPHABET) == len(set(codes.ALPHABET)) == 32
    assert len(codes.ALPHABET) ** codes.LENGTH >= 2**64
    assert codes.bits() >= 64
    generated = [codes.generate() for _ in range(50_000)]
    assert len(set(generated)) == len(generated)
    assert all(len(c) == codes.LENGTH and set(c) <= set(codes.ALPHABET) for c in generated)
    # Every symbol is used about evenly (secrets.choice over the whole alphabet).
    counts = {ch: 0 for ch in codes.ALPHABET}
    for code in generated:
        for ch in code:
            counts[ch] += 1
    expected = len(generated) * codes.LENGTH / 32
    assert all(abs(n - expected) < 6 * math.sqrt(expected) for n in counts.values())


def test_code_generator_uses_secrets():
    with mock.patch("diplomas.codes.secrets.choice", return_value="7") as choice:
        assert codes.generate() == "7" * codes.LENGTH
    assert choice.call_count == codes.LENGTH
