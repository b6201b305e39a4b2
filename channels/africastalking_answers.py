"""Reading Africa's Talking's answer to a send, for the SMS sender (channels) and the premium biller
(payments_sms): the one piece of channels that payments_sms may import (see .importlinter).

It holds AT's one table of report words and one table of send codes, with what each code means for an SMS (its
Outcome) and for a premium bill (BILL_RETRYABLE_CODES): they differ, as an SMS refused for our account or a route can
go through another provider, while a bill has no other biller (and a bill is never sent twice when AT's answer is
lost: that is the biller's own rule, on timeouts and unreadable answers, not on a refusal).
"""
from __future__ import annotations

import json

from .delivery import Outcome

__all__ = ["ACCEPTED_CODES", "STATUSES", "SEND_CODES", "BILL_RETRYABLE_CODES", "first_recipient", "number"]

ACCEPTED_CODES = frozenset({100, 101, 102})  # Processed, Sent, Queued
# Delivery-report words -> (ours, final). Success, Rejected and Failed are final (AT docs); courier maps Expired.
# AT's words are read in any case ("success" too): the report keeps AT's spelling of the word, as in this table.
STATUSES = {
    "Sent": ("sent", False), "Submitted": ("sent", False), "Buffered": ("queued", False),
    "Success": ("delivered", True), "Rejected": ("rejected", True), "Failed": ("failed", True),
    "Expired": ("expired", True),
}
# A send's per-recipient statusCode (AT docs) -> what to do next; 100-102 are accepted (ACCEPTED_CODES).
SEND_CODES = {
    "401": Outcome.OTHER_PROVIDER,   # RiskHold: our account is held
    "402": Outcome.OTHER_PROVIDER,   # InvalidSenderId
    "403": Outcome.PERMANENT,        # InvalidPhoneNumber
    "404": Outcome.NOT_SMS_CAPABLE,  # UnsupportedNumberType
    "405": Outcome.OTHER_PROVIDER,   # InsufficientBalance: ours, another provider may carry it
    "406": Outcome.OPTED_OUT,        # UserInBlacklist
    "407": Outcome.OTHER_PROVIDER,   # CouldNotRoute
    "409": Outcome.OPTED_OUT,        # DoNotDisturbRejection
    "500": Outcome.RETRY, "501": Outcome.RETRY,  # InternalServerError, GatewayError
    "502": Outcome.OTHER_PROVIDER,   # RejectedByGateway
}
# The refusals a premium bill tries again, through AT, later: AT's own trouble (500-502) and our balance, once topped
# up (405). A held account (401), a sender id (402) or a route AT lacks (407) is refused again on every try: the
# charge fails and the citizen is told, instead of the charge waiting on retries.
BILL_RETRYABLE_CODES = frozenset({405, 500, 501, 502})


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
