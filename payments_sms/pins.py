"""Card PINs: 14 CSPRNG digits and a Verhoeff check digit, kept only as an HMAC-SHA256 under the server secret.

Verhoeff rather than Luhn: it catches every single-digit error and every swap of neighbouring digits (Luhn misses
09 <-> 90), and the order references already use it, so a citizen meets one rule for every number they type.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets

from orders_core import redaction
from orders_core.references import check_digit, is_valid, to_ascii_digits

from .errors import PinCheckNumber

__all__ = ["PIN_LENGTH", "new_pin", "parse_pin", "pin_hash", "contact_key", "format_pin"]

PIN_LENGTH = 15  # 14 random digits + 1 check digit
_SEPARATORS = " \t\u00a0\u202f-./"


def new_pin(randbelow=secrets.randbelow) -> str:
    """Draw a fresh PIN from the operating system's CSPRNG."""
    body = "".join(str(randbelow(10)) for _ in range(PIN_LENGTH - 1))
    return body + check_digit(body)


def parse_pin(text: str) -> str:
    """The 15 ASCII digits of a typed PIN (spaces, dashes, Arabic digits allowed), or PinCheckNumber."""
    cleaned = to_ascii_digits(str(text or "")).strip()
    for sep in _SEPARATORS:
        cleaned = cleaned.replace(sep, "")
    if len(cleaned) != PIN_LENGTH or not is_valid(cleaned):
        raise PinCheckNumber()
    return cleaned


def _keyed(secret: str, purpose: bytes, value: str) -> str:
    # A purpose prefix keeps a PIN's hash from ever equalling a contact's under the same secret.
    return hmac.new(secret.encode(), purpose + b":" + value.encode(), hashlib.sha256).hexdigest()


def pin_hash(secret: str, pin: str) -> str:
    """The stored form of a PIN: HMAC-SHA256 under the server secret, hex (the webhooks seal PINs the same way)."""
    return redaction.pin_hash(secret, pin)


def contact_key(secret: str, contact: str) -> str:
    """A keyed hash of a phone number or chat id: counts wrong PINs without storing the number."""
    return _keyed(secret, b"contact", contact)


def format_pin(pin: str) -> str:
    """Group a PIN for printing: 1234 5678 9012 345."""
    return " ".join(pin[i:i + 4] for i in range(0, len(pin), 4))
