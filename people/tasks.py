from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model

from . import services
from .models import EmployeeImport

# A check or apply that overruns gets SoftTimeLimitExceeded, which the service records as a
# failure; one that ignores it is killed at the hard limit and ended by end_stuck_imports.
IMPORT_LIMITS = {
    "soft_time_limit": settings.EMPLOYEE_IMPORT_SOFT_TIME_LIMIT,
    "time_limit": settings.EMPLOYEE_IMPORT_TIME_LIMIT,
}


@shared_task(name="people.employee_import_check", ignore_result=True, **IMPORT_LIMITS)
def employee_import_check(import_id: int) -> None:
    services.employee_import_check(employee_import=EmployeeImport.objects.get(pk=import_id))


@shared_task(name="people.employee_import_apply", ignore_result=True, **IMPORT_LIMITS)
def employee_import_apply(import_id: int, user_id: int | None) -> None:
    user = get_user_model().objects.filter(pk=user_id).first()
    services.employee_import_apply(
        employee_import=EmployeeImport.objects.get(pk=import_id), user=user
    )


@shared_task(name="people.end_stuck_imports", ignore_result=True, expires=240)
def end_stuck_imports() -> None:
    services.employee_imports_end_stuck()


@shared_task(name="people.anonymise_leavers", ignore_result=True, expires=3600)
def anonymise_leavers() -> None:
    services.anonymise_leavers()
