"""HR's employee import in the admin: upload, check (dry run), look at the changes, apply."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import importing, selectors, services, tasks
from .forms import EmployeeImportForm
from .models import EmployeeImport, ImportStatus

PERMISSION = "people.add_employeeimport"


def _may_import(user) -> bool:
    """The file describes the whole organisation, so only HR for the whole of it may import."""
    return user.is_superuser or (
        user.has_perm(PERMISSION) and selectors.has_whole_organisation(user)
    )


def import_permission_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _may_import(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _is_large(content: bytes, name: str) -> bool:
    # Big files go to a worker, small ones run at once. Excel files always go to the worker:
    # their size says little about their rows, and unpacking them takes memory.
    if name.lower().endswith(".xlsx"):
        return True
    return content.count(b"\n") > settings.EMPLOYEE_IMPORT_SYNC_MAX_ROWS


@import_permission_required
def import_list(request: HttpRequest) -> HttpResponse:
    imports = EmployeeImport.objects.select_related("uploaded_by", "applied_by")[:50]
    return TemplateResponse(
        request,
        "people/admin/import_list.html",
        {"imports": imports, "columns": importing.COLUMNS, "required": importing.REQUIRED},
    )


@import_permission_required
def import_upload(request: HttpRequest) -> HttpResponse:
    form = EmployeeImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        upload.seek(0)
        employee_import = EmployeeImport.objects.create(
            file=upload, original_name=upload.name, uploaded_by=request.user
        )
        if _is_large(content, upload.name):
            transaction.on_commit(lambda: tasks.employee_import_check.delay(employee_import.pk))
        else:
            services.employee_import_check(employee_import=employee_import)
        return redirect("employee_import_detail", employee_import.pk)
    return TemplateResponse(request, "people/admin/import_upload.html", {"form": form})


@import_permission_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    employee_import = get_object_or_404(EmployeeImport, pk=pk)
    running = employee_import.status in (
        ImportStatus.PENDING,
        ImportStatus.CHECKING,
        ImportStatus.APPLYING,
    )
    return TemplateResponse(
        request,
        "people/admin/import_detail.html",
        {"import": employee_import, "running": running, "summary": employee_import.summary},
    )


@require_POST
@import_permission_required
def import_apply(request: HttpRequest, pk: int) -> HttpResponse:
    employee_import = get_object_or_404(EmployeeImport, pk=pk)
    if employee_import.status != ImportStatus.PREVIEW:
        messages.error(request, _("Only a checked file without errors can be applied."))
        return redirect("employee_import_detail", pk)
    if employee_import.rows_total > settings.EMPLOYEE_IMPORT_SYNC_MAX_ROWS or (
        employee_import.original_name.lower().endswith(".xlsx")
    ):
        transaction.on_commit(lambda: tasks.employee_import_apply.delay(pk, request.user.pk))
        messages.success(
            request, _("The import is being applied; this page shows when it is done.")
        )
        return redirect("employee_import_detail", pk)
    try:
        employee_import = services.employee_import_apply(
            employee_import=employee_import, user=request.user
        )
    except ValueError as error:
        messages.error(request, str(error))
    else:
        if employee_import.status == ImportStatus.APPLIED:
            messages.success(request, _("The import has been applied."))
        elif employee_import.status == ImportStatus.INVALID:
            messages.error(request, _("The data changed since the check; nothing was applied."))
        else:
            messages.error(request, _("The import failed; nothing was applied."))
    return redirect("employee_import_detail", pk)
