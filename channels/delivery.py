"""Delivery reports in our words, and what a provider's error code means for the next try.

Each provider's module holds one literal table, its error codes (or failure reasons) -> an Outcome; `classify`
reads it. Notifications and replies act on the outcome, never on a provider's code.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Mapping

__all__ = ["DeliveryStatus", "WORDS", "Outcome", "classify", "forget_unknown_codes"]

log = logging.getLogger(__name__)

# Our words, shared by every provider's table; the notifications and payments packages read these.
WORDS = frozenset({"queued", "sent", "delivered", "read", "failed", "undelivered", "rejected", "expired"})


class Outcome:
    """What an error means for the message: when (and where) to try again, or why not to."""

    RETRY = "retry"                      # the same provider later, with backoff (throttling, unreachable handset)
    OTHER_PROVIDER = "other_provider"    # this provider cannot carry it (routing, our balance, filtering)
    PERMANENT = "permanent"              # the number or the message is wrong: never again
    OPTED_OUT = "opted_out"              # the recipient asked for no more messages on this channel
    NOT_SMS_CAPABLE = "not_sms_capable"  # a fixed line or a number that cannot take an SMS
    OUTSIDE_WINDOW = "outside_window"    # WhatsApp's 24-hour window is closed: a template or SMS instead
    UNKNOWN = "unknown"                  # a code missing from the table: retried a bounded number of times

    ALL = frozenset({RETRY, OTHER_PROVIDER, PERMANENT, OPTED_OUT, NOT_SMS_CAPABLE, OUTSIDE_WINDOW, UNKNOWN})
    # Worth another try later, on this provider or the next one.
    RETRYABLE = frozenset({RETRY, UNKNOWN, OTHER_PROVIDER})


# Codes already logged as unknown, so that a provider's new code is one warning, not one per message.
_unknown_seen: set[tuple[str, str]] = set()
_unknown_lock = threading.Lock()


def classify(table: Mapping[str, str], provider: str, code) -> str | None:
    """The Outcome of a provider's error code or failure reason (None when there is none); an unknown code is
    logged once per process and is UNKNOWN."""
    key = str(code).strip() if code is not None else ""
    if not key:
        return None
    found = table.get(key)
    if found is not None:
        return found
    with _unknown_lock:
        first = (provider, key) not in _unknown_seen
        _unknown_seen.add((provider, key))
    if first:
        log.warning("%s error code %r is not in its table: retried a bounded number of times", provider, key[:40])
    return Outcome.UNKNOWN


def forget_unknown_codes() -> None:
    """Log unknown codes again (tests)."""
    with _unknown_lock:
        _unknown_seen.clear()


@dataclass(frozen=True)
class DeliveryStatus:
    """One delivery report; `status` is None when the provider used a word new to us (kept in `provider_status`)."""

    provider: str
    provider_message_id: str
    status: str | None
    provider_status: str
    final: bool = False
    detail: str | None = None  # the provider's failure reason or error code
    outcome: str | None = None  # what `detail` means (Outcome), from the provider's table
