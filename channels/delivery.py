"""Delivery reports in our words: what a provider said, later, about a message it accepted."""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DeliveryStatus", "WORDS"]

# Our words, shared by every provider's table; the notifications and payments packages read these.
WORDS = frozenset({"queued", "sent", "delivered", "read", "failed", "undelivered", "rejected", "expired"})


@dataclass(frozen=True)
class DeliveryStatus:
    """One delivery report; `status` is None when the provider used a word new to us (kept in `provider_status`)."""

    provider: str
    provider_message_id: str
    status: str | None
    provider_status: str
    final: bool = False
    detail: str | None = None  # the provider's failure reason or error code
