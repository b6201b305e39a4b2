"""Order and complaint references: ten digits, the last a Verhoeff check digit over the first nine."""
from __future__ import annotations

import secrets

from .errors import BadCheckDigit, MalformedReference

__all__ = ["check_digit", "is_valid", "new_reference", "parse_reference", "format_reference", "to_ascii_digits"]

# Verhoeff's tables: the dihedral group D5 (_D), the position permutation (_P) and the inverse (_INV).
_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 2, 3, 4, 0, 6, 7, 8, 9, 5), (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7), (4, 0, 1, 2, 3, 9, 5, 6, 7, 8), (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2), (7, 6, 5, 9, 8, 2, 1, 0, 4, 3), (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 5, 7, 6, 2, 8, 3, 0, 9, 4), (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7), (9, 4, 5, 3, 1, 2, 6, 8, 7, 0), (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5), (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)
_INV = (0, 4, 3, 2, 1, 5, 6, 7, 8, 9)

# Eastern Arabic (U+0660..) and Persian (U+06F0..) digits, as typed on Arabic keyboards.
_DIGITS = {ord(c): str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")}
_DIGITS.update({ord(c): str(i) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")})
_SEPARATORS = " \t\u00a0\u202f-./"
LENGTH = 10


def to_ascii_digits(text: str) -> str:
    """Return text with Eastern Arabic and Persian digits replaced by ASCII ones."""
    return text.translate(_DIGITS)


def _checksum(digits: str) -> int:
    c = 0
    for i, ch in enumerate(reversed(digits)):
        c = _D[c][_P[i % 8][int(ch)]]
    return c


def check_digit(payload: str) -> str:
    """Return the Verhoeff check digit for a string of ASCII digits."""
    c = 0
    for i, ch in enumerate(reversed(payload)):
        c = _D[c][_P[(i + 1) % 8][int(ch)]]
    return str(_INV[c])


def is_valid(digits: str) -> bool:
    """Tell whether a string of ASCII digits ends with its correct Verhoeff check digit."""
    return digits.isascii() and digits.isdigit() and _checksum(digits) == 0


def new_reference(first_digits: str = "12345678", randbelow=secrets.randbelow) -> str:
    """Draw a fresh reference whose first digit is one of first_digits."""
    head = first_digits[randbelow(len(first_digits))]
    body = "".join(str(randbelow(10)) for _ in range(LENGTH - 2))
    payload = head + body
    return payload + check_digit(payload)


def parse_reference(text: str) -> str:
    """Turn what a person typed into a canonical reference, or raise a named error."""
    cleaned = to_ascii_digits(str(text)).strip()
    for sep in _SEPARATORS:
        cleaned = cleaned.replace(sep, "")
    if len(cleaned) != LENGTH or not cleaned.isascii() or not cleaned.isdigit():
        raise MalformedReference(text)
    if not is_valid(cleaned):
        raise BadCheckDigit(cleaned)
    return cleaned


def format_reference(reference: str) -> str:
    """Group a reference for reading: 261 148 273 5."""
    return f"{reference[0:3]} {reference[3:6]} {reference[6:9]} {reference[9:]}"
