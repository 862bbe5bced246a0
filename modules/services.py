"""Writes of what a learner does inside a module: films played, transcripts read, reflections."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .models import WATCHED_SHARE, FilmProgress, ModulePage, ReflectionAnswer

MAX_RANGES = 500
# The player sends at most MAX_RANGES pairs of numbers; anything much larger is not a report.
MAX_REPORT_BYTES = 64 * 1024
# Seconds a range may end after the film's recorded length (the file may be a little longer).
END_TOLERANCE = 1.0
# Played parts closer than this are one part (the browser's ranges jitter between reports);
# the gap is counted as new playing time like any other.
JOIN_GAP = 0.5


def _block(module: ModulePage, block_id: str, block_type: str):
    for block in module.body:
        if block.id == block_id and block.block_type == block_type:
            if block_type == "film" and not block.value["film"]:
                break  # the film was deleted
            return block
    raise ValidationError(_("This part of the module no longer exists. Reload the page."))


def _unreadable() -> ValidationError:
    return ValidationError(_("The played parts of the film could not be read."))


def film_report_parse(body: bytes) -> list[list[float]]:
    """The played ranges of a report's body; ValidationError (never a crash) for anything else."""
    if len(body) > MAX_REPORT_BYTES:
        raise ValidationError(_("Too much data was sent about the film."))
    try:
        # json accepts NaN, Infinity, 1e309 (inf) and 400-digit integers: _seconds refuses them.
        payload = json.loads(body or b"{}")
    except (ValueError, RecursionError) as exc:  # RecursionError: [[[[...]]]] nested deeply
        raise ValidationError(_("The request could not be read.")) from exc
    if not isinstance(payload, dict):
        raise ValidationError(_("The request could not be read."))
    return parse_ranges(payload.get("played"))


def _seconds(value) -> float:
    """A finite, non-negative number of seconds, or ValidationError."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _unreadable()
    try:
        number = float(value)
    except OverflowError as exc:  # an integer too large for a float (400 digits)
        raise _unreadable() from exc
    if not math.isfinite(number) or number < 0:
        raise _unreadable()
    return round(number, 3)


def parse_ranges(raw) -> list[list[float]]:
    """[[start, end], ...] as finite, non-negative seconds with start <= end, or ValidationError."""
    if not isinstance(raw, list) or len(raw) > MAX_RANGES:
        raise _unreadable()
    ranges = []
    for item in raw:
        if not (isinstance(item, list | tuple) and len(item) == 2):
            raise _unreadable()
        start, end = _seconds(item[0]), _seconds(item[1])
        if start > end:
            raise _unreadable()
        ranges.append([start, end])
    return ranges


def merge_ranges(ranges: list[list[float]], *, gap: float = 0.0) -> list[list[float]]:
    """Sorted ranges with the empty ones dropped and those that overlap or touch (or lie less
    than `gap` apart) joined."""
    merged: list[list[float]] = []
    for start, end in sorted([float(s), float(e)] for s, e in ranges):
        if end <= start:
            continue
        if merged and start <= merged[-1][1] + gap:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def _uncovered(claimed: list[list[float]], credited: list[list[float]]) -> list[list[float]]:
    """The parts of `claimed` outside `credited`; both sorted and merged, each credited range
    lying inside one claimed range."""
    pieces, i = [], 0
    for start, end in claimed:
        cursor = start
        while i < len(credited) and credited[i][0] < end:
            if credited[i][0] > cursor:
                pieces.append([cursor, credited[i][0]])
            cursor = max(cursor, credited[i][1])
            i += 1
        if cursor < end:
            pieces.append([cursor, end])
    return pieces


def _take(pieces: list[list[float]], allowance: float) -> list[list[float]]:
    """The first `allowance` seconds of `pieces`, from the start of the film."""
    taken = []
    for start, end in pieces:
        if allowance <= 0:
            break
        end = min(end, math.floor((start + allowance) * 1000) / 1000)
        if end > start:
            taken.append([start, end])
            allowance -= end - start
    return taken


def _fresh_clock(now: datetime) -> datetime:
    # A clock started now already holds the slack.
    return now - timedelta(
        seconds=settings.FILM_CREDIT_SLACK_SECONDS / settings.FILM_MAX_PLAYBACK_RATE
    )


def film_progress_serve(
    *, user, module: ModulePage, shown: dict[str, FilmProgress], now: datetime | None = None
) -> None:
    """Start the credit clock of each film the module page shows the viewer for the first time
    (it also decides when reading the transcript can count).

    `shown` is the viewer's progress in this module by block id, as the page read it; pages that
    show nothing new write nothing.
    """
    # Embedded films send no reports, but their transcript needs the clock too.
    blocks = [b for b in module.body if b.block_type == "film" and b.value["film"]]
    new = [b for b in blocks if b.id not in shown]
    unstarted = [b.id for b in blocks if b.id in shown and shown[b.id].credit_from is None]
    # The editor put another film in this place: viewing starts over, clock included, or an old
    # clock would let the new film be claimed at once.
    swapped = [b for b in blocks if b.id in shown and shown[b.id].film_id != b.value["film"].pk]
    if not new and not unstarted and not swapped:
        return  # the usual page view: nothing to write, so no transaction either
    with transaction.atomic():
        _film_clocks_start(
            user=user, module=module, new=new, unstarted=unstarted, swapped=swapped, now=now
        )


def _film_clocks_start(*, user, module, new: list, unstarted: list, swapped: list, now) -> None:
    clock = _fresh_clock(now or timezone.now())
    for block in swapped:
        FilmProgress.objects.filter(user=user, module_id=module.pk, block_id=block.id).exclude(
            film=block.value["film"]
        ).update(
            film=block.value["film"],
            played_ranges=[],
            seconds_played=0,
            watched_at=None,
            transcript_read_at=None,
            credit_from=clock,
        )
    if new:
        # Another tab may have shown it a moment ago: its clock is as good as ours.
        FilmProgress.objects.bulk_create(
            [
                FilmProgress(
                    user=user,
                    module_id=module.pk,
                    block_id=block.id,
                    film=block.value["film"],
                    credit_from=clock,
                )
                for block in new
            ],
            ignore_conflicts=True,
        )
    if unstarted:
        FilmProgress.objects.filter(
            user=user, module_id=module.pk, block_id__in=unstarted, credit_from__isnull=True
        ).update(credit_from=clock)


@transaction.atomic
def film_progress_record(
    *,
    user,
    module: ModulePage,
    block_id: str,
    played: list[list[float]],
    now: datetime | None = None,
) -> FilmProgress:
    """Add what the player reports as played. Watched once WATCHED_SHARE of the film is covered.

    The film's length comes from the film record, never from the browser, and ranges are only
    ever added to: a report cannot undo what was already played. New seconds are credited only
    as fast as they could have been played: at most the time since the previous report (or since
    the page first showed the film) times FILM_MAX_PLAYBACK_RATE, plus FILM_CREDIT_SLACK_SECONDS.
    The rest of a report is ignored; the player sends its played ranges again later, and they
    count then.
    """
    now = now or timezone.now()
    film = _block(module, block_id, "film").value["film"]
    if film.is_embedded:
        raise ValidationError(_("An embedded film counts when you have read its transcript."))
    duration = float(film.duration_seconds)
    if any(end > duration + END_TOLERANCE for _start, end in played):
        raise ValidationError(_("The played parts go beyond the end of the film."))
    progress, _created = FilmProgress.objects.select_for_update().get_or_create(
        user=user, module_id=module.pk, block_id=block_id, defaults={"film": film}
    )
    rate = settings.FILM_MAX_PLAYBACK_RATE
    fresh = _fresh_clock(now)
    if progress.film_id != film.pk:
        # The editor put another film in this place: what was played of the old one is moot,
        # and so is its clock.
        progress.played_ranges, progress.seconds_played, progress.watched_at = [], 0, None
        progress.transcript_read_at, progress.credit_from = None, fresh
    clock = progress.credit_from or fresh
    credited = merge_ranges(progress.played_ranges)
    reported = [[start, min(end, duration)] for start, end in played]
    claimed = merge_ranges(credited + reported, gap=JOIN_GAP)
    new = _uncovered(claimed, credited)
    taken = _take(new, max(0.0, (now - clock).total_seconds() * rate))
    spent = sum(end - start for start, end in taken)
    progress.uncredited_seconds = sum(end - start for start, end in new) - spent
    # Time not used by this report is kept only up to the slack: a report stands for the time
    # since the previous one, so frequent small reports cannot pile up slack.
    progress.credit_from = max(clock + timedelta(seconds=spent / rate), fresh)
    progress.played_ranges = merge_ranges(credited + taken)
    progress.seconds_played = sum(end - start for start, end in progress.played_ranges)
    if progress.watched_at is None and progress.seconds_played >= WATCHED_SHARE * duration:
        progress.watched_at = now
    progress.film = film
    progress.save()
    return progress


def _next_second(moment: datetime) -> datetime:
    whole = moment.replace(microsecond=0)
    return whole if whole == moment else whole + timedelta(seconds=1)


@transaction.atomic
def film_transcript_read(
    *, user, module: ModulePage, block_id: str, now: datetime | None = None
) -> FilmProgress:
    """Count the film as watched because the learner has read its transcript.

    The transcript is the alternative for people who cannot see or hear the film, so it is
    offered for every film, under the same time rule as playing: it counts once the credit clock
    would have let the rest of the film, up to WATCHED_SHARE, be played at
    FILM_MAX_PLAYBACK_RATE. Earlier, nothing is recorded and the message says from when it
    counts. Embedded films have a length in their record too and follow the same rule.
    """
    now = now or timezone.now()
    film = _block(module, block_id, "film").value["film"]
    progress, _created = FilmProgress.objects.select_for_update().get_or_create(
        user=user, module_id=module.pk, block_id=block_id, defaults={"film": film}
    )
    same_film = progress.film_id == film.pk
    if progress.transcript_read_at is not None and same_film:
        return progress
    if not (same_film and progress.watched_at):
        played = progress.seconds_played if same_film else 0.0
        rest = max(0.0, WATCHED_SHARE * film.duration_seconds - played)
        # No clock yet: the page never showed the film; it starts when the page is shown.
        # Another film's clock does not count for this one.
        clock = (progress.credit_from if same_film else None) or _fresh_clock(now)
        ready = clock + timedelta(seconds=rest / settings.FILM_MAX_PLAYBACK_RATE)
        if now < ready:
            # Rolled back with the transaction: a row created above is not kept either.
            raise ValidationError(
                _(
                    "You can confirm that you have read the transcript from %(time)s, when there "
                    "has been time to watch the film. Keep reading until then."
                )
                # Rounded up: at the second shown it is accepted.
                % {"time": formats.time_format(timezone.localtime(_next_second(ready)), "H:i:s")}
            )
    progress.transcript_read_at = now
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
