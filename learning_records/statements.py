"""Building xAPI 1.0.3 statements: actor, verbs, activities. Pure functions, no database.

- Actor: an account on the organisation's home page whose name is a pseudonym, an HMAC of the
  user id with XAPI_ACTOR_KEY (default: SECRET_KEY). Stable for a person, meaningless outside
  the LMS: never an email address, a name or an employee number. Changing the key changes
  every pseudonym (the LRS then sees new people).
- Verbs from the ADL vocabulary.
- Activity ids: the stable, id-based addresses of courses and modules in API v1 (they do not
  change when a page's title or slug does); a quiz is an activity under its module.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac

from django.conf import settings

VERSION = "1.0.3"
ADL = "http://adlnet.gov/expapi/verbs/"
VERBS = {
    "launched": {"id": ADL + "launched", "display": {"en-US": "launched", "sv-SE": "startade"}},
    "progressed": {
        "id": ADL + "progressed",
        "display": {"en-US": "progressed", "sv-SE": "gick vidare i"},
    },
    "completed": {
        "id": ADL + "completed",
        "display": {"en-US": "completed", "sv-SE": "slutförde"},
    },
    "passed": {"id": ADL + "passed", "display": {"en-US": "passed", "sv-SE": "klarade"}},
    "failed": {"id": ADL + "failed", "display": {"en-US": "failed", "sv-SE": "klarade inte"}},
}
COURSE_TYPE = "http://adlnet.gov/expapi/activities/course"
MODULE_TYPE = "http://adlnet.gov/expapi/activities/module"
ASSESSMENT_TYPE = "http://adlnet.gov/expapi/activities/assessment"


def home_page() -> str:
    return (settings.XAPI_HOME_PAGE or settings.WAGTAILADMIN_BASE_URL).rstrip("/")


def actor_name(user_id: int) -> str:
    key = (settings.XAPI_ACTOR_KEY or settings.SECRET_KEY).encode()
    return hmac.new(key, f"lms-user:{user_id}".encode(), hashlib.sha256).hexdigest()[:32]


def actor(user_id: int) -> dict:
    return {
        "objectType": "Agent",
        "account": {"homePage": home_page(), "name": actor_name(user_id)},
    }


def course_id(course_pk: int) -> str:
    return f"{home_page()}/api/v1/courses/{course_pk}"


def module_id(course_pk: int, module_pk: int) -> str:
    return f"{course_id(course_pk)}/modules/{module_pk}"


def quiz_id(course_pk: int, module_pk: int, quiz_pk: int) -> str:
    return f"{module_id(course_pk, module_pk)}/quizzes/{quiz_pk}"


def activity(activity_id: str, kind: str, title: str) -> dict:
    return {
        "objectType": "Activity",
        "id": activity_id,
        "definition": {"type": kind, "name": {"sv-SE": title}},
    }


def timestamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def build(
    *,
    statement_id: str,
    user_id: int,
    verb: str,
    obj: dict,
    moment: datetime.datetime,
    result: dict | None = None,
    parents: list[dict] | None = None,
) -> dict:
    statement = {
        "id": statement_id,
        "version": VERSION,
        "actor": actor(user_id),
        "verb": VERBS[verb],
        "object": obj,
        "timestamp": timestamp(moment),
        "context": {"platform": "Normkritik LMS", "language": "sv-SE"},
    }
    if parents:
        statement["context"]["contextActivities"] = {"parent": parents}
    if result is not None:
        statement["result"] = result
    return statement
