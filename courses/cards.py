"""The catalogue's cards, put together in Python: a card's top is the same for everybody
(content_cache.catalogue_card_heads), and its learner part (status, assignment, lock, progress
bar) takes one of a handful of forms, each rendered once per process. Twenty cards rendered
by the template engine cost more than the rest of the catalogue's own work."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

# Rendered card tails by everything they show.
_TAILS: dict[tuple, str] = {}
_TAILS_MAX = 5_000


def card_tail(state, assignment, title: str) -> str:
    """The learner's part of one card, rendered from exactly the values in its key."""
    key = (
        get_language(),
        title,
        state.status,
        state.required_done,
        state.required_total,
        state.percent,
        state.locked_reasons[0] if state.locked_reasons else None,
        (assignment.state, assignment.due_on) if assignment is not None else None,
    )
    html = _TAILS.get(key)
    if html is None:
        html = render_to_string(
            "courses/includes/catalogue_card_tail.html",
            {"state": state, "assignment": assignment, "title": title},
        )
        if len(_TAILS) >= _TAILS_MAX:
            _TAILS.clear()
        _TAILS[key] = html
    return html


def catalogue_cards(course_states, assigned: dict) -> SafeString:
    """The catalogue's list items from (course, state, cached card top) triples; `assigned`:
    {course id: the learner's open assignment still to do}."""
    return mark_safe(  # noqa: S308 - our own templates' output, escaped when rendered
        "".join(
            f'<li class="card">{head}{card_tail(state, assigned.get(course.pk), course.title)}'
            "</li>\n"
            for course, state, head in course_states
        )
    )
