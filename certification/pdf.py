"""The certificate as a PDF, in the course diplomas' style (same fonts, colours and frame)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from diplomas.pdf import ACCENT, INK, MUTED, _fit, _font, swedish_date


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
    regular, bold, serif = _font("regular"), _font("bold"), _font("serif")
    width, height = landscape(A4)
    margin = 18 * mm
    inner = width - 2 * margin
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(width, height), pageCompression=1)
    pdf.setTitle(f"Certifikat – {content.programme_name}")
    pdf.setAuthor(content.issuer_name or "")
    pdf.setSubject(f"{content.unit_name}, {content.reference}")

    pdf.setStrokeColor(ACCENT)
    pdf.setLineWidth(2)
    pdf.rect(margin / 2, margin / 2, width - margin, height - margin)
    pdf.setLineWidth(0.6)
    pdf.rect(margin / 2 + 4, margin / 2 + 4, width - margin - 8, height - margin - 8)

    top = height - margin - 6 * mm
    if content.issuer_name:
        pdf.setFillColor(MUTED)
        size = _fit(content.issuer_name, regular, 14, inner)
        pdf.setFont(regular, size)
        pdf.drawCentredString(width / 2, top - size, content.issuer_name)
        top -= size + 4 * mm
    pdf.setFillColor(ACCENT)
    pdf.setFont(serif, 46)
    pdf.drawCentredString(width / 2, top - 46, "Certifikat")
    top -= 46 + 12 * mm
    pdf.setFillColor(MUTED)
    pdf.setFont(regular, 13)
    pdf.drawCentredString(width / 2, top, "Detta intygar att arbetsplatsen")
    top -= 14 * mm
    pdf.setFillColor(INK)
    size = _fit(content.unit_name, bold, 32, inner)
    pdf.setFont(bold, size)
    pdf.drawCentredString(width / 2, top, content.unit_name)
    pdf.setStrokeColor(ACCENT)
    pdf.setLineWidth(0.8)
    pdf.line(width / 2 - 70 * mm, top - 4 * mm, width / 2 + 70 * mm, top - 4 * mm)
    top -= 13 * mm
    pdf.setFillColor(MUTED)
    pdf.setFont(regular, 13)
    pdf.drawCentredString(width / 2, top, "uppfyller kriterierna för")
    top -= 11 * mm
    pdf.setFillColor(INK)
    size = _fit(content.programme_name, bold, 22, inner)
    pdf.setFont(bold, size)
    pdf.drawCentredString(width / 2, top, content.programme_name)
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
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
