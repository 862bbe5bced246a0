"""A hand-built unit for the certification tests.

Kommunen → Socialförvaltningen → Hemtjänsten (five staff, manager "chef-ht") → Hemtjänsten
natt (one more); Kommunen → Utbildning (someone else's). HR "hr-soc" is scoped to
Socialförvaltningen. Two courses; a programme with one criterion of each built-in kind.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.factories import UserFactory, make_course


def _real_pdf() -> bytes:
    import io

    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(72, 720, "Handlingsplan för jämställdhet")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


MINIMAL_PDF = _real_pdf()


def pdf_upload(name: str = "handlingsplan.pdf", data: bytes = MINIMAL_PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def give_completion(user, course, *, valid_until: datetime.date | None = None):
    from progress.models import Completion, CourseProgress

    when = timezone.now()
    progress = CourseProgress.objects.create(
        user=user, course=course, started_at=when, completed_at=when
    )
    return Completion.objects.create(
        user=user,
        course=course,
        course_progress=progress,
        completed_at=when,
        valid_until=valid_until,
    )


@pytest.fixture
def org(db):
    from people.models import HRScope, OrgUnit, Person

    root = OrgUnit.add_root(instance=OrgUnit(code="K", name="Kommunen"))
    soc = root.add_child(instance=OrgUnit(code="SOC", name="Socialförvaltningen"))
    ht = soc.add_child(instance=OrgUnit(code="HT", name="Hemtjänsten"))
    night = ht.add_child(instance=OrgUnit(code="HTN", name="Hemtjänsten natt"))
    utb = root.add_child(instance=OrgUnit(code="UTB", name="Utbildning"))
    hr = UserFactory(username="hr-soc", first_name="Kim", last_name="Berg")
    hr.groups.add(Group.objects.get_or_create(name="HR")[0])
    hr.user_permissions.add(Permission.objects.get(codename="access_admin"))
    HRScope.objects.create(user=hr, unit=soc)
    manager = UserFactory(username="chef-ht", first_name="Omar", last_name="Haddad")
    ht.managers.add(manager)
    Person.objects.create(user=manager, employee_number="NR-CHEF", unit=ht, is_manager=True)
    staff = []
    for n in range(4):
        user = UserFactory(username=f"ht-{n}")
        Person.objects.create(user=user, employee_number=f"NR-HT-{n}", unit=ht)
        staff.append(user)
    night_worker = UserFactory(username="htn-0")
    Person.objects.create(user=night_worker, employee_number="NR-HTN-0", unit=night)
    staff.append(night_worker)
    other_manager = UserFactory(username="chef-utb")
    utb.managers.add(other_manager)
    Person.objects.create(user=other_manager, employee_number="NR-UTB", unit=utb)
    return {
        "units": {"K": root, "SOC": soc, "HT": ht, "HTN": night, "UTB": utb},
        "hr": hr,
        "manager": manager,
        "other_manager": other_manager,
        # Everyone employed in Hemtjänsten and below: the manager and five staff.
        "people": [manager, *staff],
    }


@pytest.fixture
def courses(catalogue):
    return {
        "norm": make_course(catalogue, title="Normdiplomering", modules=1),
        "metoo": make_course(catalogue, title="Från #metoo till metod", modules=1),
    }


@pytest.fixture
def programme(db, courses):
    from certification.models import CertificationProgramme, Criterion

    programme = CertificationProgramme.objects.create(
        name="Jämställd arbetsplats", validity_months=12
    )
    Criterion.objects.create(
        programme=programme,
        kind="staff_share_completed",
        course=courses["norm"],
        percent=80,
        sort_order=0,
    )
    Criterion.objects.create(
        programme=programme, kind="managers_completed", course=courses["metoo"], sort_order=1
    )
    Criterion.objects.create(
        programme=programme,
        kind="manual",
        title="Aktiv handlingsplan för jämställdhet",
        instructions="Ladda upp enhetens handlingsplan.",
        sort_order=2,
    )
    return programme


def criterion(programme, kind: str):
    return programme.criteria.get(kind=kind)
