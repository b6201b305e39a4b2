"""The order lifecycle of DOMAIN.md as one explicit transition table."""
from __future__ import annotations

from enum import StrEnum

from .errors import IllegalTransition

__all__ = ["Status", "Role", "TRANSITIONS", "check_transition", "allowed_targets", "ACTIVE", "FINAL", "PAID_STAGES"]


class Status(StrEnum):
    AWAITING_PAYMENT = "awaiting_payment"
    PAID = "paid"
    RECEIVED = "received"
    IN_PROGRESS = "in_progress"
    READY = "ready"
    DISPATCHED = "dispatched"
    DELIVERED = "delivered"
    REJECTED = "rejected"
    REASSIGNED = "reassigned"
    RETURNED = "returned"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class Role(StrEnum):
    CITIZEN = "citizen"
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    INSPECTOR = "inspector"
    SUPPORT = "support"
    FINANCE = "finance"
    ADMIN = "admin"
    SYSTEM = "system"


S, R = Status, Role
_OFFICE = frozenset({R.AGENT, R.SUPERVISOR})

# (from, to) -> the roles that may make that move. Anything absent is refused.
TRANSITIONS: dict[tuple[Status, Status], frozenset[Role]] = {
    (S.AWAITING_PAYMENT, S.PAID): frozenset({R.SYSTEM}),
    (S.AWAITING_PAYMENT, S.CANCELLED): frozenset({R.CITIZEN, R.SUPPORT, R.SYSTEM}),
    (S.AWAITING_PAYMENT, S.EXPIRED): frozenset({R.SYSTEM}),
    (S.PAID, S.RECEIVED): frozenset({R.SYSTEM}) | _OFFICE,
    (S.PAID, S.CANCELLED): frozenset({R.CITIZEN, R.SUPPORT}),
    (S.RECEIVED, S.IN_PROGRESS): _OFFICE,
    (S.RECEIVED, S.REJECTED): _OFFICE,
    (S.RECEIVED, S.REASSIGNED): _OFFICE,
    (S.RECEIVED, S.CANCELLED): frozenset({R.CITIZEN, R.SUPPORT}),
    (S.IN_PROGRESS, S.READY): _OFFICE,
    (S.IN_PROGRESS, S.REJECTED): _OFFICE,
    (S.IN_PROGRESS, S.REASSIGNED): _OFFICE,
    (S.REASSIGNED, S.RECEIVED): frozenset({R.SYSTEM}),
    (S.READY, S.DISPATCHED): _OFFICE,
    (S.DISPATCHED, S.DELIVERED): frozenset({R.SYSTEM}) | _OFFICE,
    (S.DISPATCHED, S.RETURNED): frozenset({R.SYSTEM}) | _OFFICE,
    (S.RETURNED, S.DISPATCHED): _OFFICE,
}

FINAL = frozenset({S.DELIVERED, S.REJECTED, S.CANCELLED, S.EXPIRED})
# Orders in an office's hands: the ones its queue shows.
ACTIVE = frozenset({S.RECEIVED, S.IN_PROGRESS, S.READY})
# Stages at which money has been taken for the order.
PAID_STAGES = frozenset({S.PAID, S.RECEIVED, S.IN_PROGRESS, S.READY, S.DISPATCHED, S.DELIVERED, S.RETURNED})


def check_transition(current: str, target: str, role: str) -> None:
    """Raise IllegalTransition unless `role` may move an order from `current` to `target`."""
    roles = TRANSITIONS.get((Status(current), Status(target)))
    if roles is None or Role(role) not in roles:
        raise IllegalTransition(str(current), str(target), str(role))


def allowed_targets(current: str, role: str) -> list[Status]:
    """The statuses `role` may move an order to from `current`, in lifecycle order."""
    return [to for (frm, to), roles in TRANSITIONS.items() if frm == current and role in roles]
