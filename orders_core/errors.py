"""Named errors raised by the order core; the edges turn them into screens, texts and HTTP answers."""
from __future__ import annotations

__all__ = [
    "ShubbakError", "InvalidInput", "MalformedReference", "BadCheckDigit", "NotFound", "OrderNotFound",
    "ComplaintNotFound", "OfficeNotFound", "IllegalTransition", "NotAllowed", "AlreadyTaken",
    "ConcurrentChange", "NotEntitled",
]


class ShubbakError(Exception):
    """Base of every error a service function raises on purpose."""

    code = "error"


class InvalidInput(ShubbakError):
    """One or more fields are wrong; `problems` maps each field to what is wrong and what is allowed."""

    code = "invalid_input"

    def __init__(self, problems: dict[str, str]):
        self.problems = dict(problems)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.problems.items()))


class MalformedReference(ShubbakError):
    """The text is not ten digits."""

    code = "malformed_reference"

    def __init__(self, text):
        self.text = text
        super().__init__(f"a reference is 10 digits, got {str(text)[:40]!r}")


class BadCheckDigit(ShubbakError):
    """Ten digits whose check digit is wrong: a typo, so the person should check the number."""

    code = "check_number"

    def __init__(self, digits: str):
        self.digits = digits
        super().__init__(f"check digit does not match in {digits!r}")


class NotFound(ShubbakError):
    code = "not_found"


class OrderNotFound(NotFound):
    """No order with that reference (or id) exists, or it is not the caller's to see."""

    code = "no_such_order"


class ComplaintNotFound(NotFound):
    code = "no_such_complaint"


class OfficeNotFound(NotFound):
    code = "no_such_office"


class IllegalTransition(ShubbakError):
    """The lifecycle does not allow this move, or not for this role."""

    code = "illegal_transition"

    def __init__(self, current: str, target: str, role: str):
        self.current, self.target, self.role = current, target, role
        super().__init__(f"cannot go from {current!r} to {target!r} as {role!r}")


class NotAllowed(ShubbakError):
    """The actor may not act on this object (another office, another province, another citizen)."""

    code = "not_allowed"


class AlreadyTaken(ShubbakError):
    """Another agent took the order first."""

    code = "already_taken"


class ConcurrentChange(ShubbakError):
    """Someone else changed the same object at the same moment; the caller may reload and retry."""

    code = "concurrent_change"


class NotEntitled(InvalidInput):
    """The requester may not receive a full copy of this record."""

    code = "not_entitled"
