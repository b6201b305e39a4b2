"""The order core's service layer: small functions taking plain values and a unit of work."""
from .complaints import CATEGORIES, file_complaint, move_complaint
from .credits import credit_statement, grant_credit
from .directory import OfficePage, find_offices, kept_offices, page_of, search_offices, seed_directory
from .drafts import validate_draft
from .office_work import (
    REJECTION_REASONS, advance_order, dispatch_order, order_for_staff, reassign_order, reject_order, take_order,
)
from .ordering import (
    SYSTEM, PaymentOutcome, apply_payment, cancel_order, expire_unpaid, order_for_reference, place_order, quote_draft,
    record_payment,
)
from .support import add_escalation_message, close_escalation, open_escalation
from .tracking import is_late, tracking_view
from .users import create_user

__all__ = [
    "CATEGORIES", "file_complaint", "move_complaint", "credit_statement", "grant_credit", "search_offices",
    "seed_directory", "validate_draft", "REJECTION_REASONS", "advance_order", "dispatch_order", "order_for_staff",
    "reassign_order", "reject_order", "take_order", "SYSTEM", "PaymentOutcome", "apply_payment", "cancel_order",
    "expire_unpaid", "order_for_reference", "place_order", "quote_draft", "record_payment",
    "add_escalation_message", "close_escalation", "open_escalation", "is_late", "tracking_view", "create_user",
    "OfficePage", "find_offices", "kept_offices", "page_of",
]
