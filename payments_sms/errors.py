"""Named errors of the payment package; the edges turn each `.code` into a text for the citizen."""
from __future__ import annotations

from datetime import datetime

from orders_core.errors import NotFound, ShubbakError

__all__ = [
    "NothingDue", "UnknownShortCode", "NoPendingPayment", "PaymentInProgress", "UnknownCharge", "BillingError",
    "PinCheckNumber", "WrongPin", "PinLocked", "CardNotUsable", "CardEmpty", "BatchNotFound", "CardsNotFound",
]


class NothingDue(ShubbakError):
    """The order owes nothing (already paid, cancelled, expired): no money is taken."""

    code = "nothing_due"

    def __init__(self, reference: str, status: str):
        self.reference, self.status = reference, status
        super().__init__(f"order {reference} owes nothing (status {status!r})")


class UnknownShortCode(ShubbakError):
    code = "unknown_short_code"

    def __init__(self, short_code: str):
        self.short_code = short_code
        super().__init__(f"no premium short code {short_code!r} is configured")


class NoPendingPayment(NotFound):
    """A YES arrived but no premium payment waits for confirmation from this contact."""

    code = "no_pending_payment"


class PaymentInProgress(ShubbakError):
    """Billed messages for this order are already being sent; a second sequence would bill twice."""

    code = "payment_in_progress"

    def __init__(self, reference: str):
        self.reference = reference
        super().__init__(f"a premium payment for {reference} is already billing")


class UnknownCharge(NotFound):
    """A delivery report names a message that is not one of our charges."""

    code = "unknown_charge"


class BillingError(ShubbakError):
    """The premium provider did not accept a billed message; `retryable` says whether trying again may work."""

    code = "billing_failed"

    def __init__(self, provider: str, reason: str, retryable: bool):
        self.provider, self.reason, self.retryable = provider, reason, retryable
        super().__init__(f"{provider}: {reason} ({'retryable' if retryable else 'permanent'})")


class PinCheckNumber(ShubbakError):
    """Not 15 digits, or the check digit does not match: a typo, never counted as a guess."""

    code = "check_number"

    def __init__(self):
        super().__init__("a card PIN is 15 digits whose last is a Verhoeff check digit")


class WrongPin(ShubbakError):
    """A well-formed PIN that matches no card; counted. `locked_until` is set when this failure locked the contact."""

    code = "wrong_pin"

    def __init__(self, locked_until: datetime | None = None):
        self.locked_until = locked_until
        super().__init__("no card has this PIN" + (f"; locked until {locked_until:%H:%M}" if locked_until else ""))


class PinLocked(ShubbakError):
    """Too many wrong PINs from this contact (or on this card): no attempt is evaluated until `until`."""

    code = "pin_locked"

    def __init__(self, until: datetime):
        self.until = until
        super().__init__(f"card attempts locked until {until.isoformat()}")


class CardNotUsable(ShubbakError):
    """The PIN is right but the card cannot pay: `reason` is inactive, blocked or expired."""

    code = "card_not_usable"

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(f"card is {reason}")


class CardEmpty(ShubbakError):
    """The card's whole value has been used."""

    code = "card_empty"

    def __init__(self):
        super().__init__("the card has no value left")


class BatchNotFound(NotFound):
    code = "no_such_batch"


class CardsNotFound(NotFound):
    code = "no_such_cards"
