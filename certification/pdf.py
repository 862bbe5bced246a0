"""The certificate as a PDF, in the course diplomas' style (same fonts, colours and frame)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reportlab.lib.units import mm

from diplomas.pdf import MUTED, _fit, draw_issuer, draw_statement, font, open_sheet, swedish_date


@dataclass(frozen=True)
class CertificateContent:
    unit_name: str
    programme_name: str
    certified_on: date
    valid_until: date
    issuer_name: str
    criteria: list[str]
    reference: str


def render(content: CertificateContent) -> bytes:
    regular = font("regular")
    sheet = open_sheet(
        title=f"Certifikat – {content.programme_name}",
        author=content.issuer_name or "",
        subject=f"{content.unit_name}, {content.reference}",
    )
    pdf, width, margin, inner = sheet.pdf, sheet.width, sheet.margin, sheet.inner
    top = draw_statement(
        sheet,
        draw_issuer(sheet, content.issuer_name),
        heading="Certifikat",
        lead="Detta intygar att arbetsplatsen",
        name=content.unit_name,
        verb="uppfyller kriterierna för",
        subject=content.programme_name,
    )
    top -= 11 * mm
    pdf.setFont(regular, 13)
    pdf.drawCentredString(
        width / 2,
        top,
        f"Certifierad {swedish_date(content.certified_on)} · "
        f"giltig till och med {swedish_date(content.valid_until)}",
    )
    top -= 10 * mm
    pdf.setFillColor(MUTED)
    for line in content.criteria[:6]:
        text = f"– {line}"  # Vera, the fallback font, has no check mark
        size = _fit(text, regular, 10.5, inner, smallest=7)
        pdf.setFont(regular, size)
        pdf.drawCentredString(width / 2, top, text)
        top -= 5.5 * mm
    pdf.setFont(regular, 9.5)
    pdf.drawRightString(width - margin, margin, f"Referens: {content.reference}")
    return sheet.finish()
