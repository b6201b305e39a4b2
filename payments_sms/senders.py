"""The premium sender port: how a charge reaches a provider, whichever way that provider bills.

Two billing models fit the one method `bill(to, text, short_code, keyword, link_id) -> provider message id`:
- billed reply (Africa's Talking on-demand): `bill` sends a billed message carrying the incoming `link_id` and
  returns the new message's id; the delivery report of that id says whether the citizen was billed;
- billed incoming message (aggregators that charge the citizen's own SMS to the short code): `bill` answers the
  incoming message (free) and returns the id of the billed incoming message, `link_id`; the aggregator's report
  names that id. Such a sender sets `bills_incoming = True`: one incoming message pays one charge, so the sequence
  waits for the citizen's next YES instead of billing on its own.
"""
from __future__ import annotations

from typing import Mapping, Protocol

__all__ = ["PremiumSender", "NEUTRAL_STATUSES", "CHANNEL_WORDS", "report_status"]

# Our words for a charge's report, shared by every provider table.
NEUTRAL_STATUSES = frozenset({"sent", "succeeded", "failed"})
# The channels' neutral report words (lower case), for reports passed on already translated.
CHANNEL_WORDS = {"sent": "sent", "queued": "sent", "delivered": "succeeded", "succeeded": "succeeded",
                 "failed": "failed", "undelivered": "failed", "rejected": "failed", "expired": "failed"}


def report_status(sender: "PremiumSender", word: str | None) -> str | None:
    """Our status for a report word, in the sender's own vocabulary or the channels' neutral one (any case)."""
    wanted = (word or "").strip().casefold()
    own = {key.casefold(): value for key, value in sender.statuses.items()}
    return own.get(wanted) or CHANNEL_WORDS.get(wanted)


class PremiumSender(Protocol):
    name: str
    bills_incoming: bool
    statuses: Mapping[str, str]  # provider's report words -> "sent" | "succeeded" | "failed"

    def bill(self, to: str, text: str, short_code: str, keyword: str, link_id: str | None) -> str:
        """Bill one message of the short code's price to `to`; return the id its report will carry.

        Raise BillingError(provider, reason, retryable) when the provider refuses or cannot be reached."""
