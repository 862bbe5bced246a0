"""Every interface string has a Swedish translation, and the committed .mo matches the .po."""

import ast
import gettext
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "sv" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def _unquote(line: str) -> str:
    return ast.literal_eval(line)


def parse_po(path: Path) -> list[dict]:
    """A small .po reader: enough for msgid/msgid_plural/msgstr[n] entries and fuzzy flags."""
    entries, entry, field = [], None, None
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            if entry and "msgid" in entry:
                entries.append(entry)
            entry, field = None, None
            continue
        entry = entry if entry is not None else {"flags": ""}
        if line.startswith("#,"):
            entry["flags"] += line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[field] += _unquote(line)
        else:
            field, _, value = line.partition(" ")
            entry[field] = _unquote(value)
    return [e for e in entries if e["msgid"]]


def test_every_string_is_translated_and_not_fuzzy():
    entries = parse_po(PO)
    assert entries, "no translations found"
    untranslated = [
        e["msgid"]
        for e in entries
        if "fuzzy" in e["flags"]
        or not (e.get("msgstr") or e.get("msgstr[0]"))
        or ("msgid_plural" in e and not e.get("msgstr[1]"))
    ]
    assert untranslated == [], f"missing or fuzzy Swedish translations: {untranslated}"


def test_compiled_catalogue_matches_po():
    with MO.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    stale = []
    for e in parse_po(PO):
        if "msgid_plural" in e:
            got = (
                catalogue.ngettext(e["msgid"], e["msgid_plural"], 1),
                catalogue.ngettext(e["msgid"], e["msgid_plural"], 2),
            )
            expected = (e["msgstr[0]"], e["msgstr[1]"])
        else:
            key = f"{e['msgctxt']}\x04{e['msgid']}" if "msgctxt" in e else e["msgid"]
            got, expected = catalogue._catalog.get(key), e["msgstr"]
        if got != expected:
            stale.append(e["msgid"])
    assert stale == [], f"django.mo is out of date (run compilemessages): {stale}"
