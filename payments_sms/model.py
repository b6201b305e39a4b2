"""Domain of paying without a card: premium payments and their charges, prepaid cards and their redemptions."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

__all__ = [
    "PaymentStatus", "ChargeStatus", "CardStatus", "PremiumPayment", "Charge", "CardBatch", "Card", "Redemption",
    "PinFailure", "PremiumQuote", "messages_needed", "unusable_because", "CHARGE_HOLD", "FINAL", "OPEN_PAYMENTS",
]

CHARGE_HOLD = timedelta(hours=72)  # DOMAIN.md: charges without a final report time out after 72 h


class PaymentStatus(StrEnum):
    QUOTED = "quoted"          # amount and number of billed messages told; waiting for YES
    BILLING = "billing"        # one billed message at a time until the order is covered
    COVERED = "covered"        # the order owes nothing more
    STOPPED = "stopped"        # a charge failed: nothing more is billed
    EXPIRED = "expired"        # no YES, or no final report, within 72 h
    SUPERSEDED = "superseded"  # a newer quote for the same contact and order replaced it
    DECLINED = "declined"      # the citizen answered NO to the quote


class ChargeStatus(StrEnum):
    QUEUED = "queued"        # created, not yet handed to the provider
    SENDING = "sending"      # claimed by one sender; the provider call is under way
    SENT = "sent"            # the provider accepted it; no final report yet
    SUCCEEDED = "succeeded"  # final report: the citizen was billed
    FAILED = "failed"        # final report (or refusal at send time): nothing billed
    EXPIRED = "expired"      # no final report within 72 h


FINAL = frozenset({ChargeStatus.SUCCEEDED, ChargeStatus.FAILED, ChargeStatus.EXPIRED})
OPEN_PAYMENTS = frozenset({PaymentStatus.QUOTED, PaymentStatus.BILLING})


class CardStatus(StrEnum):
    PRINTED = "printed"  # generated and exported, not yet distributed
    ACTIVE = "active"
    BLOCKED = "blocked"


def messages_needed(due: int, price: int) -> int:
    """How many billed messages at `price` cover `due` (the last one may leave a credit)."""
    return -(-due // price)


class _Plain:
    """Keyword construction for mapped classes."""

    def __init__(self, **fields):
        for name, value in fields.items():
            setattr(self, name, value)

    def __repr__(self):
        return f"<{type(self).__name__} {getattr(self, 'id', None)!r}>"


class PremiumPayment(_Plain):
    """One citizen's premium-SMS payment of one order: a quote, then a sequence of charges."""

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_PAYMENTS

    def close(self, status: PaymentStatus, at: datetime, reason: str | None = None) -> None:
        self.status, self.closed_at, self.stop_reason = str(status), at, reason


class Charge(_Plain):
    """One billed message and what the provider finally said about it."""

    @property
    def is_final(self) -> bool:
        return self.status in FINAL

    def finish(self, status: ChargeStatus, at: datetime, reason: str | None = None) -> None:
        """Record a final status; a final status never changes again (the caller checks is_final)."""
        self.status, self.final_at, self.failure_reason = str(status), at, reason


class CardBatch(_Plain):
    pass


class Card(_Plain):
    """A prepaid card: a public serial, a keyed hash of its PIN, a value spent through redemptions."""


def unusable_because(status: str, expires_at: datetime, now: datetime) -> str | None:
    """Why a card in this status, expiring then, cannot pay now (inactive, blocked, expired), or None."""
    if status == CardStatus.BLOCKED:
        return "blocked"
    if status != CardStatus.ACTIVE:
        return "inactive"
    if expires_at <= now:
        return "expired"
    return None


class Redemption(_Plain):
    pass


class PinFailure(_Plain):
    pass


@dataclass(frozen=True)
class PremiumQuote:
    """What the citizen must confirm before anything is billed."""

    payment_id: int
    reference: str
    due: int
    price: int
    messages: int
    short_code: str

    @property
    def billed_total(self) -> int:
        return self.price * self.messages
