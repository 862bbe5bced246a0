from django.http import HttpRequest

from lms.context_processors import remembered_flag

from .selectors import manages_a_unit

# The "My unit" link may lag a change of managers by this long; /min-enhet/ itself always
# reads the current units.
NAV_CACHE_SECONDS = 600
SESSION_KEY = "reports_manages_units"


def navigation(request: HttpRequest) -> dict:
    """`manages_units` for the site navigation ("My unit", "Workplace meetings")."""
    return {
        "manages_units": remembered_flag(request, SESSION_KEY, manages_a_unit, NAV_CACHE_SECONDS)
    }
