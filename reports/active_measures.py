"""The active-measures evidence report (Diskrimineringslagen 3 kap.) for one unit and period.

An employer must work with active measures against discrimination and harassment and document
that work (3 kap. 2 and 13 §§). Training is part of that evidence: which courses the staff were
assigned, how many completed them, how coverage stands against the goals HR set. HR chooses a
period and a unit within its scope and hands the result (PDF or XLSX) to a union
representative, so the text is plain Swedish and every figure says what it counts.

**Figures come from the dashboard.** Coverage per course is `selectors.coverage_per_course`,
which reads the same aggregate and the same small-group decisions (`reports.protection`) as the
coverage dashboard for that unit with that course chosen, on the period's last day: the report
can never show a breakdown the dashboard hides. Two figures are the period's own: assignments
made in the period and people who completed in it (`selectors.assignments_made_in_period`,
`selectors.completions_in_period`); their split by role is shown only where the dashboard shows
that course's role breakdown.

**Sections.** A report is a list of `Section`s built by registered builders, in order. Other apps
add theirs without this module knowing them, e.g. workplace meetings (issue 14)::

    from reports.active_measures import Section, register_section

    def meetings(report):
        return Section(title="Arbetsplatsträffar", paragraphs=[...], tables=[...])

    register_section("workplace_meetings", "Arbetsplatsträffar", meetings, order=45)

called from the app's `AppConfig.ready()`. A builder gets the `ReportContext` (unit, period,
user) and returns a `Section`, or None to leave it out. Builders must read inside
`context.unit`'s subtree only and apply `SMALL_GROUP` to any figure about fewer people; the
HTML preview, the PDF and the XLSX render every section the same way.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from people.models import OrgUnit

from . import selectors
from .exports import XLSX_TYPE, safe

# Shown where a figure is hidden for small groups.
HIDDEN = "–"
MONTHS = (
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
)  # fmt: skip
# A longer period says nothing more a dashboard could not, and costs more to compute.
MAX_PERIOD_DAYS = 3 * 366


def swedish_date(day: datetime.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class ReportContext:
    unit: OrgUnit
    start: datetime.date
    end: datetime.date
    user: object = None


@dataclass
class SectionTable:
    caption: str
    header: list[str]
    rows: list[list]


@dataclass
class Section:
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[SectionTable] = field(default_factory=list)
    key: str = ""


@dataclass(frozen=True)
class _Registered:
    key: str
    title: str
    builder: Callable[[ReportContext], Section | None]
    order: int


_SECTIONS: dict[str, _Registered] = {}


def register_section(
    key: str,
    title: str,
    builder: Callable[[ReportContext], Section | None],
    *,
    order: int = 100,
) -> None:
    """Add a section to every active-measures report (registering a key again replaces it, so
    a reloaded app does not add it twice). `order` places it: the built-in sections use 10–90
    in steps of ten."""
    _SECTIONS[key] = _Registered(key, title, builder, order)


def unregister_section(key: str) -> None:
    _SECTIONS.pop(key, None)


def registered_sections() -> list[str]:
    return [entry.key for entry in sorted(_SECTIONS.values(), key=lambda e: (e.order, e.key))]


@dataclass
class Report:
    context: ReportContext
    sections: list[Section]

    @property
    def title(self) -> str:
        return _("Active measures: training in %(unit)s") % {"unit": self.context.unit.name}

    @property
    def period_text(self) -> str:
        return _("Period %(start)s – %(end)s") % {
            "start": swedish_date(self.context.start),
            "end": swedish_date(self.context.end),
        }

    def filename(self, extension: str) -> str:
        code = re.sub(r"[^A-Za-z0-9_-]", "", self.context.unit.code) or str(self.context.unit.pk)
        return (
            f"aktiva-atgarder-{code}-{self.context.start.isoformat()}-"
            f"{self.context.end.isoformat()}.{extension}"
        )


def build_report(*, unit: OrgUnit, start: datetime.date, end: datetime.date, user=None) -> Report:
    """Every registered section for the unit and period. The caller has checked that the user
    may see the unit (`selectors.unit_in_scope`) and that the period is valid."""
    if end < start:
        raise ValueError("end before start")
    context = ReportContext(unit=unit, start=start, end=end, user=user)
    sections = []
    for entry in sorted(_SECTIONS.values(), key=lambda e: (e.order, e.key)):
        section = entry.builder(context)
        if section is not None:
            section.key = section.key or entry.key
            section.title = section.title or entry.title
            sections.append(section)
    return Report(context, sections)


# --- The built-in sections ------------------------------------------------------------------


def _percent(value: int | None) -> str:
    return "" if value is None else f"{value} %"


def _law(context: ReportContext) -> Section:
    return Section(
        title=_("What the law asks"),
        paragraphs=[
            _(
                "The Discrimination Act (Diskrimineringslagen, chapter 3) requires every "
                "employer to work with active measures: to investigate risks of discrimination "
                "and harassment, analyse their causes, take the measures that can reasonably "
                "be asked for, follow them up and document the work. Training staff and "
                "managers in equal treatment, norm criticism and the prevention of sexual "
                "harassment is one such measure."
            ),
            _(
                "This report documents the training part of that work for %(unit)s and every "
                "unit below it, for the period %(start)s to %(end)s. It was produced from the "
                "learning platform's records on %(today)s."
            )
            % {
                "unit": context.unit.name,
                "start": swedish_date(context.start),
                "end": swedish_date(context.end),
                "today": swedish_date(timezone.localdate()),
            },
        ],
    )


@dataclass
class _Figures:
    """What the built-in sections share, read once per report."""

    courses: list[selectors.CourseCoverage]
    completed: dict[tuple[int, bool], int]
    made: dict[int, int]


def _figures(context: ReportContext) -> _Figures:
    # Cached on the context object (frozen, so through __dict__): the three sections below read
    # the same figures and each query runs once.
    cached = context.__dict__.get("_figures")
    if cached is None:
        cached = _Figures(
            courses=selectors.coverage_per_course(unit=context.unit, today=context.end),
            completed=selectors.completions_in_period(
                unit=context.unit, start=context.start, end=context.end
            ),
            made=selectors.assignments_made_in_period(
                unit=context.unit, start=context.start, end=context.end
            ),
        )
        object.__setattr__(context, "_figures", cached)
    return cached


def _role(course: selectors.CourseCoverage, key: str) -> selectors.Figures | None:
    return next(group.figures for group in course.by_role if group.key == key)


def _courses(context: ReportContext) -> Section:
    data = _figures(context)
    on = swedish_date(context.end)
    if not data.courses:
        return Section(
            title=_("Courses assigned"),
            paragraphs=[
                _("No courses were assigned to anyone in the unit on %(day)s.") % {"day": on}
            ],
        )
    coverage = SectionTable(
        caption=_("Status on %(day)s, everyone in the unit") % {"day": on},
        header=[
            _("Course"),
            _("Assigned"),
            _("Completed"),
            _("Coverage"),
            _("Assigned in the period"),
            _("Goal"),
            _("Goal reached"),
        ],
        rows=[],
    )
    for course in data.courses:
        goal = course.goal
        if goal is None:
            target, reached = "", _("No goal set")
        else:
            target = f"{goal.goal.target_percent} % " + _("by %(day)s") % {
                "day": swedish_date(goal.goal.deadline)
            }
            reached = {None: _("Nobody assigned"), True: _("Yes"), False: _("Not yet")}[
                goal.reached
            ]
        coverage.rows.append(
            [
                course.title,
                course.total.assigned,
                course.total.completed,
                _percent(course.total.coverage),
                data.made.get(course.course_id, 0),
                target,
                reached,
            ]
        )
    by_role = SectionTable(
        caption=_("Status on %(day)s per role (%(hidden)s: hidden, small group)")
        % {"day": on, "hidden": HIDDEN},
        header=[
            _("Course"),
            _("Managers assigned"),
            _("Managers completed"),
            _("Managers coverage"),
            _("Staff assigned"),
            _("Staff completed"),
            _("Staff coverage"),
        ],
        rows=[],
    )
    for course in data.courses:
        row: list = [course.title]
        for key in ("managers", "staff"):
            figures = _role(course, key)
            if figures is None:
                row += [HIDDEN, HIDDEN, HIDDEN]
            else:
                row += [figures.assigned, figures.completed, _percent(figures.coverage)]
        by_role.rows.append(row)
    return Section(
        title=_("Courses assigned and coverage"),
        paragraphs=[
            _(
                "Assigned counts the people who were to take the course on %(day)s (exemptions "
                "left out). Completed counts those of them with a valid completion that day. "
                "Coverage is completed divided by assigned, rounded down to a whole percent, "
                "so a goal shows as reached only when it is."
            )
            % {"day": on}
        ],
        tables=[coverage, by_role],
    )


def _trained(context: ReportContext) -> Section:
    data = _figures(context)
    table = SectionTable(
        caption=_("People who completed a course in the period (%(hidden)s: hidden, small group)")
        % {"hidden": HIDDEN},
        header=[_("Course"), _("Managers"), _("Staff"), _("Total")],
        rows=[],
    )
    courses = {course.course_id: course for course in data.courses}
    titles = {course.course_id: course.title for course in data.courses}
    for cid in sorted({cid for cid, _mgr in data.completed}, key=lambda c: titles.get(c, "")):
        managers = data.completed.get((cid, True), 0)
        staff = data.completed.get((cid, False), 0)
        course = courses.get(cid)
        # The split by role only where the dashboard shows this course's role breakdown.
        shown = course is not None and not any(g.suppressed for g in course.by_role)
        table.rows.append(
            [
                titles.get(cid) or _("Course no longer assigned"),
                managers if shown else HIDDEN,
                staff if shown else HIDDEN,
                managers + staff,
            ]
        )
    if not table.rows:
        return Section(
            title=_("Trained in the period"),
            paragraphs=[_("Nobody in the unit completed a course in the period.")],
        )
    return Section(
        title=_("Trained in the period"),
        paragraphs=[
            _(
                "People counted in the unit they belong to today. A person who completed the "
                "same course twice in the period counts once."
            )
        ],
        tables=[table],
    )


def _method(context: ReportContext) -> Section:
    return Section(
        title=_("Method and protection of small groups"),
        paragraphs=[
            _(
                "The figures are the same as in the coverage dashboard for this unit and "
                "course. A unit's figures include everyone in the units below it."
            ),
            _(
                "A breakdown per role is shown only when every group has at least %(n)s "
                "people, the unit above shows the same breakdown and no hidden group can be "
                "worked out by subtracting other figures. Otherwise it is shown as %(hidden)s, "
                "so that no individual's result can be identified. Totals are always shown."
            )
            % {"n": selectors.SMALL_GROUP, "hidden": HIDDEN},
            _(
                "The status on the period's last day is computed from today's assignments "
                "(assignments that have since ended are not counted) and completions up to "
                "that day."
            ),
        ],
    )


register_section("law", "", _law, order=10)
register_section("courses", "", _courses, order=20)
register_section("trained", "", _trained, order=30)
register_section("method", "", _method, order=90)


# --- Files ------------------------------------------------------------------------------------


def render_xlsx(report: Report) -> bytes:
    """One sheet: the title, then each section's text and tables, figures as numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Active measures")[:31]
    bold = Font(bold=True)
    sheet.append([safe(report.title)])
    sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True, size=14)
    sheet.append([report.period_text])
    for section in report.sections:
        sheet.append([])
        sheet.append([safe(section.title)])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True, size=12)
        for paragraph in section.paragraphs:
            sheet.append([safe(paragraph)])
            sheet.cell(row=sheet.max_row, column=1).alignment = Alignment(wrap_text=False)
        for table in section.tables:
            sheet.append([safe(table.caption)])
            sheet.append([safe(h) for h in table.header])
            for column in range(1, len(table.header) + 1):
                sheet.cell(row=sheet.max_row, column=column).font = bold
            for row in table.rows:
                sheet.append([safe(v) for v in row])
    sheet.column_dimensions["A"].width = 44
    for letter in "BCDEFG":
        sheet.column_dimensions[letter].width = 16
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def render_pdf(report: Report) -> bytes:
    """A4 portrait with ReportLab (the diplomas' library): title, sections, tables; tagged
    with title, subject and language so a screen reader announces them."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from diplomas.pdf import font

    regular, bold = font("regular"), font("bold")
    body = ParagraphStyle("body", fontName=regular, fontSize=10, leading=14, spaceAfter=6)
    h1 = ParagraphStyle("h1", fontName=bold, fontSize=18, leading=22, spaceAfter=4)
    h2 = ParagraphStyle("h2", fontName=bold, fontSize=13, leading=17, spaceBefore=10, spaceAfter=4)
    cell = ParagraphStyle("cell", fontName=regular, fontSize=8, leading=10)
    head = ParagraphStyle("head", fontName=bold, fontSize=8, leading=10)
    caption = ParagraphStyle("caption", fontName=bold, fontSize=9, leading=12, spaceAfter=3)

    story: list = [
        Paragraph(escape(report.title), h1),
        Paragraph(escape(report.period_text), body),
    ]
    for section in report.sections:
        story.append(Paragraph(escape(section.title), h2))
        for paragraph in section.paragraphs:
            story.append(Paragraph(escape(paragraph), body))
        for table in section.tables:
            story.append(Paragraph(escape(table.caption), caption))
            data = [[Paragraph(escape(str(h)), head) for h in table.header]]
            data += [[Paragraph(escape(str(v)), cell) for v in row] for row in table.rows]
            width = 180 * mm
            first = 52 * mm
            rest = (width - first) / max(len(table.header) - 1, 1)
            grid = Table(data, colWidths=[first] + [rest] * (len(table.header) - 1), repeatRows=1)
            grid.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#4a5563")),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e3ef")),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                )
            )
            story += [grid, Spacer(1, 4 * mm)]
    output = io.BytesIO()
    document = SimpleDocTemplate(
        output,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=report.title,
        subject=report.period_text,
        author=_("Normkritik LMS"),
        lang="sv-SE",
    )
    document.build(story)
    return output.getvalue()


__all__ = [
    "MAX_PERIOD_DAYS",
    "XLSX_TYPE",
    "Report",
    "ReportContext",
    "Section",
    "SectionTable",
    "build_report",
    "register_section",
    "registered_sections",
    "render_pdf",
    "render_xlsx",
    "unregister_section",
]
