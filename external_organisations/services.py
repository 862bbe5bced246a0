"""Writes for external organisations: register, confirm, decide, invite, accept, award, leave.

Every service runs in one transaction and either does all it says or nothing; refusals raise
ExternalError with a message for people, in the active language (Swedish by default).
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from diplomas import codes
from progress.models import Completion

from .models import (
    ACTIVE_STATUSES,
    CourseOffering,
    ExternalOrganisation,
    Invitation,
    Membership,
    OrganisationAward,
    Status,
)

logger = logging.getLogger(__name__)

CONFIRM_SALT = "external_organisations.confirm"
CONFIRM_MAX_AGE = 48 * 3600  # two days: long enough for a weekend, short enough to go stale
INVITATION_DAYS = 14
# One request may invite this many addresses: a whole association, not a mailing list.
MAX_INVITATIONS_PER_REQUEST = 200
# An organisation has at most this many open invitations at a time.
MAX_OPEN_INVITATIONS = 1000
_ADDRESS_SPLIT = re.compile(r"[\s,;]+")


class ExternalError(Exception):
    """A refusal; `str(error)` is the message for the person who asked."""


def _absolute(path: str) -> str:
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "") or "http://localhost:8000"
    return base.rstrip("/") + path


def _mail(*, to: str, subject: str, template: str, context: dict) -> None:
    body = render_to_string(f"external_organisations/email/{template}.txt", context)
    # Sent after commit: a rollback never leaves a mail about something that did not happen.
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to], fail_silently=False)
    )


# Registration -------------------------------------------------------------------------------


def confirmation_token(organisation: ExternalOrganisation) -> str:
    # The email is signed in: a token never confirms an address it was not sent to.
    return signing.dumps({"o": organisation.pk, "e": organisation.contact_email}, salt=CONFIRM_SALT)


@transaction.atomic
def registration_submit(
    *, name: str, org_number: str, contact_name: str, contact_email: str, consent: bool
) -> ExternalOrganisation | None:
    """Register an organisation (org_number already normalised by the form).

    The answer on the page is the same whatever happens here (no enumeration): a duplicate is
    told apart only in the mail to the address given, which its owner reads.
    """
    email = contact_email.strip().lower()
    clash = (
        ExternalOrganisation.objects.select_for_update()
        .filter(status__in=ACTIVE_STATUSES)
        .filter(models_q_org_or_email(org_number, email))
        .first()
    )
    if clash is not None:
        _mail(
            to=email,
            subject=_("Your registration was not saved"),
            template="duplicate",
            context={"name": name, "same_email": clash.contact_email == email},
        )
        return None
    organisation = ExternalOrganisation(
        name=name.strip(),
        org_number=org_number,
        contact_name=contact_name.strip(),
        contact_email=email,
        public_listing_consent=consent,
    )
    organisation.full_clean()
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError:  # a simultaneous registration won the unique index
        return None
    link = _absolute(reverse("external:confirm", args=[confirmation_token(organisation)]))
    _mail(
        to=email,
        subject=_("Confirm your organisation's registration"),
        template="confirm",
        context={"organisation": organisation, "link": link, "hours": CONFIRM_MAX_AGE // 3600},
    )
    return organisation


def models_q_org_or_email(org_number: str, email: str):
    from django.db.models import Q

    return Q(org_number=org_number) | Q(contact_email=email)


@transaction.atomic
def registration_confirm(*, token: str) -> ExternalOrganisation:
    """Confirm the contact's email (once); the registration then waits for a decision."""
    invalid = ExternalError(
        _("The link is invalid, already used or has expired. Register again if you need to.")
    )
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:  # includes SignatureExpired
        raise invalid from None
    organisation = (
        ExternalOrganisation.objects.select_for_update()
        .filter(pk=data.get("o"), contact_email=data.get("e"), status=Status.UNCONFIRMED)
        .first()
    )
    if organisation is None:
        raise invalid
    organisation.status = Status.PENDING
    organisation.email_confirmed_at = timezone.now()
    organisation.save(update_fields=["status", "email_confirmed_at"])
    return organisation


def registrations_expire_unconfirmed(*, now=None) -> int:
    """Unconfirmed registrations older than their link free the number and email again."""
    cutoff = (now or timezone.now()) - timedelta(seconds=CONFIRM_MAX_AGE)
    deleted, _rows = ExternalOrganisation.objects.filter(
        status=Status.UNCONFIRMED, registered_at__lt=cutoff
    ).delete()
    return deleted


# Decision -----------------------------------------------------------------------------------


def _set_password_link(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return _absolute(reverse("password_reset_confirm", args=[uid, token]))


def _external_user(*, email: str, first_name: str = "", last_name: str = ""):
    """A new login for an external person: username is the email; no Person, ever."""
    User = get_user_model()
    if (
        User.objects.filter(username__iexact=email).exists()
        or User.objects.filter(email__iexact=email).exists()
    ):
        raise ExternalError(
            _(
                "There is already an account with the email address %(email)s. Use another "
                "address or contact the municipality's coordinator."
            )
            % {"email": email}
        )
    user = User(username=email, email=email, first_name=first_name, last_name=last_name)
    user.set_unusable_password()
    user.save()
    return user


def _record_decision(organisation: ExternalOrganisation, status: str, user, message: str) -> None:
    organisation.status = status
    organisation.decided_at = timezone.now()
    organisation.decided_by = user
    organisation.decision_message = message.strip()
    organisation.save(update_fields=["status", "decided_at", "decided_by", "decision_message"])


@transaction.atomic
def organisation_approve(*, organisation: ExternalOrganisation, user, message: str = ""):
    organisation = ExternalOrganisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.status != Status.PENDING:
        raise ExternalError(_("Only a registration awaiting a decision can be approved."))
    first, _sep, last = organisation.contact_name.partition(" ")
    contact = _external_user(email=organisation.contact_email, first_name=first, last_name=last)
    Membership.objects.create(organisation=organisation, user=contact, is_contact=True)
    _record_decision(organisation, Status.APPROVED, user, message)
    _mail(
        to=organisation.contact_email,
        subject=_("Your organisation has been approved"),
        template="approved",
        context={
            "organisation": organisation,
            "message": organisation.decision_message,
            "link": _set_password_link(contact),
            "username": contact.username,
            "page_link": _absolute(reverse("external:my_organisation")),
        },
    )
    return organisation


@transaction.atomic
def organisation_decline(*, organisation: ExternalOrganisation, user, message: str):
    organisation = ExternalOrganisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.status != Status.PENDING:
        raise ExternalError(_("Only a registration awaiting a decision can be declined."))
    if not message.strip():
        raise ExternalError(_("Write a message that tells the organisation why."))
    _record_decision(organisation, Status.DECLINED, user, message)
    _mail(
        to=organisation.contact_email,
        subject=_("Your organisation's registration was declined"),
        template="declined",
        context={"organisation": organisation, "message": organisation.decision_message},
    )
    return organisation


# Invitations --------------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class InvitationResult:
    sent: list[str]
    already: list[str]  # already a member or with an open invitation: nothing sent again


def parse_addresses(text: str) -> list[str]:
    """Addresses separated by commas, semicolons, spaces or lines; duplicates once."""
    seen = dict.fromkeys(a.strip().lower() for a in _ADDRESS_SPLIT.split(text or "") if a.strip())
    return list(seen)


@transaction.atomic
def invitations_send(*, organisation: ExternalOrganisation, user, addresses: list[str]):
    organisation = ExternalOrganisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.status != Status.APPROVED:
        raise ExternalError(_("Only an approved organisation can invite members."))
    if not addresses:
        raise ExternalError(_("Write at least one email address."))
    if len(addresses) > MAX_INVITATIONS_PER_REQUEST:
        raise ExternalError(
            _(
                "You can invite at most %(limit)s addresses at a time; you wrote %(count)s. "
                "Split the list and send it in parts."
            )
            % {"limit": MAX_INVITATIONS_PER_REQUEST, "count": len(addresses)}
        )
    invalid = []
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            invalid.append(address)
    if invalid:
        raise ExternalError(
            _("These are not email addresses: %(list)s. Nothing was sent.")
            % {"list": ", ".join(invalid[:10])}
        )
    now = timezone.now()
    open_invitations = Invitation.objects.filter(
        organisation=organisation, accepted_at__isnull=True, expired_at__isnull=True
    )
    if open_invitations.count() + len(addresses) > MAX_OPEN_INVITATIONS:
        raise ExternalError(
            _("Your organisation may have at most %(limit)s open invitations.")
            % {"limit": MAX_OPEN_INVITATIONS}
        )
    # Stale open invitations are expired first, so that the same address can be invited anew.
    open_invitations.filter(expires_at__lt=now).update(expired_at=now)
    taken = set(open_invitations.filter(email__in=addresses).values_list("email", flat=True)) | set(
        Membership.objects.filter(organisation=organisation, user__email__in=addresses).values_list(
            "user__email", flat=True
        )
    )
    sent = []
    for address in addresses:
        if address in taken:
            continue
        token = secrets.token_urlsafe(32)
        Invitation.objects.create(
            organisation=organisation,
            email=address,
            token_hash=_hash(token),
            invited_by=user,
            created_at=now,
            expires_at=now + timedelta(days=INVITATION_DAYS),
        )
        _mail(
            to=address,
            subject=_("%(organisation)s invites you to a course") % {"organisation": organisation},
            template="invitation",
            context={
                "organisation": organisation,
                "link": _absolute(reverse("external:accept", args=[token])),
                "days": INVITATION_DAYS,
            },
        )
        sent.append(address)
    return InvitationResult(sent=sent, already=[a for a in addresses if a in taken])


INVITATION_INVALID = "invalid"


def invitation_by_token(token: str) -> Invitation:
    """The open invitation for a link, or ExternalError (used, expired, unknown look the same)."""
    invitation = (
        Invitation.objects.select_related("organisation")
        .filter(
            token_hash=_hash(token or ""),
            accepted_at__isnull=True,
            expired_at__isnull=True,
            expires_at__gt=timezone.now(),
            organisation__status=Status.APPROVED,
        )
        .first()
    )
    if invitation is None:
        raise ExternalError(
            _(
                "The invitation link is invalid, already used or has expired. Ask your "
                "organisation's contact person for a new invitation."
            )
        )
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, first_name: str, last_name: str, password: str):
    invitation = invitation_by_token(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:  # a second tab submitted first
        raise ExternalError(_("The invitation has already been used."))
    User = get_user_model()
    candidate = User(username=invitation.email, email=invitation.email)
    try:
        validate_password(password, candidate)
    except ValidationError as error:
        raise ExternalError(" ".join(error.messages)) from None
    user = _external_user(
        email=invitation.email, first_name=first_name.strip(), last_name=last_name.strip()
    )
    user.set_password(password)
    user.save(update_fields=["password"])
    Membership.objects.create(organisation=invitation.organisation, user=user)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return user


def invitations_expire(*, now=None) -> int:
    """Mark invitations past their date expired: their links stop working (they did already)."""
    now = now or timezone.now()
    return Invitation.objects.filter(
        accepted_at__isnull=True, expired_at__isnull=True, expires_at__lt=now
    ).update(expired_at=now)


# Award --------------------------------------------------------------------------------------


def _unique_code() -> str:
    from diplomas.models import Diploma

    while True:
        code = codes.generate()
        if not (
            Diploma.objects.filter(code=code).exists()
            or OrganisationAward.objects.filter(code=code).exists()
        ):
            return code


def award_check(*, organisation_id: int, course_id: int) -> OrganisationAward | None:
    """Award the organisation for the course if its offering's criterion is met (once)."""
    from . import selectors

    with transaction.atomic():
        organisation = (
            ExternalOrganisation.objects.select_for_update()
            .filter(pk=organisation_id, status=Status.APPROVED)
            .first()
        )
        offering = (
            CourseOffering.objects.select_related("course")
            .filter(course_id=course_id, active=True)
            .first()
        )
        if organisation is None or offering is None:
            return None
        existing = OrganisationAward.objects.filter(
            organisation=organisation, course_id=course_id
        ).first()
        if existing is not None:
            return existing
        figures = selectors.organisation_figures(organisation=organisation, course_ids=[course_id])
        row = figures[course_id]
        if not offering.is_met(completed=row.completed, invited=row.invited):
            return None
        return OrganisationAward.objects.create(
            organisation=organisation,
            course_id=course_id,
            code=_unique_code(),
            organisation_name=organisation.name,
            course_title=offering.course.title,
        )


def remember_membership(sender, *, request, user, **kwargs) -> None:
    """At login: note in the session whether the user is an external member (see
    selectors.SESSION_KEY), so that every learner page need not ask the database."""
    from .selectors import SESSION_KEY

    if request is None or not hasattr(request, "session"):
        return
    organisation_id = (
        Membership.objects.filter(user=user).values_list("organisation_id", flat=True).first()
    )
    request.session[SESSION_KEY] = organisation_id or 0


def on_course_completed(sender, *, user, completion: Completion, **kwargs) -> None:
    """Signal receiver: a member's completion may be the one that meets the criterion."""
    membership = (
        Membership.objects.filter(user=user, organisation__status=Status.APPROVED)
        .only("organisation_id")
        .first()
    )
    if membership is None:  # employees: nothing to do, and one cheap query
        return
    award_check(organisation_id=membership.organisation_id, course_id=completion.course_id)


def awards_sweep() -> int:
    """Catch criteria met without a completion event (HR lowered a threshold, say)."""
    created = 0
    course_ids = list(
        CourseOffering.objects.filter(active=True).values_list("course_id", flat=True)
    )
    for organisation_id in ExternalOrganisation.objects.filter(status=Status.APPROVED).values_list(
        "pk", flat=True
    ):
        done = set(
            OrganisationAward.objects.filter(organisation_id=organisation_id).values_list(
                "course_id", flat=True
            )
        )
        for course_id in course_ids:
            if course_id not in done and award_check(
                organisation_id=organisation_id, course_id=course_id
            ):
                created += 1
    return created


def award_pdf(award: OrganisationAward) -> bytes:
    """Rendered on request (a small number of awards; nothing to keep in storage)."""
    from diplomas import pdf
    from diplomas import services as diploma_services

    issuer = diploma_services._issuer()
    return pdf.render(
        pdf.DiplomaContent(
            holder_name=award.organisation_name,
            course_title=award.course_title,
            completed_on=timezone.localdate(award.issued_at),
            valid_until=None,
            issuer_name=issuer.issuer_name if issuer else "",
            code=award.display_code,
            verify_url=diploma_services.verify_url(award.code),
            logo=diploma_services._logo_bytes(issuer),
        )
    )


# Leaving and GDPR ---------------------------------------------------------------------------


@transaction.atomic
def organisation_leave(*, organisation: ExternalOrganisation, user) -> ExternalOrganisation:
    """The organisation leaves: members' accounts close, open invitations end, the public
    list no longer shows it (it reads approved organisations only). Records of completed
    courses stay with each member for their register extract."""
    organisation = ExternalOrganisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.status != Status.APPROVED:
        raise ExternalError(_("Only an approved organisation can leave."))
    now = timezone.now()
    get_user_model().objects.filter(external_membership__organisation=organisation).update(
        is_active=False
    )
    Invitation.objects.filter(
        organisation=organisation, accepted_at__isnull=True, expired_at__isnull=True
    ).update(expired_at=now)
    organisation.status = Status.LEFT
    organisation.left_at = now
    organisation.public_listing_consent = False
    organisation.save(update_fields=["status", "left_at", "public_listing_consent"])
    return organisation


def member_anonymise(user) -> None:
    """GDPR: the member's invitations lose the address; the membership goes.

    The organisation's own figures (completed, invited) keep their counts: they are the
    organisation's record, not a person's.
    """
    Invitation.objects.filter(accepted_by=user).update(email=f"anonymiserad-{user.pk}@invalid")
    Membership.objects.filter(user=user).delete()
