"""Phone numbers: E.164 normalisation (default region Morocco) and masking for logs."""
from __future__ import annotations

import re

import phonenumbers

from .errors import InvalidInput

__all__ = ["normalise_phone", "mask_phone", "country_of", "DEFAULT_REGION"]

DEFAULT_REGION = "MA"
# A phone number inside free text: international (+, then 7 to 15 digits, maybe grouped), Moroccan local (05, 06,
# 07 and 8 digits) or Moroccan without its + (WhatsApp ids). Standing alone only: digits touching a letter, a dot
# or a colon belong to something else (a duration, a time, an id, an amount); a + number may follow a colon
# (`whatsapp:+2126…`). A card serial (12 digits from 0000…) or an order reference (10 digits from 1-9) is no phone.
_AFTER = r"(?![\w:]|\.\d|-\w)"
_PHONE_IN_TEXT = re.compile(
    r"(?<![\w+])\+\d(?:[\s().-]?\d){6,14}" + _AFTER
    + r"|(?<![\w.:/+-])(?:0[5-7]|212[5-7])(?:[\s.-]?\d){8}" + _AFTER)


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
    """Mask every phone number standing in a free text (log lines); durations, times and ids are left alone."""
    return _PHONE_IN_TEXT.sub(lambda m: _masked_number(re.sub(r"[\s().-]", "", m.group(0))), text)


def _masked_number(number: str) -> str:
    """Keep what tells the country (and the mobile prefix) and the last four digits."""
    if number.startswith("+"):
        return mask_phone(number)
    kept = 4 if number.startswith("212") else 2
    return number[:kept] + "*" * (len(number) - kept - 4) + number[-4:]
