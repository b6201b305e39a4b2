"""Field checks for what citizens and staff type; each problem names the field and what is allowed."""
from __future__ import annotations

import unicodedata
from datetime import date, datetime

import phonenumbers

from .references import to_ascii_digits

__all__ = [
    "Problems", "clean_text", "RELATIONS", "ENTITLED_TO_FULL_COPY", "LANGUAGES", "CHANNELS", "CALENDARS",
    "hijri_year_of", "valid_country", "barcode_problem",
]

RELATIONS = ("self", "parent", "grandparent", "child", "grandchild", "spouse", "guardian", "authorised", "other")
# DOMAIN.md: the full copy goes only to the holder, ascendants, descendants, spouse, guardian or someone authorised.
ENTITLED_TO_FULL_COPY = frozenset(RELATIONS) - {"other"}
LANGUAGES = ("ar", "fr", "en")
CHANNELS = ("ussd", "sms", "whatsapp", "web", "staff")
CALENDARS = ("gregorian", "hijri")
_COUNTRIES = frozenset(phonenumbers.SUPPORTED_REGIONS)  # real countries and territories, ISO 3166 codes


class Problems(dict):
    """Collects field problems; `raise_if_any` raises InvalidInput with all of them."""

    def check(self, ok: bool, field: str, message: str) -> bool:
        if not ok and field not in self:
            self[field] = message
        return ok

    def raise_if_any(self, error_class) -> None:
        if self:
            raise error_class(self)


def clean_text(value, limit: int) -> str | None:
    """Strip control characters and surrounding space; None for empty; cut nothing (the caller checks length)."""
    if value is None:
        return None
    text = "".join(ch for ch in str(value) if unicodedata.category(ch)[0] != "C" or ch == " ")
    text = " ".join(text.split())
    return text or None


def hijri_year_of(when: date | datetime) -> int:
    """The Hijri year in which a Gregorian date falls, to within one year (enough for a bound check)."""
    return int((when.year - 622) * 33 / 32) + 1


def valid_country(code: str) -> bool:
    return isinstance(code, str) and code.upper() in _COUNTRIES


_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


def barcode_problem(barcode: str) -> str | None:
    """Check a registered-mail barcode (UPU S10, e.g. RR123456785MA); None when it is right."""
    code = (barcode or "").replace(" ", "").upper()
    if len(code) != 13 or not (code[:2].isalpha() and code[2:11].isdigit() and code[11:].isalpha()):
        return "a registered-mail barcode is 2 letters, 9 digits, 2 letters (e.g. RR123456785MA)"
    total = sum(int(d) * w for d, w in zip(code[2:10], _S10_WEIGHTS))
    check = 11 - total % 11
    check = {10: 0, 11: 5}.get(check, check)
    return None if int(code[10]) == check else "check the barcode: its check digit does not match"


def digits_only(value) -> str:
    return to_ascii_digits(str(value or "")).strip()
