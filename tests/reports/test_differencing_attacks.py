"""The two differencing attacks of issue 11, tried through the pages HR opens (acceptance 2).

A parent P with sub-units of 3, 4, 12 and 20 people. The group "Annat" (other or not stated)
has one person in the unit of 3, five in the unit of 12 and six in the unit of 20, so that
under the old rule P's "Annat" minus the two larger units' gave the one person. Course X is
assigned to everyone, course Y to three people of the unit of 12 only.
"""

from __future__ import annotations

import pytest

from people.models import OrgUnit, Sex
from reports import selectors
from tests.factories import make_course

from .conftest import add_person, assign, make_hr
from .disclosure import audit, pinned

pytestmark = pytest.mark.django_db


@pytest.fixture
def parent(catalogue):
    course_x = make_course(catalogue, title="Kurs X", modules=1)
    course_y = make_course(catalogue, title="Kurs Y", modules=1)
    top = OrgUnit.add_root(instance=OrgUnit(code="T", name="Toppen"))
    p = top.add_child(instance=OrgUnit(code="P", name="Förvaltning P"))
    subs = {}
    for size in (3, 4, 12, 20):
        unit = p.add_child(instance=OrgUnit(code=f"P{size}", name=f"Enhet med {size}"))
        subs[size] = unit
        for i in range(size):
            # "Annat": one person in the unit of 3, five and six in the larger ones.
            others = {3: i == 2, 4: False, 12: i >= 7, 20: i >= 14}[size]
            sex = Sex.OTHER if others else (Sex.WOMAN if i % 2 else Sex.MAN)
            user = add_person(unit, manager=i == 0, sex=sex)
            assign(user, course_x, "completed" if i % 3 else "not_started")
            if size == 12 and i < 3:
                assign(user, course_y, "completed")
    # Enough people elsewhere that the top is big.
    other = top.add_child(instance=OrgUnit(code="Q", name="Förvaltning Q"))
    for i in range(40):
        assign(add_person(other, manager=i < 6, sex=[Sex.WOMAN, Sex.MAN, Sex.OTHER][i % 3]),
               course_x, "completed")  # fmt: skip
    return top, p, subs, course_x, course_y


def page(client, unit, course=None):
    url = f"/admin/coverage/units/{unit.pk}/" + (f"?course={course.pk}" if course else "")
    response = client.get(url)
    assert response.status_code == 200
    return response.context["section"]


def group(section, dim, key):
    return next(g for g in getattr(section, f"by_{dim}") if g.key == key).figures


def test_parent_minus_its_larger_sub_units_recovers_nothing(client, parent):
    top, p, subs, course_x, _course_y = parent
    client.force_login(make_hr("hr", top))
    for course in (None, course_x):
        sections = [page(client, unit, course) for unit in (p, subs[12], subs[20])]
        for dim, keys in (("sex", Sex.values), ("role", ["managers", "staff"])):
            for key in keys:
                figures = [group(s, dim, key) for s in sections]
                if all(f is not None for f in figures):
                    rest = figures[0].people - figures[1].people - figures[2].people
                    assert not 0 < rest < selectors.SMALL_GROUP, (course, dim, key, rest)
        # In particular the subtraction that found the person of "Annat" cannot be made, and
        # the unit of 3 shows no breakdown.
        assert any(group(s, "sex", Sex.OTHER) is None for s in sections)
        assert group(page(client, subs[3], course), "sex", Sex.OTHER) is None


def test_all_courses_minus_each_course_recovers_nothing(client, parent):
    top, p, subs, course_x, course_y = parent
    client.force_login(make_hr("hr", top))
    for unit in (top, p, subs[12]):
        everything = page(client, unit)
        per_course = {c: page(client, unit, c) for c in (course_x, course_y)}
        for dim, keys in (("sex", Sex.values), ("role", ["managers", "staff"])):
            for key in keys:
                for target in per_course:
                    if group(per_course[target], dim, key) is not None:
                        continue  # shown anyway
                    known = [group(everything, dim, key)] + [
                        group(per_course[c], dim, key) for c in per_course if c != target
                    ]
                    # The attack needs every other figure; one of them is always hidden.
                    assert any(f is None for f in known), (unit.code, target, dim, key)


def test_the_attack_organisation_passes_the_audit(parent):
    top, _p, _subs, course_x, course_y = parent
    cells = audit(make_hr("hr", top), [course_x.pk, course_y.pk])
    assert cells and pinned(cells, selectors.SMALL_GROUP) == []


def test_the_first_attack_works_on_the_old_rule(client, parent, monkeypatch):
    """Primary suppression within each breakdown only: the attack finds the person of "Annat"."""
    monkeypatch.setattr(
        selectors, "protected_breakdowns", lambda cells, *args: selectors.breakdowns(cells)
    )
    top, p, subs, _course_x, _course_y = parent
    client.force_login(make_hr("hr", top))
    sections = [page(client, unit) for unit in (p, subs[12], subs[20])]
    figures = [group(s, "sex", Sex.OTHER) for s in sections]
    assert all(f is not None for f in figures)
    assert figures[0].people - figures[1].people - figures[2].people == 1
