from __future__ import annotations

from django.db.models import Q

from .models import FilmProgress, ReflectionAnswer


def watched_block_ids(*, user, module) -> set[str]:
    return set(
        FilmProgress.objects.filter(user=user, module_id=module.pk)
        .filter(Q(watched_at__isnull=False) | Q(transcript_read_at__isnull=False))
        .values_list("block_id", flat=True)
    )


def film_progress_by_block(*, user, module) -> dict[str, FilmProgress]:
    return {fp.block_id: fp for fp in FilmProgress.objects.filter(user=user, module_id=module.pk)}


def reflection_answers_by_block(*, user, module) -> dict[str, ReflectionAnswer]:
    return {
        answer.block_id: answer
        for answer in ReflectionAnswer.objects.filter(user=user, module_id=module.pk)
    }
