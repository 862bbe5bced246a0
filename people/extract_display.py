"""The register extract as a person reads it: Swedish labels, local dates, lists, tables.

The extract itself (people.gdpr) keeps machine-readable keys and ISO timestamps for the JSON
download. This module only presents it, generically: any section another app registers later
renders readably too, through its provider's `labels`, the shared label map below, or a
humanised and translated key as the last resort.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import pgettext_lazy as _p

CTX = "register extract"

# Shared labels: a key means the same in every section unless a section says otherwise.
LABELS = {
    "username": _p(CTX, "User name"),
    "first_name": _p(CTX, "First name"),
    "last_name": _p(CTX, "Last name"),
    "email": _p(CTX, "Email address"),
    "date_joined": _p(CTX, "Account created"),
    "last_login": _p(CTX, "Last logged in"),
    "employee_number": _p(CTX, "Employee number"),
    "unit": _p(CTX, "Unit"),
    "position_title": _p(CTX, "Position"),
    "manager": _p(CTX, "Manager"),
    "start_date": _p(CTX, "Employed from"),
    "end_date": _p(CTX, "Employed until"),
    "sex": _p(CTX, "Sex"),
    "module": _p(CTX, "Module"),
    "modules": _p(CTX, "Modules"),
    "film": _p(CTX, "Film"),
    "seconds_played": _p(CTX, "Seconds played"),
    "watched": _p(CTX, "Watched"),
    "transcript_read": _p(CTX, "Transcript read"),
    "answer": _p(CTX, "Answer"),
    "answers": _p(CTX, "Answers"),
    "saved": _p(CTX, "Saved"),
    "quiz": _p(CTX, "Quiz"),
    "attempt": _p(CTX, "Attempt number"),
    "started": _p(CTX, "Started"),
    "submitted": _p(CTX, "Submitted"),
    "score_percent": _p(CTX, "Score (percent)"),
    "passed": _p(CTX, "Passed"),
    "course": _p(CTX, "Course"),
    "round": _p(CTX, "Round"),
    "completed": _p(CTX, "Completed"),
    "valid_until": _p(CTX, "Valid until"),
    "valid_from": _p(CTX, "Valid from"),
    "assigned_at": _p(CTX, "Assigned"),
    "due_on": _p(CTX, "Due date"),
    "state": _p(CTX, "Status"),
    "status": _p(CTX, "Status"),
    "ended_at": _p(CTX, "Ended"),
    "exempted_at": _p(CTX, "Exempted"),
    "exemption_reason": _p(CTX, "Reason for the exemption"),
    "kind": _p(CTX, "Kind"),
    "decided_at": _p(CTX, "Decided"),
    "email_day": _p(CTX, "Email day"),
    "email_status": _p(CTX, "Email status"),
    "email_sent_at": _p(CTX, "Email sent"),
    "people_listed": _p(CTX, "People in the summary"),
    # Keys other apps are likely to use (diplomas, renewal), so that they read well at once.
    "code": _p(CTX, "Verification code"),
    "verification_code": _p(CTX, "Verification code"),
    "verify_url": _p(CTX, "Verification address"),
    "issued_at": _p(CTX, "Issued"),
    "revoked_at": _p(CTX, "Revoked"),
    "revocation_reason": _p(CTX, "Reason for revoking"),
    "revoked_reason": _p(CTX, "Reason for revoking"),
    "renewal": _p(CTX, "Renewal"),
    "is_renewal": _p(CTX, "Renewal"),
    "renewal_due": _p(CTX, "Renew by"),
    "renew_by": _p(CTX, "Renew by"),
    "expired_at": _p(CTX, "Expired"),
    "created_at": _p(CTX, "Created"),
    "updated_at": _p(CTX, "Changed"),
    "title": _p(CTX, "Title"),
    "name": _p(CTX, "Name"),
    "reason": _p(CTX, "Reason"),
    "date": _p(CTX, "Date"),
}

# Keys whose value is a mapping of content (a quiz's questions to the chosen answers), not
# of fields: its keys are shown as written.
CONTENT_MAPS = {"answers"}

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?$"
)
FIELD_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


def label_for(key: str, section_labels: dict | None = None) -> str:
    """The Swedish label for a key: the section's own, the shared one, or the key humanised.

    The humanised fallback goes through the translations too, and never shows underscores.
    """
    if section_labels and key in section_labels:
        return str(section_labels[key])
    if key in LABELS:
        return str(LABELS[key])
    human = key.replace("_", " ").strip().capitalize()
    return gettext(human)


def _format_scalar(value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, float):
        shown = round(value, 1)
        return formats.number_format(int(shown) if shown.is_integer() else shown, use_l10n=True)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return _format_datetime(value)
    if isinstance(value, date):
        return formats.date_format(value, "DATE_FORMAT")
    text = str(value)
    if ISO_DATE.match(text):
        try:
            return formats.date_format(date.fromisoformat(text), "DATE_FORMAT")
        except ValueError:
            return text
    if ISO_DATETIME.match(text):
        try:
            return _format_datetime(datetime.fromisoformat(text.replace("Z", "+00:00")))
        except ValueError:
            return text
    return text


def _format_datetime(value: datetime) -> str:
    # Local time (Europe/Stockholm), to the minute: no UTC offsets, no microseconds.
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "DATETIME_FORMAT")


@dataclass
class Section:
    key: str
    title: str
    rows: list[SafeString] = field(default_factory=list)


def render_value(value, *, labels: dict | None = None, content: bool = False) -> SafeString:
    """One value as HTML: text, a list, a definition list or a table (escaped throughout)."""
    if isinstance(value, dict):
        return render_fields(value, labels=labels, content=content)
    if isinstance(value, list | tuple):
        if not value:
            return format_html("{}", gettext("None recorded"))
        if all(isinstance(v, dict) for v in value):
            return render_table(value, labels=labels)
        return format_html(
            '<ul class="extract-list">{}</ul>',
            format_html_join("", "<li>{}</li>", ((render_value(v, labels=labels),) for v in value)),
        )
    return format_html("{}", _format_scalar(value))


def render_fields(
    row: dict, *, labels: dict | None = None, content: bool = False, values: dict | None = None
) -> SafeString:
    """A mapping as a definition list: labelled fields, or content keys (questions) as written.
    `values` maps a field's stored values (codes such as "valid") to what people read."""
    items = []
    for key, value in row.items():
        is_field = not content and isinstance(key, str) and FIELD_KEY.match(key)
        term = label_for(key, labels) if is_field else str(key)
        if is_field and values and isinstance(value, str) and value in values.get(key, {}):
            value = str(values[key][value])
        shown = render_value(value, labels=labels, content=is_field and key in CONTENT_MAPS)
        if content and isinstance(value, list) and not value:
            shown = format_html("{}", gettext("No answer"))
        items.append((term, shown))
    if not items:
        return format_html("{}", gettext("None recorded"))
    return format_html(
        '<dl class="facts">{}</dl>', format_html_join("", "<dt>{}</dt><dd>{}</dd>", items)
    )


def render_table(rows: list[dict], *, labels: dict | None = None) -> SafeString:
    keys: list[str] = []
    for row in rows:
        keys += [k for k in row if k not in keys]
    head = format_html_join("", '<th scope="col">{}</th>', ((label_for(k, labels),) for k in keys))
    body = format_html_join(
        "",
        "<tr>{}</tr>",
        (
            (
                format_html_join(
                    "", "<td>{}</td>", ((render_value(row.get(k), labels=labels),) for k in keys)
                ),
            )
            for row in rows
        ),
    )
    return format_html(
        '<div class="table-wrap"><table class="extract-table"><thead><tr>{}</tr></thead>'
        "<tbody>{}</tbody></table></div>",
        head,
        body,
    )


def readable_extract(extract: dict, providers: dict) -> tuple[str, list[Section]]:
    """The extract's date and its sections, each row rendered for people."""
    sections = []
    for key, rows in extract["sections"].items():
        provider = providers.get(key)
        title = str(provider.title) if provider else gettext("You")
        labels = getattr(provider, "labels", None) or {}
        values = getattr(provider, "values", None) or {}
        sections.append(
            Section(
                key=key,
                title=title,
                rows=[render_fields(row, labels=labels, values=values) for row in rows],
            )
        )
    return _format_scalar(extract["created"]), sections
