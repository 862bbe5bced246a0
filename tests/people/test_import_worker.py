"""Large files are checked and applied by a real Celery worker, with progress on the page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from people.models import EmployeeImport, ImportStatus, Person
from people.sample import as_csv, sample_rows
from tests.helpers import login_via_form, wait_for


@pytest.mark.django_db(transaction=True)
def test_large_file_goes_through_the_worker(client, celery_worker, demo_site, demo_users, settings):
    settings.EMPLOYEE_IMPORT_SYNC_MAX_ROWS = 10
    assert login_via_form(client, "admin", demo_users)  # the first import is an administrator's
    upload = SimpleUploadedFile("personal.csv", as_csv(sample_rows(120)), "text/csv")
    response = client.post("/admin/employee-imports/new/", {"file": upload})
    employee_import = EmployeeImport.objects.get()
    assert response["Location"] == f"/admin/employee-imports/{employee_import.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Kontrollerar filen" in page or "Klar att genomföra" in page or "Väntar" in page

    assert wait_for(lambda: EmployeeImport.objects.get().status == ImportStatus.PREVIEW)
    assert Person.objects.count() == 0
    response = client.post(f"/admin/employee-imports/{employee_import.pk}/apply/")
    assert response.status_code == 302
    assert wait_for(lambda: EmployeeImport.objects.get().status == ImportStatus.APPLIED)
    assert Person.objects.count() == 120
    imported = EmployeeImport.objects.get()
    assert imported.applied_by.username == "admin" and imported.summary["people_new"] == 120
