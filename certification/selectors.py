"""Reads: who may do what, and each unit's standing under a programme.

HR (and administrators) work within `people.selectors.hr_units` (their HR scopes). A manager
sees the units they manage and the units below them. Everything else answers "no such unit".
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import QuerySet

from people.models import OrgUnit
from people.selectors import hr_units, is_hr

from . import evaluators
from .models import Certification, CertificationProgramme, Criterion, Evidence, EvidenceStatus

# A unit's standing under a programme, in the order HR wants to see them.
CERTIFIED, LAPSED, READY, IN_PROGRESS = "certified", "lapsed", "ready", "in_progress"


def may_manage(user) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or is_hr(user)))


def hr_units_for(user) -> QuerySet[OrgUnit]:
    return hr_units(user) if may_manage(user) else OrgUnit.objects.none()


def managed_units(user) -> QuerySet[OrgUnit]:
    """The units the user manages, and the units below them."""
    if not user.is_authenticated:
        return OrgUnit.objects.none()
    roots = list(OrgUnit.objects.filter(managers=user))
    if not roots:
        return OrgUnit.objects.none()
    return OrgUnit.objects.filter(evaluators.in_subtrees(roots, "path"))


def unit_for_manager(user, unit_id: int) -> OrgUnit | None:
    return managed_units(user).filter(pk=unit_id).first()


def unit_for_hr(user, unit_id: int) -> OrgUnit | None:
    return hr_units_for(user).filter(pk=unit_id).first()


def active_programmes() -> list[CertificationProgramme]:
    return list(CertificationProgramme.objects.filter(active=True).order_by("name"))


def criteria_of(programme: CertificationProgramme) -> list[Criterion]:
    return list(
        programme.criteria.select_related("course", "programme").order_by("sort_order", "pk")
    )


@dataclass
class CriterionStatus:
    criterion: Criterion
    result: evaluators.Result


@dataclass
class UnitStanding:
    unit: OrgUnit
    criteria: list[CriterionStatus]
    current: Certification | None  # the latest certificate, valid or lapsed
    today: datetime.date
    pending_evidence: int = 0
    history: list[Certification] = field(default_factory=list)

    @property
    def all_met(self) -> bool:
        return bool(self.criteria) and all(c.result.met for c in self.criteria)

    @property
    def met_count(self) -> int:
        return sum(c.result.met for c in self.criteria)

    @property
    def state(self) -> str:
        if self.current and self.current.is_valid_on(self.today):
            return CERTIFIED
        if self.current:
            return LAPSED
        return READY if self.all_met else IN_PROGRESS


def evaluate(
    criteria: Sequence[Criterion], units: Sequence[OrgUnit], today: datetime.date
) -> dict[int, list[CriterionStatus]]:
    """Every criterion for every unit: one evaluator call (a constant number of queries) per
    criterion. A kind no longer registered counts as not met rather than failing the page."""
    by_unit: dict[int, list[CriterionStatus]] = {u.pk: [] for u in units}
    for criterion in criteria:
        spec = criterion.spec
        results = {} if spec is None else spec.evaluate_many(criterion, units, today)
        for unit in units:
            result = results.get(unit.pk) or evaluators.Result(
                met=False, summary="Okänd typ av kriterium."
            )
            by_unit[unit.pk].append(CriterionStatus(criterion, result))
    return by_unit


def standings(
    programme: CertificationProgramme,
    units: Sequence[OrgUnit],
    today: datetime.date,
    *,
    with_history: bool = False,
) -> list[UnitStanding]:
    """Each unit's criteria and certificates under the programme. Queries: criteria (1),
    certifications (1), pending evidence (1), and each criterion's evaluator (constant)."""
    units = list(units)
    criteria = criteria_of(programme)
    evaluated = evaluate(criteria, units, today)
    # The units' subtrees, not a list of a thousand ids; rows of other units are skipped.
    subtrees = evaluators.in_subtrees(units, "unit__path")
    certificates: dict[int, list[Certification]] = {u.pk: [] for u in units}
    for certificate in (
        Certification.objects.filter(programme=programme)
        .filter(subtrees)
        .order_by("-certified_on", "-pk")
    ):
        if certificate.unit_id in certificates:
            certificates[certificate.unit_id].append(certificate)
    pending: dict[int, int] = {}
    for unit_id in (
        Evidence.objects.filter(criterion__programme=programme, status=EvidenceStatus.SUBMITTED)
        .filter(subtrees)
        .values_list("unit_id", flat=True)
    ):
        pending[unit_id] = pending.get(unit_id, 0) + 1
    return [
        UnitStanding(
            unit=unit,
            criteria=evaluated[unit.pk],
            current=(certificates[unit.pk] or [None])[0],
            today=today,
            pending_evidence=pending.get(unit.pk, 0),
            history=certificates[unit.pk] if with_history else [],
        )
        for unit in units
    ]


def standing(
    programme: CertificationProgramme, unit: OrgUnit, today: datetime.date
) -> UnitStanding:
    return standings(programme, [unit], today, with_history=True)[0]


def evidence_history(unit: OrgUnit, programme: CertificationProgramme) -> list[Evidence]:
    return list(
        Evidence.objects.filter(unit=unit, criterion__programme=programme)
        .select_related("criterion", "submitted_by", "reviewed_by")
        .order_by("-submitted_at", "-pk")
    )


def evidence_for_hr(user, evidence_id: int) -> Evidence | None:
    return (
        Evidence.objects.filter(pk=evidence_id, unit__in=hr_units_for(user))
        .select_related("criterion__programme", "unit")
        .first()
    )


def evidence_for_manager(user, evidence_id: int) -> Evidence | None:
    return (
        Evidence.objects.filter(pk=evidence_id, unit__in=managed_units(user))
        .select_related("criterion__programme", "unit")
        .first()
    )


def certificate_for(user, certification_id: int) -> Certification | None:
    """HR in scope, and the managers of the unit (it is their unit's certificate)."""
    scope = hr_units_for(user) | managed_units(user)
    return (
        Certification.objects.filter(pk=certification_id, unit__in=scope)
        .select_related("unit", "programme")
        .first()
    )
