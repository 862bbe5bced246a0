"""The linear-programming audit of every figure HR can reach (issue 11, acceptance 1)."""

from __future__ import annotations

import time

import pytest

from reports import selectors

from .conftest import make_hr
from .disclosure import audit, generated_organisation, pinned

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation(catalogue):
    return generated_organisation(catalogue)


def test_nothing_hidden_can_be_pinned_down_by_hr_at_the_top(organisation):
    root, _administrations, courses = organisation
    started = time.monotonic()
    cells = audit(make_hr("hr-top", root), courses)
    assert len(cells) > 50  # the organisation has plenty of small groups to protect
    assert pinned(cells, selectors.SMALL_GROUP) == [], "\n".join(
        map(str, pinned(cells, selectors.SMALL_GROUP))
    )
    # The README quotes these: the narrowest range of a hidden group in a unit of at least
    # SMALL_GROUP people, and how many groups were attacked.
    large = [c for c in cells if c.unit_total >= selectors.SMALL_GROUP and c.low < 5]
    worst = min(large, key=lambda c: c.width)
    print(f"\nworst case: {worst}; {len(cells)} hidden groups; {time.monotonic() - started:.1f} s")


def test_nothing_hidden_can_be_pinned_down_by_hr_of_one_administration(organisation):
    _root, administrations, courses = organisation
    cells = audit(make_hr("hr-admin", administrations[0]), courses)
    assert cells
    assert pinned(cells, selectors.SMALL_GROUP) == [], "\n".join(
        map(str, pinned(cells, selectors.SMALL_GROUP))
    )


def test_the_audit_pins_groups_under_the_old_rule(organisation, monkeypatch):
    """Primary suppression within each breakdown only (the rule before issue 11) fails."""

    def old_rule(cells, path, course_id, hidden):
        return selectors.breakdowns(cells)

    monkeypatch.setattr(selectors, "protected_breakdowns", old_rule)
    root, _administrations, courses = organisation
    cells = audit(make_hr("hr-old", root), courses, first_pinned=selectors.SMALL_GROUP)
    assert pinned(cells, selectors.SMALL_GROUP)
