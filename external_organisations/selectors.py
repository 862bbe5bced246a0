"""Reads for external organisations: who is external, which courses they may take, progress."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from lms import content_cache
from lms.compiled_query import CompiledQuery, fields_of
from people.selectors import is_hr
from progress.models import Completion, CourseProgress

from .models import (
    CourseOffering,
    ExternalOrganisation,
    Invitation,
    Membership,
    OrganisationAward,
    Status,
)

COORDINATOR_PERMISSION = "external_organisations.change_externalorganisation"


def membership_of(user) -> Membership | None:
    """The user's membership (any status), cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_external_membership_cache"):
        user._external_membership_cache = (
            Membership.objects.select_related("organisation").filter(user=user).first()
        )
    return user._external_membership_cache


def is_external(user) -> bool:
    return membership_of(user) is not None


def contact_organisation(user) -> ExternalOrganisation | None:
    """The approved organisation this user is the contact person of."""
    membership = membership_of(user)
    if membership is None or not membership.is_contact:
        return None
    if membership.organisation.status != Status.APPROVED:
        return None
    return membership.organisation


def offered_course_ids() -> set[int]:
    return set(CourseOffering.objects.filter(active=True).values_list("course_id", flat=True))


def course_open_to(user, course_id: int) -> bool:
    """Employees: every course (their own rules apply). External members: offered ones only."""
    if not is_external(user):
        return True
    return course_id in offered_course_ids()


def may_coordinate(user) -> bool:
    """HR and external coordinators (a permission, see lms/roles.py) decide registrations."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or is_hr(user) or user.has_perm(COORDINATOR_PERMISSION))
    )


@dataclass
class OfferingProgress:
    offering: CourseOffering | None
    invited: int = 0
    started: int = 0
    completed: int = 0
    award: OrganisationAward | None = None

    @property
    def met(self) -> bool:
        if self.award is not None:
            return True
        return self.offering is not None and self.offering.is_met(
            completed=self.completed, invited=self.invited
        )


def organisation_figures(
    *, organisation: ExternalOrganisation, course_ids: list[int]
) -> dict[int, OfferingProgress]:
    """Invited, started and completed per course, in a fixed number of queries.

    Invited counts every invitation the organisation sent (accepted, open or expired) plus
    the contact person: "50 % of invited members" means of everyone asked to take part.
    """
    invited = Invitation.objects.filter(organisation=organisation).count() + 1
    # A join from the membership (indexed by organisation) into the progress tables' (user,
    # course) indexes: the organisation's few hundred rows, never a scan of the millions.
    members = {"user__external_membership__organisation_id": organisation.pk}
    started = dict(
        CourseProgress.objects.filter(course_id__in=course_ids, **members)
        .values("course_id")
        .annotate(n=Count("user_id", distinct=True))
        .values_list("course_id", "n")
    )
    completed = dict(
        Completion.objects.filter(course_id__in=course_ids, **members)
        .values("course_id")
        .annotate(n=Count("user_id", distinct=True))
        .values_list("course_id", "n")
    )
    return {
        course_id: OfferingProgress(
            offering=None,
            invited=invited,
            started=started.get(course_id, 0),
            completed=completed.get(course_id, 0),
        )
        for course_id in course_ids
    }


def _member_count(model, organisation_id: int) -> Coalesce:
    """Distinct members of the organisation with a row of `model` for the offering's course."""
    rows = (
        model.objects.filter(
            course_id=OuterRef("course_id"),
            # IN (the members' ids): the progress tables' (user, course) index per member.
            user_id__in=Membership.objects.filter(organisation_id=organisation_id).values(
                "user_id"
            ),
        )
        .order_by()
        .values("course_id")
        .annotate(n=Count("user_id", distinct=True))
        .values("n")[:1]
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def _offerings_with_counts(_key, *, organisation_id: int) -> QuerySet:
    invited = (
        Invitation.objects.filter(organisation_id=organisation_id)
        .order_by()
        .values("organisation_id")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return (
        CourseOffering.objects.filter(active=True)
        .annotate(
            n_started=_member_count(CourseProgress, organisation_id),
            n_completed=_member_count(Completion, organisation_id),
            # Everyone invited, and the contact person (see organisation_figures).
            n_invited=Coalesce(Subquery(invited, output_field=IntegerField()), 0) + 1,
        )
        .values_list(*fields_of(CourseOffering), "n_started", "n_completed", "n_invited")
    )


# Built and compiled once per process (lms.compiled_query); the organisation is the placeholder.
_OFFERINGS = CompiledQuery(CourseOffering, _offerings_with_counts, names=("organisation_id",))


def organisation_progress(*, organisation: ExternalOrganisation) -> list[OfferingProgress]:
    """The contact's page: one row per course opened to external organisations.

    Two queries whatever the number of members or courses: the offerings with their counts
    (correlated subqueries through the membership's index), and the awards.
    """
    offerings = _OFFERINGS.instances("", organisation_id=organisation.pk)
    # The courses' titles and addresses change only on publish: from the content cache, not
    # joined (a course page row is some forty columns for the ORM to read).
    courses = content_cache.courses([o.course_id for o in offerings])
    for offering in offerings:
        offering.course = courses[offering.course_id]
    offerings.sort(key=lambda o: (o.course.title.casefold(), o.course_id))
    awards = {
        a.course_id: a
        for a in OrganisationAward.objects.filter(
            organisation=organisation, revoked_at__isnull=True
        )
    }
    return [
        OfferingProgress(
            offering=offering,
            invited=offering.n_invited,
            started=offering.n_started,
            completed=offering.n_completed,
            award=awards.get(offering.course_id),
        )
        for offering in offerings
    ]


def invitations_of(organisation: ExternalOrganisation) -> QuerySet[Invitation]:
    return Invitation.objects.filter(organisation=organisation).order_by("-created_at")


def public_awards() -> QuerySet[OrganisationAward]:
    """Awards of organisations that are approved and consented: name, year and course."""
    return (
        OrganisationAward.objects.filter(
            revoked_at__isnull=True,
            organisation__status=Status.APPROVED,
            organisation__public_listing_consent=True,
        )
        .select_related("organisation")
        .order_by("-issued_at", "organisation_name")
    )


def award_by_code(code: str) -> OrganisationAward | None:
    from diplomas import codes

    normal = codes.normalise(code)
    if normal is None:
        return None
    return OrganisationAward.objects.select_related("organisation").filter(code=normal).first()


def award_of_contact(user, award_id: int) -> OrganisationAward | None:
    organisation = contact_organisation(user)
    if organisation is None:
        return None
    return OrganisationAward.objects.filter(pk=award_id, organisation=organisation).first()


# Whether the logged-in user is an external member, written into the session at login
# (receivers.remember_membership): learner pages then ask no extra query for employees.
SESSION_KEY = "external_organisation_id"


def is_external_request(request) -> bool:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    session = getattr(request, "session", None)
    if session is not None and SESSION_KEY in session:
        return bool(session[SESSION_KEY])
    return is_external(user)  # a session from before this feature: ask the database


def courses_for(request, courses: list) -> list:
    """The catalogue's courses a user may take: external members see offered ones only."""
    if not is_external_request(request):
        return courses
    offered = offered_course_ids()
    return [c for c in courses if c.pk in offered]


def page_open_to_external(page, request) -> bool:
    """A course page or a page inside a course: open to an external member if offered."""
    if not is_external_request(request):
        return True
    from courses.models import CoursePage

    page = page.specific  # only for external members: employees never pay for it
    if isinstance(page, CoursePage):
        course_id = page.pk
    else:
        course_id = CoursePage.objects.ancestor_of(page).values_list("pk", flat=True).first()
    return course_id is None or course_id in offered_course_ids()
