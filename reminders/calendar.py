"""When reminder emails may be sent: weekdays, within the send hours, never on a holiday.

Swedish public holidays come from the `holidays` package, with the days the Annual Leave Act
(semesterlagen 7 §) treats as Sundays: midsommarafton, julafton and nyårsafton.
"""

from __future__ import annotations

import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.utils import timezone


@lru_cache(maxsize=64)
def _holidays(country: str, year: int) -> frozenset[datetime.date]:
    days = holidays.country_holidays(
        country, years=year, categories=(holidays.PUBLIC, holidays.DE_FACTO)
    )
    return frozenset(days)


def is_holiday(day: datetime.date) -> bool:
    return day in _holidays(settings.REMINDER_HOLIDAY_COUNTRY, day.year)


def is_send_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and not is_holiday(day)


def next_send_day(day: datetime.date) -> datetime.date:
    """The first day on or after `day` on which emails go out."""
    while not is_send_day(day):
        day += datetime.timedelta(days=1)
    return day


def local(now: datetime.datetime | None = None) -> datetime.datetime:
    return timezone.localtime(now or timezone.now(), ZoneInfo(settings.REMINDER_TIME_ZONE))


def in_send_window(now: datetime.datetime | None = None) -> bool:
    moment = local(now)
    start, end = settings.REMINDER_SEND_HOURS
    return is_send_day(moment.date()) and start <= moment.hour < end


def iso_week(day: datetime.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"
