"""Writes of what a learner does inside a module: films played, transcripts read, reflections."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import WATCHED_SHARE, FilmProgress, ModulePage, ReflectionAnswer

MAX_RANGES = 500


def _block(module: ModulePage, block_id: str, block_type: str):
    for block in module.body:
        if block.id == block_id and block.block_type == block_type:
            if block_type == "film" and not block.value["film"]:
                break  # the film was deleted
            return block
    raise ValidationError(_("This part of the module no longer exists. Reload the page."))


def merge_ranges(ranges: list[list[float]], *, duration: float) -> list[list[float]]:
    """Clip to [0, duration], drop empty ranges and merge overlapping ones."""
    clipped = sorted(
        [max(0.0, float(start)), min(float(duration), float(end))]
        for start, end in ranges
        if float(end) > float(start)
    )
    merged: list[list[float]] = []
    for start, end in clipped:
        if end <= start:
            continue
        if merged and start <= merged[-1][1] + 0.5:  # half a second of jitter between reports
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def parse_ranges(raw) -> list[list[float]]:
    if not isinstance(raw, list) or len(raw) > MAX_RANGES:
        raise ValidationError(_("The played parts of the film could not be read."))
    ranges = []
    for item in raw:
        if not (isinstance(item, list | tuple) and len(item) == 2):
            raise ValidationError(_("The played parts of the film could not be read."))
        try:
            start, end = float(item[0]), float(item[1])
        except (TypeError, ValueError) as exc:
            raise ValidationError(_("The played parts of the film could not be read.")) from exc
        if start != start or end != end or start < 0:  # NaN or negative
            raise ValidationError(_("The played parts of the film could not be read."))
        ranges.append([start, end])
    return ranges


@transaction.atomic
def film_progress_record(
    *, user, module: ModulePage, block_id: str, played: list[list[float]]
) -> FilmProgress:
    """Add what the player reports as played. Watched once WATCHED_SHARE of the film is covered.

    The film's length comes from the film record, never from the browser, and ranges are only
    ever added to: a report cannot undo what was already played.
    """
    film = _block(module, block_id, "film").value["film"]
    if film.is_embedded:
        raise ValidationError(_("An embedded film counts when you have read its transcript."))
    progress, _created = FilmProgress.objects.select_for_update().get_or_create(
        user=user, module_id=module.pk, block_id=block_id, defaults={"film": film}
    )
    if progress.film_id != film.pk:
        # The editor put another film in this place: what was played of the old one is moot.
        progress.played_ranges, progress.seconds_played, progress.watched_at = [], 0, None
    duration = float(film.duration_seconds)
    progress.played_ranges = merge_ranges(progress.played_ranges + played, duration=duration)
    progress.seconds_played = sum(end - start for start, end in progress.played_ranges)
    if progress.watched_at is None and progress.seconds_played >= WATCHED_SHARE * duration:
        progress.watched_at = timezone.now()
    progress.film = film
    progress.save()
    return progress


@transaction.atomic
def film_transcript_read(*, user, module: ModulePage, block_id: str) -> FilmProgress:
    film = _block(module, block_id, "film").value["film"]
    progress, _created = FilmProgress.objects.select_for_update().get_or_create(
        user=user, module_id=module.pk, block_id=block_id, defaults={"film": film}
    )
    if progress.transcript_read_at is None:
        progress.transcript_read_at = timezone.now()
        progress.save(update_fields=["transcript_read_at", "updated_at"])
    return progress


@transaction.atomic
def reflection_save(*, user, module: ModulePage, block_id: str, text: str) -> ReflectionAnswer:
    _block(module, block_id, "reflection")
    text = text.strip()
    if not text:
        raise ValidationError(_("Write something before you save."))
    if len(text) > 10_000:
        raise ValidationError(_("The answer can be at most 10,000 characters long."))
    answer, _created = ReflectionAnswer.objects.update_or_create(
        user=user, module_id=module.pk, block_id=block_id, defaults={"text": text}
    )
    return answer
