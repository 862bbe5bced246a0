"""A made-up municipality's HR export, for the demo, the tests and the benchmarks.

Deterministic for a given seed. Three levels: the municipality, its administrations
(förvaltningar) and their units (enheter); about 8 % managers.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta

from .importing import COLUMNS

ADMINISTRATIONS = [
    ("KLF", "Kommunledningsförvaltningen"),
    ("SOC", "Socialförvaltningen"),
    ("UTB", "Utbildningsförvaltningen"),
    ("FSK", "Förskoleförvaltningen"),
    ("VOF", "Vård- och omsorgsförvaltningen"),
    ("TEK", "Tekniska förvaltningen"),
    ("KUF", "Kultur- och fritidsförvaltningen"),
    ("SBF", "Samhällsbyggnadsförvaltningen"),
]
UNIT_KINDS = {
    "KLF": ["HR-enheten", "Ekonomienheten", "Kommunikationsenheten", "Kontaktcenter", "IT-enheten"],
    "SOC": ["Barn och familj", "Ekonomiskt bistånd", "Vuxenenheten", "Mottagningen", "LSS-enheten"],
    "UTB": ["Norrskolan", "Söderskolan", "Västra skolan", "Gymnasieskolan", "Vuxenutbildningen"],
    "FSK": [
        "Förskolan Solen",
        "Förskolan Månen",
        "Förskolan Lärkan",
        "Förskolan Eken",
        "Förskolan Björken",
    ],
    "VOF": [
        "Hemtjänst norr",
        "Hemtjänst söder",
        "Äldreboendet Linden",
        "Äldreboendet Almen",
        "Hälso- och sjukvård",
    ],
    "TEK": ["Gata och park", "Vatten och avlopp", "Fastighet", "Måltidsservice", "Renhållning"],
    "KUF": ["Biblioteket", "Fritidsgårdar", "Idrottsanläggningar", "Kulturskolan", "Turism"],
    "SBF": ["Bygglov", "Miljö och hälsa", "Planenheten", "Lantmäteri", "Trafik"],
}
FIRST_NAMES = [
    "Anna",
    "Eva",
    "Maria",
    "Karin",
    "Sara",
    "Lena",
    "Emma",
    "Kristina",
    "Elin",
    "Ida",
    "Hanna",
    "Johanna",
    "Amina",
    "Fatima",
    "Leila",
    "Sofia",
    "Maja",
    "Nora",
    "Alva",
    "Ebba",
    "Erik",
    "Lars",
    "Karl",
    "Anders",
    "Johan",
    "Per",
    "Mikael",
    "Ahmed",
    "Mohammed",
    "Ali",
    "Omar",
    "Jonas",
    "Oskar",
    "Liam",
    "Noah",
    "Elias",
    "Hugo",
    "Kim",
    "Robin",
    "Alex",
]
LAST_NAMES = [
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
    "Pettersson",
    "Jonsson",
    "Jansson",
    "Hansson",
    "Bengtsson",
    "Berg",
    "Lindberg",
    "Lindqvist",
    "Ek",
    "Holm",
    "Hassan",
    "Ali",
    "Mohammed",
    "Yilmaz",
    "Nguyen",
    "Kowalski",
    "Hosseini",
    "Abdi",
    "Rahimi",
    "Sjöberg",
    "Wallin",
    "Engström",
    "Lund",
    "Falk",
]
TITLES = [
    "Handläggare",
    "Administratör",
    "Lärare",
    "Förskollärare",
    "Barnskötare",
    "Undersköterska",
    "Sjuksköterska",
    "Socialsekreterare",
    "Ingenjör",
    "Kock",
    "Bibliotekarie",
    "Fritidsledare",
    "Utredare",
    "Controller",
    "Kommunikatör",
]


# The demo users who are employees (lms/demo.py), so that re-importing the file keeps them.
DEMO_EMPLOYEES = [
    (
        "D00001",
        "Alva",
        "Lindqvist",
        "medarbetare@demo.example",
        "FSK01",
        "Förskollärare",
        "Nej",
        "K",
    ),
    ("D00002", "Omar", "Haddad", "chef@demo.example", "FSK01", "Förskolechef", "Ja", "M"),
    ("D00003", "Kim", "Berg", "hr@demo.example", "KLF01", "HR-strateg", "Nej", "Annat"),
]


def sample_rows(people: int = 520, *, seed: int = 2026, demo: bool = False) -> list[dict[str, str]]:
    """Rows with the headers of COLUMNS, one per employee (plus the demo users if `demo`)."""
    rng = random.Random(seed)  # noqa: S311  (made-up data, not security)
    units = [("KOMMUN", "Exempelkommun", "")]
    for code, name in ADMINISTRATIONS:
        units.append((code, name, "KOMMUN"))
        for number, unit_name in enumerate(UNIT_KINDS[code], start=1):
            units.append((f"{code}{number:02d}", unit_name, code))
    rows: list[dict[str, str]] = []
    today = date(2026, 11, 1)

    def person(unit: tuple[str, str, str], *, manager: bool) -> dict[str, str]:
        number = len(rows) + 1
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        start = today - timedelta(days=rng.randint(30, 30 * 365))
        sex = rng.choices(["K", "M", "Annat", ""], weights=[66, 31, 1, 2])[0]
        return {
            "Anställningsnummer": f"E{number:06d}",
            "Förnamn": first,
            "Efternamn": last,
            "E-post": f"{first}.{last}.{number}@exempelkommun.se".lower()
            .replace("å", "a")
            .replace("ä", "a")
            .replace("ö", "o"),
            "Enhetskod": unit[0],
            "Enhetsnamn": unit[1],
            "Överordnad enhetskod": unit[2],
            "Befattning": "Chef" if manager else rng.choice(TITLES),
            "Chef": "Ja" if manager else "Nej",
            "Anställningsdatum": start.isoformat(),
            "Slutdatum": "",
            "Kön": sex,
        }

    for unit in units:  # every unit has a manager
        rows.append(person(unit, manager=True))
    staff_units = units[2:]  # staff work in the units, not at the top
    while len(rows) < people:
        rows.append(person(rng.choice([u for u in staff_units if u[2] != "KOMMUN"]), manager=False))
    if demo:
        unit_by_code = {u[0]: u for u in units}
        for number, first, last, email, code, title, manager, sex in DEMO_EMPLOYEES:
            unit = unit_by_code[code]
            rows.append(
                {
                    "Anställningsnummer": number,
                    "Förnamn": first,
                    "Efternamn": last,
                    "E-post": email,
                    "Enhetskod": code,
                    "Enhetsnamn": unit[1],
                    "Överordnad enhetskod": unit[2],
                    "Befattning": title,
                    "Chef": manager,
                    "Anställningsdatum": "2020-08-17",
                    "Slutdatum": "",
                    "Kön": sex,
                }
            )
    return rows


def as_csv(rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), delimiter=";")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def as_xlsx(rows: list[dict[str, str]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Personal")
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([row[column] for column in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
