"""The HR file import: repeatable, exact about changes, all or nothing, clear about errors."""

import copy
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from people import importing, services
from people.models import EmployeeImport, ImportStatus, OrgUnit, Person
from people.sample import as_csv, as_xlsx, sample_rows
from tests.helpers import login_via_form

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).resolve().parents[2] / "people" / "sample_data" / "personal.csv"


def run(content: bytes, name: str = "personal.csv") -> importing.ImportPlan:
    plan = importing.plan_import(importing.read_rows(content, name))
    if plan.ok:
        importing.apply_plan(plan)
    return plan


def state() -> dict:
    people = {
        p.employee_number: (
            p.user.email,
            p.unit.code,
            p.is_manager,
            p.end_date,
            p.sex,
            p.user.first_name,
        )
        for p in Person.objects.select_related("user", "unit")
    }
    units = {
        u.code: (u.name, u.get_parent().code if u.get_parent() else "", u.active)
        for u in OrgUnit.objects.all()
    }
    managers = {
        u.code: sorted(u.managers.values_list("username", flat=True)) for u in OrgUnit.objects.all()
    }
    return {"people": people, "units": units, "managers": managers}


def test_shipped_sample_is_big_enough_and_imports():
    rows = importing.read_rows(SAMPLE.read_bytes(), SAMPLE.name)
    assert len(rows) >= 500
    plan = run(SAMPLE.read_bytes())
    assert plan.ok, plan.errors[:5]
    assert Person.objects.count() == len(rows)
    assert OrgUnit.objects.count() >= 40
    assert max(OrgUnit.objects.values_list("depth", flat=True)) == 3
    director = Person.objects.get(employee_number="E000001")
    assert director.is_manager and director.unit.code == "KOMMUN"
    assert director.user in director.unit.managers.all()
    assert not director.user.has_usable_password()  # SSO or password reset by email


def test_importing_the_same_file_twice_gives_the_same_state():
    run(SAMPLE.read_bytes())
    first = state()
    plan = run(SAMPLE.read_bytes())
    assert (
        plan.people_new,
        plan.people_changed,
        plan.leavers,
        plan.units_new,
        plan.units_changed,
    ) == ([], {}, [], [], [])
    assert state() == first


def test_xlsx_and_csv_give_the_same_result():
    rows = sample_rows(60, seed=7)
    run(as_xlsx(rows), "personal.xlsx")
    from_xlsx = state()
    plan = importing.plan_import(importing.read_rows(as_csv(rows), "personal.csv"))
    assert plan.ok and not plan.people_changed and not plan.people_new
    assert state() == from_xlsx


def test_a_later_file_applies_exactly_the_moves_hires_and_leavers():
    rows = sample_rows(520)
    run(as_csv(rows))
    before = state()
    later = copy.deepcopy(rows)
    moved = [r for r in later if r["Chef"] == "Nej"][:3]
    for row in moved:
        row.update(
            {"Enhetskod": "KUF01", "Enhetsnamn": "Biblioteket", "Överordnad enhetskod": "KUF"}
        )
    leaving = [r["Anställningsnummer"] for r in later if r["Chef"] == "Nej"][10:14]
    later = [r for r in later if r["Anställningsnummer"] not in leaving]
    hired = [
        dict(later[-1], **{"Anställningsnummer": f"N{n}", "E-post": f"ny{n}@exempelkommun.se"})
        for n in (1, 2)
    ]
    later += hired
    assert len(moved) == 3 and len(leaving) == 4  # the loop below checks each kind
    plan = run(as_csv(later))
    assert sorted(plan.people_new) == ["N1", "N2"]
    assert sorted(plan.leavers) == sorted(leaving)
    assert set(plan.people_changed) == {r["Anställningsnummer"] for r in moved}
    after = state()
    for number, values in before["people"].items():
        if number in {r["Anställningsnummer"] for r in moved}:
            assert after["people"][number][1] == "KUF01"
        elif number in leaving:
            assert after["people"][number][3] is not None  # marked as left, not deleted
            assert not get_user_model().objects.get(person__employee_number=number).is_active
        else:
            assert after["people"][number] == values
    assert after["units"] == before["units"]


def test_one_bad_row_imports_nothing_and_names_row_and_column():
    rows = sample_rows(80)
    rows[15]["Överordnad enhetskod"] = "X12"  # row 17 in the file (header is row 1)
    plan = run(as_csv(rows))
    assert not plan.ok
    messages = importing.errors_as_text(plan.errors)
    assert "rad 17, kolumn Överordnad enhetskod: okänd enhetskod ”X12”." in messages
    assert Person.objects.count() == 0 and OrgUnit.objects.count() == 0


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("Anställningsdatum", "1/2/2020", "är inget datum"),
        ("E-post", "inte-en-adress", "är ingen e-postadress"),
        ("Chef", "kanske", "skriv Ja eller Nej"),
        ("Kön", "Q", "skriv K, M eller Annat"),
        ("Förnamn", "", "ett värde krävs"),
    ],
)
def test_row_errors_are_in_swedish(column, value, message):
    rows = sample_rows(20)
    rows[3][column] = value
    plan = run(as_csv(rows))
    text = " ".join(importing.errors_as_text(plan.errors))
    assert f"rad 5, kolumn {column}: " in text and message in text
    assert Person.objects.count() == 0


def test_a_file_without_the_required_columns_says_which():
    with pytest.raises(importing.ImportFileError, match="saknar kolumnen/kolumnerna: E-post"):
        importing.read_rows(
            "Anställningsnummer;Förnamn;Efternamn;Enhetskod;Enhetsnamn\n".encode(), "x.csv"
        )


def _unit(code):
    return OrgUnit.objects.get(code=code)


def test_a_reorganisation_moves_units_under_new_parents():
    rows = sample_rows(120)
    run(as_csv(rows))
    for row in rows:  # Biblioteket moves from culture to the municipal office
        if row["Enhetskod"] == "KUF01":
            row["Överordnad enhetskod"] = "KLF"
    plan = run(as_csv(rows))
    assert plan.ok and plan.units_changed == ["KUF01"]
    assert _unit("KUF01").get_parent().code == "KLF"
    assert OrgUnit.find_problems() == ([], [], [], [], [])


def test_a_unit_cannot_be_moved_under_its_own_descendant():
    rows = sample_rows(120)
    run(as_csv(rows))
    # KUF (an administration) would move under KUF01, which is below KUF in the database.
    later = [r for r in rows if r["Enhetskod"] != "KUF01"]
    for row in later:
        if row["Enhetskod"] == "KUF":
            row["Överordnad enhetskod"] = "KUF01"
    plan = run(as_csv(later))
    assert plan.errors, "the loop must be refused"
    assert all("bildar en slinga" in str(e) for e in plan.errors), plan.errors
    assert _unit("KUF").get_parent().code == "KOMMUN"


def test_a_past_end_date_in_the_file_ends_the_login_and_a_future_one_does_not():
    rows = sample_rows(40)
    rows[30]["Slutdatum"] = "2020-01-01"
    rows[31]["Slutdatum"] = "2099-01-01"
    run(as_csv(rows))
    users = get_user_model().objects
    assert not users.get(person__employee_number=rows[30]["Anställningsnummer"]).is_active
    assert users.get(person__employee_number=rows[31]["Anställningsnummer"]).is_active


def test_emails_and_logins_are_compared_without_case():
    from tests.factories import UserFactory

    UserFactory(username="Anna.Someone@Exempelkommun.se", email="Anna.Someone@Exempelkommun.se")
    rows = sample_rows(10)
    rows[5]["E-post"] = "anna.someone@exempelkommun.se"
    plan = run(as_csv(rows))
    assert (
        "rad 7, kolumn E-post: ”anna.someone@exempelkommun.se” tillhör redan ett annat konto."
        in (importing.errors_as_text(plan.errors))
    )


def test_the_file_cannot_change_an_administrators_email():
    rows = sample_rows(10)
    run(as_csv(rows))
    person = Person.objects.get(employee_number=rows[2]["Anställningsnummer"])
    person.user.is_superuser = True
    person.user.save()
    rows[2]["E-post"] = "angripare@example.org"
    plan = run(as_csv(rows))
    assert not plan.ok and "administratörskonto" in str(plan.errors[0])


def test_managers_lose_units_that_leave_the_file():
    rows = sample_rows(120)
    run(as_csv(rows))
    assert _unit("KUF05").managers.exists()
    later = [r for r in rows if r["Enhetskod"] != "KUF05"]
    plan = run(as_csv(later))
    assert "KUF05" in plan.units_deactivated
    assert not _unit("KUF05").managers.exists() and not _unit("KUF05").active


# The all-or-nothing guard, reached directly: the helper `run` above only applies clean plans.


def test_apply_plan_refuses_a_plan_with_errors_and_writes_nothing():
    rows = sample_rows(60)
    rows[5]["Anställningsdatum"] = "1/2/2020"  # row 7 is wrong; the other rows are fine
    plan = importing.plan_import(importing.read_rows(as_csv(rows), "personal.csv"))
    assert not plan.ok and len(plan.rows) == len(rows) - 1  # what an apply would write
    with pytest.raises(ValueError, match="a plan with errors cannot be applied"):
        importing.apply_plan(plan)
    assert Person.objects.count() == 0 and OrgUnit.objects.count() == 0
    assert not get_user_model().objects.exists()


def _checked_import(rows: list[dict[str, str]]) -> EmployeeImport:
    employee_import = EmployeeImport(original_name="personal.csv")
    employee_import.file.save("personal.csv", ContentFile(as_csv(rows)), save=True)
    employee_import = services.employee_import_check(employee_import=employee_import)
    assert employee_import.status == ImportStatus.PREVIEW, employee_import.errors
    return employee_import


def test_a_unit_changed_between_check_and_apply_is_refused_at_apply_time():
    # The file hangs its administrations under KOMMUN, a unit only the database has.
    top = OrgUnit.add_root(code="KOMMUN", name="Exempelkommun")
    rows = [row for row in sample_rows(60) if row["Enhetskod"] != "KOMMUN"]
    employee_import = _checked_import(rows)
    # Before the import is applied, the top unit gets another code.
    OrgUnit.objects.filter(pk=top.pk).update(code="KOMMUN-NY")
    employee_import = services.employee_import_apply(employee_import=employee_import, user=None)
    assert employee_import.status == ImportStatus.INVALID
    assert employee_import.errors[0] == (
        "rad 2, kolumn Överordnad enhetskod: okänd enhetskod ”KOMMUN”."
    )
    assert Person.objects.count() == 0
    assert list(OrgUnit.objects.values_list("code", flat=True)) == ["KOMMUN-NY"]


def test_an_email_taken_between_check_and_apply_is_refused_at_apply_time(
    client, demo_site, demo_users
):
    from tests.factories import UserFactory

    assert login_via_form(client, "admin", demo_users)
    rows = sample_rows(60)
    upload = SimpleUploadedFile("personal.csv", as_csv(rows), "text/csv")
    response = client.post("/admin/employee-imports/new/", {"file": upload})
    employee_import = EmployeeImport.objects.get()
    assert employee_import.status == ImportStatus.PREVIEW
    # Before the import is applied, an account is made with the address of row 11's person.
    taken = rows[9]["E-post"]
    UserFactory(username="någon-annan", email=taken)
    response = client.post(f"/admin/employee-imports/{employee_import.pk}/apply/", follow=True)
    assert "Uppgifterna har ändrats sedan kontrollen; inget genomfördes." in (
        response.content.decode()
    )
    employee_import.refresh_from_db()
    assert employee_import.status == ImportStatus.INVALID
    assert employee_import.errors == [
        f"rad 11, kolumn E-post: ”{taken}” tillhör redan ett annat konto."
    ]
    assert Person.objects.count() == 0 and OrgUnit.objects.count() == 0
