"""Large files are checked and applied by a real Celery worker, with progress on the page."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.files.uploadedfile import SimpleUploadedFile

from lms.celery import app
from people.models import EmployeeImport, ImportStatus, Person
from people.sample import as_csv, sample_rows
from tests.helpers import login_via_form, wait_for


def status_on_page(client, employee_import: EmployeeImport) -> tuple[str, bool]:
    page = client.get(f"/admin/employee-imports/{employee_import.pk}/").content.decode()
    status = page.split('<span id="import-status">', 1)[1].split("</span>", 1)[0]
    return status, 'http-equiv="refresh"' in page


@pytest.mark.django_db(transaction=True)
def test_large_file_goes_through_the_worker(client, demo_site, demo_users, settings):
    settings.EMPLOYEE_IMPORT_SYNC_MAX_ROWS = 10
    assert login_via_form(client, "admin", demo_users)  # the first import is an administrator's
    app.control.purge()
    upload = SimpleUploadedFile("personal.csv", as_csv(sample_rows(120)), "text/csv")
    response = client.post("/admin/employee-imports/new/", {"file": upload})
    employee_import = EmployeeImport.objects.get()
    assert response["Location"] == f"/admin/employee-imports/{employee_import.pk}/"
    # No worker runs yet (which is why the celery_worker fixture, started before the test, is
    # not used): the file waits in the queue, and the page says so and refreshes itself.
    assert employee_import.status == ImportStatus.PENDING
    assert status_on_page(client, employee_import) == ("Väntar", True)

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        assert wait_for(lambda: EmployeeImport.objects.get().status == ImportStatus.PREVIEW)
        assert status_on_page(client, employee_import) == ("Klar att genomföra", False)
        assert Person.objects.count() == 0
        response = client.post(f"/admin/employee-imports/{employee_import.pk}/apply/")
        assert response.status_code == 302
        assert wait_for(lambda: EmployeeImport.objects.get().status == ImportStatus.APPLIED)
    assert status_on_page(client, employee_import) == ("Genomförd", False)
    assert Person.objects.count() == 120
    imported = EmployeeImport.objects.get()
    assert imported.applied_by.username == "admin" and imported.summary["people_new"] == 120
