"""Diplomas: rendering one PDF, and HR's ZIP of a unit's diplomas, each next to its floor.

- render one PDF: `services.diploma_render` (row lock, issuer setting, ReportLab, storage)
  against `pdf.render` of the same content alone (the library's own cost). Target 1.5.
- ZIP of a unit: `services.diplomas_zip` over the unit's diplomas (rows read in chunks,
  files copied in blocks into a temporary file) against a raw `zipfile` of the same files
  whose paths are known beforehand. Target 1.5.

Run after `municipality.generate(...)`: `from bench import diplomas; diplomas.run()`.
"""

from __future__ import annotations

import tempfile
import zipfile

from django.db import transaction
from django.db.models import Count

from diplomas import pdf, services
from diplomas.models import Diploma
from people.models import OrgUnit
from progress.models import Completion

from .harness import measure, report

TARGET_RATIO = 1.5
ZIP_SIZE = 200  # diplomas in the unit (rendering them first takes a while)


def _unit_with_completions() -> OrgUnit:
    counts = (
        Completion.objects.values("user__person__unit")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    return OrgUnit.objects.get(pk=counts["user__person__unit"])


def run() -> None:
    unit = _unit_with_completions()
    completions = list(
        Completion.objects.filter(user__person__unit=unit).select_related("user")[:ZIP_SIZE]
    )
    with transaction.atomic():
        diplomas = [services.diploma_issue(completion=c) for c in completions]
    one = diplomas[0]

    def clear() -> None:
        fresh = Diploma.objects.get(pk=one.pk)
        if fresh.pdf:
            fresh.pdf.storage.delete(fresh.pdf.name)
        Diploma.objects.filter(pk=one.pk).update(pdf="")

    content = services.diploma_content(Diploma.objects.select_related("completion").get(pk=one.pk))
    report(
        "diploma: render one PDF",
        measure(lambda: services.diploma_render(diploma_id=one.pk), setup=clear, repeat=5),
        measure(lambda: pdf.render(content), repeat=5),
        target=TARGET_RATIO,
    )

    for diploma in diplomas:
        services.diploma_render(diploma_id=diploma.pk)
    queryset = Diploma.objects.filter(pk__in=[d.pk for d in diplomas])
    paths = [(d.pdf.path, f"{d.code}.pdf") for d in queryset]

    def ours() -> None:
        with tempfile.TemporaryFile() as target:
            services.diplomas_zip(diplomas=queryset, target=target)

    def baseline() -> None:
        with (
            tempfile.TemporaryFile() as target,
            zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive,
        ):
            for path, name in paths:
                archive.write(path, name)

    report(
        f"diploma: ZIP of a unit ({len(paths)} diplomas)",
        measure(ours, repeat=3),
        measure(baseline, repeat=3),
        target=TARGET_RATIO,
    )
