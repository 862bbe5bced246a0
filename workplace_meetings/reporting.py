"""The workplace-meetings section of the active-measures report (reports.active_measures):
which group films the unit's workplaces showed at their APT in the period, and to how many.

Registered from `WorkplaceMeetingsConfig.ready()`, so the reports app does not import this one.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from .selectors import held_in_period


def meetings_section(context):
    from reports.active_measures import HIDDEN, Section, SectionTable, swedish_date
    from reports.selectors import SMALL_GROUP

    holdings = held_in_period(context.unit, context.start, context.end)
    if not holdings:
        return None  # no group modules published: nothing to say
    table = SectionTable(
        caption=_(
            "Group modules held at workplace meetings in the period (%(hidden)s: hidden, "
            "small group)"
        )
        % {"hidden": HIDDEN},
        header=[
            _("Course"),
            _("Module"),
            _("Meetings held"),
            _("Workplaces that held it"),
            _("Workplaces"),
            _("People present"),
        ],
        rows=[
            [
                h.course_title,
                h.module_title,
                h.meetings,
                h.workplaces_held,
                h.workplaces,
                # A count of a few people could point at who was there (or who was not).
                HIDDEN if 0 < h.present < SMALL_GROUP else h.present,
            ]
            for h in holdings
        ],
    )
    return Section(
        title=_("Workplace meetings"),
        paragraphs=[
            _(
                "Managers show the group films at workplace meetings (APT) and discuss them "
                "with their staff; the attendees get the module credited. A workplace is a "
                "unit with staff of its own on %(day)s. People present counts each person "
                "once per module, however many meetings they attended."
            )
            % {"day": swedish_date(context.end)}
        ],
        tables=[table],
    )


def register() -> None:
    from reports.active_measures import register_section

    register_section("workplace_meetings", "", meetings_section, order=45)
