"""Measuring one hot path next to its baseline in the same run.

Each benchmark prints `name: ours X ms, baseline Y ms, ratio R` with query counts and peak
memory, and PASS or FAIL against the target ratio its issue sets. Timing never fails a run:
machines are noisy; the figures are for people to read.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.test.utils import CaptureQueriesContext


@dataclass
class Measurement:
    ms: float
    queries: int
    peak_mib: float


def measure(
    func: Callable[[], object], *, setup: Callable[[], object] | None = None, repeat: int = 1
) -> Measurement:
    """Best of `repeat` timed runs (setup before each, not timed), then one more run under
    tracemalloc for the peak memory: tracing slows Python down several times, so it must not
    be part of the timing (it would punish Python-side work against plain SQL)."""
    best: Measurement | None = None
    for _ in range(repeat):
        if setup:
            setup()
        # Django keeps at most 9,000 queries per connection; once full, a capture counts 0.
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            func()
            elapsed = (time.perf_counter() - start) * 1000
        if best is None or elapsed < best.ms:
            best = Measurement(elapsed, len(queries), 0.0)
    if setup:
        setup()
    tracemalloc.start()
    func()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    best.peak_mib = peak / 2**20
    return best


def report(name: str, ours: Measurement, baseline: Measurement, *, target: float) -> bool:
    ratio = ours.ms / baseline.ms if baseline.ms else float("inf")
    verdict = "PASS" if ratio <= target else "FAIL"
    print(
        f"{name}: ours {ours.ms:.0f} ms, baseline {baseline.ms:.0f} ms, ratio {ratio:.2f} "
        f"(target ≤ {target}) {verdict} | queries {ours.queries} vs {baseline.queries} | "
        f"peak memory {ours.peak_mib:.0f} MiB vs {baseline.peak_mib:.0f} MiB",
        flush=True,
    )
    return ratio <= target
