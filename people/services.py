"""Writes for the organisation and people: imports, anonymisation."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import gdpr, importing
from .models import AnonymisationRun, EmployeeImport, ImportStatus, Person

logger = logging.getLogger(__name__)


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


def employee_import_check(*, employee_import: EmployeeImport) -> EmployeeImport:
    """Dry run: read and check the file, store the preview. Writes nothing else."""
    EmployeeImport.objects.filter(pk=employee_import.pk).update(status=ImportStatus.CHECKING)
    try:
        plan = _plan(employee_import)
    except importing.ImportFileError as error:
        employee_import.status = ImportStatus.INVALID
        employee_import.errors = [str(error)]
    else:
        employee_import.status = ImportStatus.PREVIEW if plan.ok else ImportStatus.INVALID
        employee_import.errors = importing.errors_as_text(plan.errors[:500])
        employee_import.summary = plan.summary()
        employee_import.rows_total = employee_import.rows_done = len(plan.rows)
    employee_import.save(update_fields=["status", "errors", "summary", "rows_total", "rows_done"])
    return employee_import


def employee_import_apply(*, employee_import: EmployeeImport, user) -> EmployeeImport:
    """Apply a checked import, all or nothing. The file is checked again against today's data."""
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
        locked.save(update_fields=["status", "applied_by"])
    try:
        plan = _plan(locked)
        if not plan.ok:
            locked.status = ImportStatus.INVALID
            locked.errors = importing.errors_as_text(plan.errors[:500])
            locked.save(update_fields=["status", "errors"])
            return locked
        summary = importing.apply_plan(plan)
    except Exception:
        logger.exception("employee import %s failed", locked.pk)
        EmployeeImport.objects.filter(pk=locked.pk).update(status=ImportStatus.FAILED)
        raise
    locked.summary = {**locked.summary, **summary, "applied": True}
    locked.status = ImportStatus.APPLIED
    locked.applied_at = timezone.now()
    locked.save(update_fields=["summary", "status", "applied_at"])
    return locked


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
