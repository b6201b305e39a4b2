"""Strict reading of the forms providers post: every missing or malformed field is named, all at once."""
from __future__ import annotations

import base64
import binascii
import re
from datetime import datetime, timezone
from functools import lru_cache

from orders_core.errors import InvalidInput
from orders_core.phones import normalise_phone

__all__ = ["FormReader", "TEXT_LIMIT", "possible_base64"]

TEXT_LIMIT = 20_000  # far above any SMS (Twilio: 1600) or USSD path; beyond it a form is not a provider's
_BASE64 = re.compile(r"^([a-zA-Z0-9+/=]{4})+$")


@lru_cache(maxsize=2048)
def _e164(raw: str) -> str | None:
    """A provider's sender as E.164 (None: not a phone number). Kept for the numbers seen lately: a USSD session
    sends its number with each of its ten or so steps, and parsing one costs more than the rest of the form. The
    numbers stay in this worker's memory only, as each request's form does: never logged, stored or sent to Redis."""
    for candidate in (raw, "+" + raw.strip()):
        try:
            return normalise_phone(candidate)
        except InvalidInput:
            continue
    return None


class FormReader:
    """Reads fields from a form (any mapping); `done()` raises InvalidInput naming every problem found."""

    def __init__(self, form):
        self.form = form
        self.problems: dict[str, str] = {}

    def required(self, name: str, limit: int = 200, empty: bool = False) -> str:
        value = self.form.get(name)
        if value is None or (not empty and not str(value).strip()):
            self.problems[name] = "missing"
            return ""
        return self._within(name, str(value), limit)

    def optional(self, name: str, limit: int = 200) -> str | None:
        value = self.form.get(name)
        if value is None or not str(value).strip():
            return None
        return self._within(name, str(value), limit)

    def phone(self, name: str, required: bool = True) -> str:
        raw = self.required(name, 40) if required else (self.optional(name, 40) or "")
        if not raw:
            return ""
        found = _e164(raw)
        if found is None:
            self.problems[name] = "not a phone number"
            return ""
        return found

    def moment(self, name: str) -> datetime | None:
        """A provider timestamp (`2017-05-03T06:04:45Z` or `2017-05-03 06:04:45`); naive ones are UTC."""
        raw = self.optional(name, 40)
        if raw is None:
            return None
        try:
            parsed = datetime.fromisoformat(raw.strip())
        except ValueError:
            self.problems[name] = "not a date and time"
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)

    def done(self) -> None:
        if self.problems:
            raise InvalidInput(self.problems)

    def _within(self, name: str, value: str, limit: int) -> str:
        if len(value) > limit:
            self.problems[name] = f"longer than {limit} characters"
        return value.replace("\x00", "")  # NUL means nothing in a message, and PostgreSQL text refuses it


def possible_base64(text: str) -> str:
    """The text itself, or what it encodes when it is base64 (Twilio sends some long SMS so), detected as courier
    does: at least 60 characters, a multiple of 4, only base64's alphabet, and at least half ASCII once decoded.
    A short word that happens to be base64 ("TEST") is never taken for it."""
    stripped = text.replace("\r", "").replace("\n", "").strip()
    if len(stripped) < 60 or len(stripped) % 4 or not _BASE64.match(stripped[:-4]):
        return text
    try:
        decoded = base64.b64decode(stripped, validate=True).decode("utf-8", errors="ignore")
    except (binascii.Error, ValueError):
        return text
    if not decoded or sum(ch <= "\x7f" for ch in decoded) / len(decoded) < 0.5 or _controls(decoded):
        return text
    return decoded


def _controls(text: str) -> bool:
    """Control characters other than line breaks and tabs: not a text a person wrote (stricter than courier)."""
    return any(ord(ch) < 32 and ch not in "\n\r\t" for ch in text)
