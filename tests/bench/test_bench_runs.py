"""The benchmarks still run (a reduced size; timings are not judged here)."""

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.helpers import require

ROOT = Path(__file__).resolve().parents[2]


def test_bench_runs_at_reduced_size():
    require(
        os.environ.get("DATABASE_URL", "").startswith("postgres"),
        "the benchmarks need DATABASE_URL=postgres://…",
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "lms.settings.test", "BENCH_PAGE_SECONDS": "2"}
    env["DATABASE_URL"] = env["DATABASE_URL"].rsplit("/", 1)[0] + "/lms_bench_ci"
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--people", "300", "--units", "20", "--courses", "8"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for name in (
        "employee import (new file)",
        "rule evaluation, nightly (no changes)",
        "rule evaluation, new rule",
        "diploma: render one PDF",
        "diploma: ZIP of a unit",
        "api completions (all pages)",
        "renewal sweep",
        "active-measures report (selector)",
        "group-module figures (HR)",
        "group-module reminder decision",
        "certification: criteria for every unit",
    ):
        # A row may say its size in brackets: "diploma: ZIP of a unit (122 diplomas): ours …".
        assert re.search(re.escape(name) + r"(?: \([^)\n]*\))?: ours ", result.stdout), (
            result.stdout
        )
    # The learner pages through gunicorn: requests per second next to the bare Wagtail page.
    assert re.search(r"bare Wagtail page: [\d.]+ requests/s", result.stdout), result.stdout
    for name in ("home page", "catalogue page", "course page", "module page"):
        assert re.search(
            re.escape(name) + r": [\d.]+ requests/s, bare page [\d.]+, ratio [\d.]+", result.stdout
        ), result.stdout
