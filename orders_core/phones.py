"""Phone numbers: E.164 normalisation (default region Morocco), which numbers can take an SMS, numbers typed the
national way abroad, and masking for logs."""
from __future__ import annotations

import re

import phonenumbers

from .errors import InvalidInput

__all__ = ["normalise_phone", "sms_phone", "typed_phone", "sms_capable", "number_kind", "mask_phone", "country_of",
           "DEFAULT_REGION"]

DEFAULT_REGION = "MA"
_KIND = phonenumbers.PhoneNumberType
# Number types an SMS can reach (libphonenumber's metadata). Moroccan fixed lines (05...), toll-free, shared-cost
# and VoIP numbers (08...) cannot; where the plan cannot tell fixed from mobile (the US, Canada) we let it try, and
# a type the metadata does not know is given the benefit of the doubt: the provider's answer (Twilio 21614,
# 30006; AT 404) says the rest.
_SMS_KINDS = frozenset({_KIND.MOBILE, _KIND.FIXED_LINE_OR_MOBILE, _KIND.PERSONAL_NUMBER, _KIND.UNKNOWN})
_KIND_NAMES = {_KIND.FIXED_LINE: "fixed_line", _KIND.MOBILE: "mobile", _KIND.FIXED_LINE_OR_MOBILE: "fixed_or_mobile",
               _KIND.TOLL_FREE: "toll_free", _KIND.PREMIUM_RATE: "premium_rate", _KIND.SHARED_COST: "shared_cost",
               _KIND.VOIP: "voip", _KIND.PERSONAL_NUMBER: "personal", _KIND.PAGER: "pager", _KIND.UAN: "uan",
               _KIND.VOICEMAIL: "voicemail"}
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


def number_kind(e164: str) -> str:
    """What kind of line an E.164 number is ("mobile", "fixed_line", "voip", ...; "unknown" when unsure)."""
    try:
        return _KIND_NAMES.get(phonenumbers.number_type(phonenumbers.parse(e164, None)), "unknown")
    except phonenumbers.NumberParseException:
        return "unknown"


def sms_capable(e164: str) -> bool:
    """Whether an SMS can reach this number (not a fixed line, toll-free or VoIP number)."""
    try:
        return phonenumbers.number_type(phonenumbers.parse(e164, None)) in _SMS_KINDS
    except phonenumbers.NumberParseException:
        return False


def sms_phone(text: str, region: str = DEFAULT_REGION, field: str = "phone") -> str:
    """The E.164 form of a number that is to receive SMS, or InvalidInput saying why not (a fixed line, ...)."""
    phone = normalise_phone(text, region, field)
    if not sms_capable(phone):
        kind = number_kind(phone).replace("_", " ")
        raise InvalidInput({field: f"a {kind} number cannot receive SMS: give a mobile number ({mask_phone(phone)})"})
    return phone


def typed_phone(text: str, sender: str | None, field: str = "phone") -> str:
    """A number a person typed, read the way they would write it: a national form ("06 12 34 56 78") is read in
    the country of the number they write from (a French WhatsApp number: France), Morocco when unknown."""
    return normalise_phone(text, (country_of(sender) if sender else None) or DEFAULT_REGION, field)


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
