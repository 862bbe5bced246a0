"""Verification codes: long, random, easy to read aloud and to type.

Crockford's base32 alphabet (no I, L, O, U: nothing to confuse with 1, 0 or V) and 16
characters: 80 bits from `secrets`, so nobody finds a diploma by guessing. Stored without
separators, shown in groups of four.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 16
GROUP = 4
# Anything longer than a code with generous separators is not a code: answered as unknown
# without touching the database.
MAX_INPUT_LENGTH = 64
_LOOKALIKES = str.maketrans({"I": "1", "L": "1", "O": "0"})


def bits() -> float:
    """Randomness of one code, in bits."""
    import math

    return LENGTH * math.log2(len(ALPHABET))


def generate() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(text: str) -> str | None:
    """The stored form of a typed code (any case, spaces, dashes), or None if it cannot be one."""
    if not isinstance(text, str) or len(text) > MAX_INPUT_LENGTH:
        return None
    code = "".join(ch for ch in text.upper() if ch not in " -\t").translate(_LOOKALIKES)
    if len(code) != LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code


def display(code: str) -> str:
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))
