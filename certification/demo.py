"""Demo: the programme "Jämställd arbetsplats" and the demo manager's unit with an action plan
waiting for HR's review, so that both the manager's page and HR's review have something real.

Borås Stad certifies its workplaces for gender equality (the city management office first);
the criteria here follow the demo's courses: Normdiplomering for the staff, Från #metoo till
metod for every manager, and an active action plan that HR approves.
"""

from __future__ import annotations

import io

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction

from courses.models import CoursePage
from people.models import OrgUnit

from .models import CertificationProgramme, Criterion, Evidence

PROGRAMME = "Jämställd arbetsplats"
DESCRIPTION = (
    "Arbetsplatser som arbetar aktivt och långsiktigt för jämställdhet kan certifieras. "
    "Certifieringen gäller i två år och förnyas på samma sätt. Kriterierna visar hur långt "
    "enheten har kommit: kunskap hos medarbetare och chefer och en aktiv handlingsplan."
)
PLAN_TITLE = "Aktiv handlingsplan för jämställdhet"
PLAN_INSTRUCTIONS = (
    "Ladda upp enhetens handlingsplan för jämställdhet (aktiva åtgärder enligt "
    "diskrimineringslagen): vad ni har kartlagt, vilka åtgärder ni gör, vem som ansvarar och "
    "när ni följer upp. Planen ska vara antagen på en arbetsplatsträff under det senaste året."
)
PLAN_TEXT = (
    "Handlingsplanen togs fram av arbetsgruppen i oktober och antogs på arbetsplatsträffen i "
    "november. Uppföljning på APT i mars och september."
)
DEMO_UNIT = "FSK01"  # the demo manager's unit
FILMS_KIND = "group_modules_held"  # registered by workplace_meetings
FILMS_TITLE = "Båda APT-filmerna visade på arbetsplatsträff det senaste året"


def _group_films(course: CoursePage) -> list[int]:
    """The course's live group-viewing modules, when some app offers that kind of criterion."""
    from modules.models import ModulePage

    from . import evaluators

    if evaluators.get(FILMS_KIND) is None:
        return []
    films = ModulePage.objects.live().descendant_of(course).filter(for_group_viewing=True)
    return sorted(films.values_list("pk", flat=True))


def _plan_pdf(unit_name: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from diplomas.pdf import font

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(f"Handlingsplan för jämställdhet – {unit_name}")
    pdf.setFont(font("bold"), 16)
    pdf.drawString(72, 770, f"Handlingsplan för jämställdhet – {unit_name}")
    pdf.setFont(font("regular"), 11)
    lines = [
        "1. Kartläggning: lönekartläggning, sjukfrånvaro och föräldraledighet uppdelat på kön.",
        "2. Åtgärd: schemaläggning som gör heltid möjlig för alla som vill.",
        "3. Åtgärd: alla medarbetare går Normdiplomering senast i juni.",
        "4. Åtgärd: rutin mot sexuella trakasserier gås igenom på APT varje höst.",
        "5. Uppföljning: på arbetsplatsträffen i mars och september; ansvarig är chefen.",
    ]
    for index, line in enumerate(lines):
        pdf.drawString(72, 730 - index * 20, line)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


@transaction.atomic
def ensure_certification() -> bool:
    """True when the programme was created now (safe to run again)."""
    courses = {
        c.slug: c
        for c in CoursePage.objects.filter(slug__in=("normdiplomering", "fran-metoo-till-metod"))
    }
    if len(courses) < 2:
        return False
    programme, created = CertificationProgramme.objects.get_or_create(
        name=PROGRAMME, defaults={"description": DESCRIPTION, "validity_months": 24}
    )
    if created:
        Criterion.objects.bulk_create(
            [
                Criterion(
                    programme=programme,
                    kind="staff_share_completed",
                    course=courses["normdiplomering"],
                    percent=80,
                    sort_order=0,
                ),
                Criterion(
                    programme=programme,
                    kind="managers_completed",
                    course=courses["fran-metoo-till-metod"],
                    sort_order=1,
                ),
                Criterion(
                    programme=programme,
                    kind="manual",
                    title=PLAN_TITLE,
                    instructions=PLAN_INSTRUCTIONS,
                    sort_order=3,
                ),
            ]
        )
        films = _group_films(courses["normdiplomering"])
        if films:
            Criterion.objects.create(
                programme=programme,
                kind=FILMS_KIND,
                title=FILMS_TITLE,
                module_ids=films,
                months=12,
                sort_order=2,
            )
    unit = OrgUnit.objects.filter(code=DEMO_UNIT).first()
    manager = get_user_model().objects.filter(username="chef").first()
    manual = programme.criteria.filter(kind="manual").first()
    if unit and manager and manual and not Evidence.objects.filter(unit=unit).exists():
        evidence = Evidence(unit=unit, criterion=manual, text=PLAN_TEXT, submitted_by=manager)
        evidence.original_name = "handlingsplan.pdf"
        evidence.file.save("underlag.pdf", ContentFile(_plan_pdf(unit.name)), save=False)
        evidence.save()
    return created
