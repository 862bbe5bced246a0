"""Our own templates, styles and scripts name no resource on another host.

The browser test (test_third_party_requests.py) sees what the visited pages fetch; this one also
covers what it cannot: pages it does not visit, and hints such as preconnect or a favicon that a
headless browser does not fetch. Links to other sites (`<a href>`) are fine: nothing is loaded.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOADS_FROM_ANOTHER_HOST = re.compile(
    r"""(?ix)
    (?:\bsrc|\bsrcset|\bposter|\bdata|\baction)\s*=\s*["']?\s*(?:https?:)?//   # src="//cdn…"
    | <link\b[^>]*\bhref\s*=\s*["']?\s*(?:https?:)?//                        # stylesheets, icons
    | url\(\s*["']?\s*(?:https?:)?//                                         # CSS url()
    | @import\s+(?:url\()?\s*["']?\s*(?:https?:)?//
    | \bfetch\(\s*["'`]\s*(?:https?:)?//                                     # scripts
    | \bimportScripts\(\s*["'`]\s*(?:https?:)?//
    """
)


def our_files() -> list[Path]:
    files = [*ROOT.glob("templates/**/*.html")]
    for app_static in ROOT.glob("*/static"):
        files += [p for p in app_static.rglob("*") if p.suffix in {".css", ".js", ".html"}]
    return files


def test_our_templates_styles_and_scripts_load_nothing_from_another_host():
    files = our_files()
    assert len(files) > 20, "the scan must see the project's templates"
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in files
        for match in LOADS_FROM_ANOTHER_HOST.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_pattern_catches_what_it_is_for():
    for loads in [
        '<script src="https://cdn.example/x.js">',
        "<img src='//img.example/a.png'>",
        '<link rel="preconnect" href="https://fonts.example">',
        "body { background: url(https://img.example/a.png) }",
        '@import "https://fonts.example/css";',
        "fetch('https://api.example/')",
    ]:
        assert LOADS_FROM_ANOTHER_HOST.search(loads), loads
    for harmless in ['<a href="https://www.do.se/">DO</a>', '<img src="/static/a.png">']:
        assert not LOADS_FROM_ANOTHER_HOST.search(harmless), harmless
