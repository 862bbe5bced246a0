"""Swedish organisation numbers (organisationsnummer): ten digits, the last a Luhn check digit."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s-]")


def luhn_ok(digits: str) -> bool:
    """The Luhn (mod 10) check used by Skatteverket for personal and organisation numbers."""
    total = 0
    for index, char in enumerate(digits):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def normalise(text: str) -> str | None:
    """The stored form (ten digits, no dash) of a typed number, or None if it is not valid.

    Accepts "556036-0793" and "5560360793"; a twelve-digit form with the "16" prefix that some
    registers print is accepted too. The third digit is at least 2 for legal persons.
    """
    if not isinstance(text, str):
        return None
    digits = _SEPARATORS.sub("", text)
    if len(digits) == 12 and digits.startswith("16"):
        digits = digits[2:]
    if len(digits) != 10 or not digits.isdigit():
        return None
    if not luhn_ok(digits):
        return None
    return digits


def display(digits: str) -> str:
    return f"{digits[:6]}-{digits[6:]}"
