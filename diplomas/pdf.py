"""The diploma as a PDF (ReportLab: pure Python, no system libraries to keep up).

A4 landscape: the issuer's logo and name at the top, "Diplom", the holder's name large, the
course, the dates, and at the bottom the verification code, its address as text and a QR code.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

MONTHS = (
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
)  # fmt: skip
INK = HexColor("#1d2733")
ACCENT = HexColor("#6b2c91")
MUTED = HexColor("#4a5563")

# DejaVu when the system has it (wider coverage of names), else Bitstream Vera, which ships
# with ReportLab itself: both cover å, ä, ö and the rest of Latin-1, and both are embedded.
_FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path(__import__("reportlab").__file__).parent / "fonts",
)
_FONT_FILES = {
    "regular": ("DejaVuSans.ttf", "Vera.ttf"),
    "bold": ("DejaVuSans-Bold.ttf", "VeraBd.ttf"),
    "serif": ("DejaVuSerif-Bold.ttf", "VeraBd.ttf"),
}


def font(kind: str) -> str:
    """The name of an embedded TrueType font ("regular", "bold", "serif") for ReportLab, registered
    on first use: diplomas, certificates and the active-measures report share it."""
    name = f"Diploma-{kind}"
    if name not in pdfmetrics.getRegisteredFontNames():
        for directory in _FONT_DIRS:
            for filename in _FONT_FILES[kind]:
                path = directory / filename
                if path.is_file():
                    pdfmetrics.registerFont(TTFont(name, str(path)))
                    return name
        raise RuntimeError(f"No font for diplomas found for {kind}")
    return name


def swedish_date(day: date) -> str:
    """30 november 2026."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class DiplomaContent:
    holder_name: str
    course_title: str
    completed_on: date
    valid_until: date | None
    issuer_name: str
    code: str  # as displayed, in groups
    verify_url: str
    logo: bytes | None = None


def _fit(text: str, font: str, size: float, width: float, smallest: float = 14) -> float:
    """The largest size up to `size` at which `text` fits `width` (long names, long titles)."""
    while size > smallest and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 1
    return size


@dataclass
class Sheet:
    """An A4 landscape page with the diplomas' double frame, and where text may go. Shared
    with workplace certificates (certification/pdf.py), so both look like one family."""

    pdf: canvas.Canvas
    buffer: io.BytesIO
    width: float
    height: float
    margin: float

    @property
    def inner(self) -> float:
        return self.width - 2 * self.margin

    def finish(self) -> bytes:
        self.pdf.showPage()
        self.pdf.save()
        return self.buffer.getvalue()


def open_sheet(*, title: str, author: str, subject: str) -> Sheet:
    width, height = landscape(A4)
    margin = 18 * mm
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(width, height), pageCompression=1)
    pdf.setTitle(title)
    pdf.setAuthor(author)
    pdf.setSubject(subject)
    # Frame: a thin double border.
    pdf.setStrokeColor(ACCENT)
    pdf.setLineWidth(2)
    pdf.rect(margin / 2, margin / 2, width - margin, height - margin)
    pdf.setLineWidth(0.6)
    pdf.rect(margin / 2 + 4, margin / 2 + 4, width - margin - 8, height - margin - 8)
    return Sheet(pdf, buffer, width, height, margin)


def draw_issuer(sheet: Sheet, issuer_name: str, logo: bytes | None = None) -> float:
    """The issuer at the top: logo (if any) above the name. Returns where the next line goes."""
    pdf, width = sheet.pdf, sheet.width
    top = sheet.height - sheet.margin - 6 * mm
    if logo:
        try:
            image = ImageReader(io.BytesIO(logo))
            img_w, img_h = image.getSize()
            box_h = 18 * mm
            box_w = min(60 * mm, img_w * box_h / img_h)
            box_h = box_w * img_h / img_w
            pdf.drawImage(image, (width - box_w) / 2, top - box_h, box_w, box_h, mask="auto")
            top -= box_h + 5 * mm
        except Exception:  # a broken logo must not stop the diploma
            logging.getLogger(__name__).warning("Diploma logo could not be drawn", exc_info=True)
    if issuer_name:
        regular = font("regular")
        pdf.setFillColor(MUTED)
        size = _fit(issuer_name, regular, 14, sheet.inner)
        pdf.setFont(regular, size)
        pdf.drawCentredString(width / 2, top - size, issuer_name)
        top -= size + 4 * mm
    return top


def draw_statement(
    sheet: Sheet, top: float, *, heading: str, lead: str, name: str, verb: str, subject: str
) -> float:
    """ "Diplom / Detta intygar att / NAME / har genomfört kursen / SUBJECT", centred; returns
    the baseline of the subject line."""
    regular, bold, serif = font("regular"), font("bold"), font("serif")
    pdf, centre, inner = sheet.pdf, sheet.width / 2, sheet.inner
    pdf.setFillColor(ACCENT)
    pdf.setFont(serif, 46)
    pdf.drawCentredString(centre, top - 46, heading)
    top -= 46 + 12 * mm
    pdf.setFillColor(MUTED)
    pdf.setFont(regular, 13)
    pdf.drawCentredString(centre, top, lead)
    top -= 14 * mm
    pdf.setFillColor(INK)
    size = _fit(name, bold, 32, inner)
    pdf.setFont(bold, size)
    pdf.drawCentredString(centre, top, name)
    pdf.setStrokeColor(ACCENT)
    pdf.setLineWidth(0.8)
    pdf.line(centre - 70 * mm, top - 4 * mm, centre + 70 * mm, top - 4 * mm)
    top -= 13 * mm
    pdf.setFillColor(MUTED)
    pdf.setFont(regular, 13)
    pdf.drawCentredString(centre, top, verb)
    top -= 11 * mm
    pdf.setFillColor(INK)
    size = _fit(subject, bold, 22, inner)
    pdf.setFont(bold, size)
    pdf.drawCentredString(centre, top, subject)
    return top


def render(content: DiplomaContent) -> bytes:
    regular, bold = font("regular"), font("bold")
    sheet = open_sheet(
        title=f"Diplom – {content.course_title}",
        author=content.issuer_name or "",
        subject=f"Verifieringskod {content.code}",
    )
    pdf, width, margin = sheet.pdf, sheet.width, sheet.margin
    top = draw_issuer(sheet, content.issuer_name, content.logo)
    top = draw_statement(
        sheet,
        top,
        heading="Diplom",
        lead="Detta intygar att",
        name=content.holder_name,
        verb="har genomfört kursen",
        subject=content.course_title,
    )
    top -= 11 * mm
    pdf.setFont(regular, 13)
    pdf.drawCentredString(width / 2, top, f"Genomförd {swedish_date(content.completed_on)}")
    if content.valid_until:
        top -= 7 * mm
        pdf.drawCentredString(width / 2, top, f"Giltigt till {swedish_date(content.valid_until)}")

    # Verification at the bottom: QR code at the right, code and address beside it.
    qr_size = 30 * mm
    qr = QrCodeWidget(content.verify_url, barLevel="M")
    x0, y0, x1, y1 = qr.getBounds()
    drawing = Drawing(
        qr_size, qr_size, transform=[qr_size / (x1 - x0), 0, 0, qr_size / (y1 - y0), 0, 0]
    )
    drawing.add(qr)
    qr_x = width - margin - qr_size
    qr_y = margin
    renderPDF.draw(drawing, pdf, qr_x, qr_y)
    pdf.setFillColor(MUTED)
    pdf.setFont(regular, 9.5)
    text_right = qr_x - 4 * mm
    pdf.drawRightString(text_right, qr_y + 20 * mm, "Kontrollera diplomet")
    pdf.setFillColor(INK)
    pdf.setFont(bold, 12)
    pdf.drawRightString(text_right, qr_y + 14 * mm, f"Verifieringskod: {content.code}")
    pdf.setFont(regular, 9.5)
    url_size = _fit(content.verify_url, regular, 9.5, text_right - width / 2, smallest=6)
    pdf.setFont(regular, url_size)
    pdf.drawRightString(text_right, qr_y + 8 * mm, content.verify_url)
    return sheet.finish()
