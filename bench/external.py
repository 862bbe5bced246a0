"""External organisations: the contact's progress page at scale, next to hand-written SQL.

An approved organisation of MEMBERS members, half of whom completed the offered courses, in
the synthetic municipality (whose employees' ~millions of progress rows share the tables).
`selectors.organisation_progress` (the offerings with correlated counts, then the awards: two
queries) against one SQL statement that computes the same counts. Target 2 (the issue sets
none).

Run after `municipality.generate(...)`: `from bench import external; external.run()`.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from courses.models import CoursePage
from external_organisations import selectors
from external_organisations.models import (
    CourseOffering,
    ExternalOrganisation,
    Invitation,
    Membership,
    Status,
)
from progress.models import Completion, CourseProgress

from .harness import measure, report

TARGET_RATIO = 2.0
MEMBERS = 500
COURSES = 3

BASELINE_SQL = """
WITH members AS (
    SELECT user_id FROM external_organisations_membership WHERE organisation_id = %(org)s
), offered AS (
    SELECT course_id FROM external_organisations_courseoffering WHERE active
)
SELECT o.course_id,
       (SELECT COUNT(*) + 1 FROM external_organisations_invitation
         WHERE organisation_id = %(org)s) AS invited,
       (SELECT COUNT(DISTINCT p.user_id) FROM progress_courseprogress p
         WHERE p.course_id = o.course_id AND p.user_id IN (SELECT user_id FROM members)) AS started,
       (SELECT COUNT(DISTINCT c.user_id) FROM progress_completion c
         WHERE c.course_id = o.course_id AND c.user_id IN (SELECT user_id FROM members)) AS done
FROM offered o
"""


@transaction.atomic
def _organisation() -> ExternalOrganisation:
    now = timezone.now()
    organisation = ExternalOrganisation.objects.create(
        name="Bänkföreningen",
        org_number="8024713370",
        contact_name="Bänk Kontakt",
        contact_email="kontakt@bank.example",
        status=Status.APPROVED,
    )
    courses = list(CoursePage.objects.order_by("pk")[:COURSES])
    for course in courses:
        CourseOffering.objects.get_or_create(course=course, defaults={"min_members": 10_000})
    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=f"bench-ext-{n}", email=f"bench-ext-{n}@x.example") for n in range(MEMBERS)]
    )
    Membership.objects.bulk_create(
        [
            Membership(organisation=organisation, user=u, is_contact=(n == 0))
            for n, u in enumerate(users)
        ]
    )
    Invitation.objects.bulk_create(
        [
            Invitation(
                organisation=organisation,
                email=u.email,
                token_hash=f"bench{n:059d}",
                expires_at=now,
                accepted_at=now,
                accepted_by=u,
            )
            for n, u in enumerate(users)
        ]
    )
    for course in courses:
        progress = CourseProgress.objects.bulk_create(
            [
                CourseProgress(user=u, course_id=course.pk, started_at=now, completed_at=now)
                for u in users[: MEMBERS // 2]
            ]
        )
        Completion.objects.bulk_create(
            [
                Completion(
                    user_id=p.user_id, course_id=course.pk, course_progress=p, completed_at=now
                )
                for p in progress
            ]
        )
    return organisation


def run() -> None:
    organisation = _organisation()
    with connection.cursor() as cursor:  # fresh statistics for the rows just written
        cursor.execute("ANALYZE")

    def ours() -> None:
        rows = selectors.organisation_progress(organisation=organisation)
        assert rows and all(r.completed == MEMBERS // 2 for r in rows)

    def baseline() -> None:
        with connection.cursor() as cursor:
            cursor.execute(BASELINE_SQL, {"org": organisation.pk})
            rows = cursor.fetchall()
        assert rows and all(r[3] == MEMBERS // 2 for r in rows)

    report(
        f"external: contact's progress page ({MEMBERS} members, {COURSES} courses)",
        measure(ours, repeat=5),
        measure(baseline, repeat=5),
        target=TARGET_RATIO,
    )
