from django.http import HttpRequest

from lms.context_processors import remembered_flag

from .selectors import contact_organisation

# The "My organisation" link may lag a change of contact person by this long; the page itself
# always checks.
NAV_CACHE_SECONDS = 600
SESSION_KEY = "external_is_contact"


def navigation(request: HttpRequest) -> dict:
    """`is_organisation_contact` for the site navigation ("My organisation")."""
    return {
        "is_organisation_contact": remembered_flag(
            request,
            SESSION_KEY,
            lambda user: contact_organisation(user) is not None,
            NAV_CACHE_SECONDS,
        )
    }
