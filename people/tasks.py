from celery import shared_task
from django.contrib.auth import get_user_model

from . import services
from .models import EmployeeImport


@shared_task(name="people.employee_import_check", ignore_result=True)
def employee_import_check(import_id: int) -> None:
    services.employee_import_check(employee_import=EmployeeImport.objects.get(pk=import_id))


@shared_task(name="people.employee_import_apply", ignore_result=True)
def employee_import_apply(import_id: int, user_id: int | None) -> None:
    user = get_user_model().objects.filter(pk=user_id).first()
    services.employee_import_apply(
        employee_import=EmployeeImport.objects.get(pk=import_id), user=user
    )


@shared_task(name="people.anonymise_leavers", ignore_result=True, expires=3600)
def anonymise_leavers() -> None:
    services.anonymise_leavers()
