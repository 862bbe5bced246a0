"""Signal receivers: a diploma for every completion, written with it; files go with rows."""

from __future__ import annotations

from django.db import transaction

from . import services


def create_diploma(sender, *, completion, **kwargs) -> None:
    # Inside the completion's transaction: the row exists exactly when the completion does.
    diploma = services.diploma_issue(completion=completion)

    def enqueue() -> None:
        from .tasks import render_diploma

        render_diploma.delay(diploma.pk)

    transaction.on_commit(enqueue)


def delete_pdf(sender, *, instance, **kwargs) -> None:
    if instance.pdf:
        name, storage = instance.pdf.name, instance.pdf.storage
        transaction.on_commit(lambda: storage.delete(name))
