"""Phone numbers: E.164 normalisation (default region Morocco) and masking for logs."""
from __future__ import annotations

import re

import phonenumbers

from .errors import InvalidInput

__all__ = ["normalise_phone", "mask_phone", "country_of", "DEFAULT_REGION"]

DEFAULT_REGION = "MA"
_E164ISH = re.compile(r"\+?\d[\d\s().-]{6,}\d")


def normalise_phone(text: str, region: str = DEFAULT_REGION, field: str = "phone") -> str:
    """Return the E.164 form of a phone number typed in any usual way, or raise InvalidInput."""
    raw = (text or "").strip()
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    try:
        number = phonenumbers.parse(raw[:40], region)
    except phonenumbers.NumberParseException:
        raise InvalidInput({field: f"not a phone number: {raw[:40]!r}"}) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput({field: f"not a valid phone number: {raw[:40]!r}"})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def country_of(e164: str) -> str | None:
    """The ISO country code of an E.164 number, or None."""
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(e164, None))
    except phonenumbers.NumberParseException:
        return None


def mask_phone(text: str) -> str:
    """Mask a phone number keeping its first five and last four characters: +2126****5678."""
    s = str(text or "")
    if len(s) <= 8:
        return "*" * len(s)
    return s[:5] + "*" * (len(s) - 9) + s[-4:]


def mask_phones_in(text: str) -> str:
    """Mask every phone-number-like run of digits inside a free text (log lines)."""
    return _E164ISH.sub(lambda m: mask_phone(re.sub(r"[\s().-]", "", m.group(0))), text)
