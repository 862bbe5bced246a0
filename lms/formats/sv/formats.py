"""One Swedish date format on every page people read (learner pages, Min enhet, HR tables):
"3 december 2026", with the time as "3 december 2026 14:05". Exports write ISO dates in
code, not through these formats."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y H:i"
MONTH_DAY_FORMAT = "j F"
TIME_FORMAT = "H:i"
