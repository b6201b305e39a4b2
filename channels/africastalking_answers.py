"""Reading Africa's Talking's answer to a send, for the SMS sender (channels) and the premium biller
(payments_sms): the one piece of channels that payments_sms may import (see .importlinter).

What each does with a refusal differs (an SMS is retried, a premium bill must never be billed twice), so this
module only reads: the answer's first recipient, its numbers, and the codes that mean "accepted".
"""
from __future__ import annotations

import json

__all__ = ["ACCEPTED_CODES", "first_recipient", "number"]

ACCEPTED_CODES = frozenset({100, 101, 102})  # Processed, Sent, Queued


def first_recipient(answer) -> tuple[dict | None, dict | None]:
    """The answer's first recipient and its `SMSMessageData` (None for what is missing or unreadable); the SDK
    hands back text unless the content type is exactly JSON."""
    if isinstance(answer, (str, bytes)):
        try:
            answer = json.loads(answer)
        except ValueError:
            answer = None
    data = answer.get("SMSMessageData") if isinstance(answer, dict) else None
    data = data if isinstance(data, dict) else None
    recipients = data.get("Recipients") if data else None
    first = recipients[0] if isinstance(recipients, list) and recipients else None
    return (first if isinstance(first, dict) else None), data


def number(value) -> int | None:
    """A status code or count as an int, None when it is not one."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
