"""Paying without a card: premium SMS charges and prepaid cards, recorded as payments of the order core.

The provider adapters (`payments_sms.africastalking`) and their wiring (`payments_sms.wiring`) are not imported
here, so that the dialog can use these services without knowing any provider.
"""
from .billing import BillOutcome, ReportOutcome, apply_delivery_report, bill_charge
from .cards import BatchSummary, PrintedCard, activate_cards, block_cards, generate_batch
from .errors import (
    BillingError, CardEmpty, CardNotUsable, NoPendingPayment, NothingDue, PaymentInProgress, PinCheckNumber,
    PinLocked, UnknownCharge, UnknownShortCode, WrongPin,
)
from .lockout import LockoutPolicy
from .model import PremiumQuote
from .money import mad
from .premium import (
    StopNotice, confirm_premium_payment, decline_premium_payment, expire_premium, open_payment_of,
    start_premium_payment,
)
from .reconciliation import DayReport, reconcile_day
from .redemption import CardPayment, redeem_card
from .shortcodes import ShortCode, short_code, short_codes

__all__ = [
    "BillOutcome", "ReportOutcome", "apply_delivery_report", "bill_charge", "BatchSummary", "PrintedCard",
    "activate_cards", "block_cards", "generate_batch", "BillingError", "CardEmpty", "CardNotUsable",
    "NoPendingPayment", "NothingDue", "PaymentInProgress", "PinCheckNumber", "PinLocked", "UnknownCharge",
    "UnknownShortCode", "WrongPin", "LockoutPolicy", "PremiumQuote", "mad", "StopNotice", "confirm_premium_payment", "decline_premium_payment",
    "expire_premium", "open_payment_of", "start_premium_payment", "DayReport", "reconcile_day", "CardPayment",
    "redeem_card", "ShortCode", "short_code", "short_codes",
]
