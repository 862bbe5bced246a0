"""Writes for the organisation and people: imports, anonymisation."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import gdpr, importing
from .models import AnonymisationRun, EmployeeImport, ImportStatus, Person

logger = logging.getLogger(__name__)


RUNNING = (ImportStatus.PENDING, ImportStatus.CHECKING, ImportStatus.APPLYING)


class _AlreadyEnded(Exception):
    """The import was ended (as stuck) while it was being applied: undo the changes."""


def _progress_saver(employee_import: EmployeeImport):
    def save(done: int, total: int) -> None:
        EmployeeImport.objects.filter(pk=employee_import.pk).update(
            rows_done=done, rows_total=total
        )

    return save


def _plan(employee_import: EmployeeImport) -> importing.ImportPlan:
    employee_import.file.open("rb")
    try:
        content = employee_import.file.read()
    finally:
        employee_import.file.close()
    raw = importing.read_rows(content, employee_import.original_name)
    return importing.plan_import(raw, progress=_progress_saver(employee_import))


def _failure_message(error: BaseException) -> str:
    if isinstance(error, SoftTimeLimitExceeded):
        return _(
            "The import took longer than its time limit and was stopped; nothing was changed. "
            "Upload the file again; if it happens again, ask the system administrator."
        )
    if isinstance(error, MemoryError):
        return _(
            "The server ran out of memory during the import, which was stopped; nothing was "
            "changed."
        )
    if isinstance(error, (OperationalError, InterfaceError)):  # not a constraint or a bug
        return _(
            "The connection to the database was lost during the import; nothing was changed. "
            "Upload the file again."
        )
    return _(
        "The import stopped because of an unexpected error; nothing was changed. Upload the "
        "file again; if it happens again, ask the system administrator."
    )


def _end_import(import_id: int, *, status: str, errors: list[str], expected) -> None:
    """Record how an import ended, on a working connection, in a transaction of its own.

    Only an import still in one of the `expected` states is changed: one that the stuck-import
    task has already ended keeps that ending.
    """
    if not connection.in_atomic_block:
        # The failure may have been the connection itself (lost, or killed during apply):
        # closing it makes the next query open a new one.
        connection.close()
    try:
        with transaction.atomic():
            EmployeeImport.objects.filter(pk=import_id, status__in=expected).update(
                status=status, errors=errors, status_changed_at=timezone.now()
            )
    except DatabaseError:
        # The database is still out of reach; employee_imports_end_stuck ends it later.
        logger.exception("could not record the end of employee import %s", import_id)


def employee_import_check(*, employee_import: EmployeeImport) -> EmployeeImport:
    """Dry run: read and check the file, store the preview. Writes nothing else.

    Every way this can end is written down: preview, invalid (with the file's errors) or
    failed (with why); nothing is left "checking".
    """
    pk = employee_import.pk
    claimed = EmployeeImport.objects.filter(pk=pk, status=ImportStatus.PENDING).update(
        status=ImportStatus.CHECKING, status_changed_at=timezone.now()
    )
    if not claimed:  # checked already (a repeated task), or ended as stuck meanwhile
        employee_import.refresh_from_db()
        return employee_import
    try:
        try:
            plan = _plan(employee_import)
        except importing.ImportFileError as error:
            fields = {"status": ImportStatus.INVALID, "errors": [str(error)]}
        else:
            fields = {
                "status": ImportStatus.PREVIEW if plan.ok else ImportStatus.INVALID,
                "errors": importing.errors_as_text(plan.errors[:500]),
                "summary": plan.summary(),
                "rows_total": len(plan.rows),
                "rows_done": len(plan.rows),
            }
        EmployeeImport.objects.filter(pk=pk, status=ImportStatus.CHECKING).update(
            **fields, status_changed_at=timezone.now()
        )
    except Exception as error:
        logger.exception("employee import %s: the check failed", pk)
        _end_import(
            pk,
            status=ImportStatus.FAILED,
            errors=[_failure_message(error)],
            expected=[ImportStatus.CHECKING],
        )
    employee_import.refresh_from_db()
    return employee_import


def employee_import_apply(*, employee_import: EmployeeImport, user) -> EmployeeImport:
    """Apply a checked import, all or nothing. The file is checked again against today's data.

    Ends as applied, invalid (the data changed since the check; nothing applied) or failed
    (with why; nothing applied). Raises ValueError only for an import that is not ready.
    """
    with transaction.atomic():
        locked = EmployeeImport.objects.select_for_update().get(pk=employee_import.pk)
        # Only a checked import, once: a second click or a second task finds it claimed.
        if locked.status != ImportStatus.PREVIEW:
            raise ValueError(
                _("This import cannot be applied (status: %(status)s).")
                % {"status": locked.get_status_display()}
            )
        locked.status = ImportStatus.APPLYING
        locked.applied_by = user
        locked.status_changed_at = timezone.now()
        locked.save(update_fields=["status", "applied_by", "status_changed_at"])
    try:
        plan = _plan(locked)
        if not plan.ok:
            _end_import(
                locked.pk,
                status=ImportStatus.INVALID,
                errors=importing.errors_as_text(plan.errors[:500]),
                expected=[ImportStatus.APPLYING],
            )
        else:
            with transaction.atomic():
                summary = importing.apply_plan(plan)
                # "Applied" is written in the same transaction as the changes, so it is true
                # exactly when they are there; an import ended as stuck meanwhile stays unapplied.
                now = timezone.now()
                finished = EmployeeImport.objects.filter(
                    pk=locked.pk, status=ImportStatus.APPLYING
                ).update(
                    status=ImportStatus.APPLIED,
                    summary={**locked.summary, **summary, "applied": True},
                    applied_at=now,
                    status_changed_at=now,
                )
                if not finished:
                    raise _AlreadyEnded
    except importing.ImportFileError as error:
        _end_import(
            locked.pk,
            status=ImportStatus.INVALID,
            errors=[str(error)],
            expected=[ImportStatus.APPLYING],
        )
    except Exception as error:
        logger.exception("employee import %s: applying failed", locked.pk)
        _end_import(
            locked.pk,
            status=ImportStatus.FAILED,
            errors=[_failure_message(error)],
            expected=[ImportStatus.APPLYING],
        )
    locked.refresh_from_db()
    return locked


def employee_imports_end_stuck() -> int:
    """End imports waiting, checking or applying for longer than a worker may run on them.

    Their worker was killed (hard time limit, memory, a restart) or their task was lost. An
    apply still running is not committed afterwards (it writes "applied" only over "applying").
    """
    minutes = settings.EMPLOYEE_IMPORT_STUCK_MINUTES
    now = timezone.now()
    return EmployeeImport.objects.filter(
        status__in=RUNNING, status_changed_at__lt=now - timedelta(minutes=minutes)
    ).update(
        status=ImportStatus.FAILED,
        errors=[
            _(
                "The import did not finish within %(minutes)s minutes and was stopped; nothing "
                "was changed. Upload the file again to try once more."
            )
            % {"minutes": minutes}
        ],
        status_changed_at=now,
    )


@transaction.atomic
def person_anonymise(*, person: Person) -> Person:
    """Remove what identifies a person; keep unit, role, dates and sex for the statistics."""
    user = person.user
    old_identifiers = {user.username, user.email}
    user.username = f"anonym-{person.pk}"
    user.first_name = user.last_name = user.email = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    person.employee_number = f"anonym-{person.pk}"
    person.position_title = ""
    person.anonymised_at = timezone.now()
    person.save()
    # Each app removes what identifies the person; counted results stay, without a name.
    gdpr.anonymise_everywhere(user)
    user.managed_units.clear()
    _scrub_logs(user=user, person=person, identifiers=old_identifiers - {""})
    return person


def _scrub_logs(*, user, person: Person, identifiers: set[str]) -> None:
    """Login-throttling records and admin log labels name the person: remove the names."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import ModelLogEntry

    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.filter(username__in=identifiers).delete()
    for obj in (user, person):
        ModelLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
        ).update(label=_("Anonymised person"))


def anonymise_leavers(*, today=None) -> AnonymisationRun:
    """Anonymise everyone who left more than GDPR_RETENTION_DAYS ago. Idempotent."""
    today = today or timezone.localdate()
    left_before = today - timedelta(days=settings.GDPR_RETENTION_DAYS)
    count = 0
    for person in (
        Person.objects.select_related("user")
        .filter(end_date__lt=left_before, anonymised_at__isnull=True)
        .iterator(chunk_size=500)
    ):
        person_anonymise(person=person)
        count += 1
    return AnonymisationRun.objects.create(left_before=left_before, people=count)
