"""`{{ value|datum }}`: a date in the site's one Swedish format, local time; `|datum:"tid"`
adds the time. For templates that used to spell out their own formats."""

from __future__ import annotations

import datetime

from django import template
from django.utils import formats, timezone

register = template.Library()


@register.filter
def datum(value, style: str = "") -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            return value
    with_time = style == "tid" and isinstance(value, datetime.datetime)
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "DATETIME_FORMAT" if with_time else "DATE_FORMAT")
