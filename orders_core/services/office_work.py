"""What office agents and supervisors do to orders: take, advance, reject, dispatch, reassign."""
from __future__ import annotations

from .. import queries
from ..errors import AlreadyTaken, ConcurrentChange, InvalidInput, NotAllowed, OfficeNotFound, OrderNotFound
from ..lifecycle import Role, Status, allowed_targets
from ..model import Actor, Order
from ..validation import barcode_problem, clean_text
from .ordering import SYSTEM, move, refund_as_credit

__all__ = ["REJECTION_REASONS", "OFFICE_ROLES", "ADVANCE_TARGETS", "may_act", "order_actions", "take_order",
           "advance_order", "reject_order", "dispatch_order", "reassign_order", "order_for_staff", "can_see_order"]

REJECTION_REASONS = ("record_not_found", "incomplete_data", "not_entitled")
_STAFF_ALL_OFFICES = frozenset({Role.SUPPORT, Role.FINANCE, Role.ADMIN, Role.SYSTEM})
OFFICE_ROLES = (Role.AGENT, Role.SUPERVISOR)  # who processes orders
# Each action -> the status it moves an order to; `advance` moves it to one of ADVANCE_TARGETS.
ACTION_TARGETS = {"take": Status.IN_PROGRESS, "reject": Status.REJECTED, "dispatch": Status.DISPATCHED,
                  "reassign": Status.REASSIGNED}
ADVANCE_TARGETS = (Status.READY, Status.DELIVERED, Status.RETURNED)
_ANY_AGENT = frozenset({"take", "reassign"})  # actions open to every agent of the office, not only the order's


def may_act(role: str, user_id, order: Order, action: str) -> bool:
    """Whether an office member may take `action` on an order of their office: agents and supervisors only; an
    agent finishes what they took, the supervisor may act on any order of the office."""
    if role not in OFFICE_ROLES:
        return False
    return (role == Role.SUPERVISOR or action in _ANY_AGENT or order.agent_id is None
            or str(order.agent_id) == str(user_id))


def order_actions(order: Order, role: str, user_id) -> dict:
    """The actions a member may take on the order now: {action: True}, and {"advance": [targets]}."""
    targets = set(allowed_targets(order.status, role))
    found = {name: True for name, target in ACTION_TARGETS.items()
             if target in targets and may_act(role, user_id, order, name)}
    advance = [target for target in ADVANCE_TARGETS if target in targets and may_act(role, user_id, order, "advance")]
    return found | ({"advance": advance} if advance else {})


def can_see_order(actor: Actor, order: Order) -> bool:
    """Agents and supervisors see their office's orders, inspectors their province's; support, finance, admin all."""
    if actor.role in (Role.AGENT, Role.SUPERVISOR):
        return actor.office_code == order.office_code
    if actor.role == Role.INSPECTOR:
        return order.office.commune.province_code == actor.province_code
    return actor.role in _STAFF_ALL_OFFICES


def order_for_staff(uow, order_id: int, actor: Actor, lock: bool = False) -> Order:
    """Load an order the actor may see; another office's order is reported as not found."""
    order = queries.order_by_id(uow, order_id, lock=lock)
    if order is None or not can_see_order(actor, order):
        raise OrderNotFound(order_id)
    return order


def _acting_order(uow, order_id: int, actor: Actor) -> Order:
    if actor.role not in OFFICE_ROLES:
        raise NotAllowed(f"a {actor.role} does not process orders")
    return order_for_staff(uow, order_id, actor, lock=True)


def take_order(uow, order_id: int, actor: Actor) -> Order:
    """An agent takes a received order of their office; of two agents at once, exactly one wins."""
    with uow:
        order = _acting_order(uow, order_id, actor)
        if order.status == Status.IN_PROGRESS:
            raise AlreadyTaken(f"order {order.reference} is already being processed")
        move(uow, order, Status.IN_PROGRESS, actor)
        order.agent_id = int(actor.id) if str(actor.id).isdigit() else None
        try:
            uow.commit()
        except ConcurrentChange:
            raise AlreadyTaken(f"order {order.reference} was taken by someone else") from None
        return order


def advance_order(uow, order_id: int, target: str, actor: Actor, note: str | None = None) -> Order:
    """Declare the next processing stage (ready, delivered, returned) of an order of the actor's office."""
    if target in (Status.REJECTED, Status.DISPATCHED, Status.REASSIGNED, Status.IN_PROGRESS):
        raise InvalidInput({"target": f"{target} has its own action"})
    with uow:
        order = _acting_order(uow, order_id, actor)
        _check_own(order, actor, "advance")
        move(uow, order, Status(target), actor, clean_text(note, 500))
        uow.commit()
        return order


def _check_own(order: Order, actor: Actor, action: str) -> None:
    if not may_act(actor.role, actor.id, order, action):
        raise NotAllowed(f"order {order.reference} is handled by another agent")


def reject_order(uow, order_id: int, reason: str, actor: Actor, note: str | None = None) -> int:
    """Reject an order with a reason; what was paid becomes the citizen's credit, whose amount is returned."""
    if reason not in REJECTION_REASONS:
        raise InvalidInput({"reason": f"one of {', '.join(REJECTION_REASONS)}, got {reason!r}"})
    with uow:
        order = _acting_order(uow, order_id, actor)
        _check_own(order, actor, "reject")
        move(uow, order, Status.REJECTED, actor, clean_text(note, 500) or reason)
        order.rejection_reason = reason
        credit = refund_as_credit(uow, order, "refund_rejected")
        uow.commit()
        return credit


def dispatch_order(uow, order_id: int, barcode: str, actor: Actor) -> Order:
    """Record the registered-mail barcode and mark the order dispatched."""
    problem = barcode_problem(barcode)
    if problem:
        raise InvalidInput({"barcode": problem})
    with uow:
        order = _acting_order(uow, order_id, actor)
        _check_own(order, actor, "dispatch")
        order.barcode = barcode.replace(" ", "").upper()
        move(uow, order, Status.DISPATCHED, actor, order.barcode)
        uow.commit()
        return order


def reassign_order(uow, order_id: int, office_code: str, reason: str, actor: Actor) -> Order:
    """Hand an order over to another office, with a reason; it arrives there as received."""
    reason = clean_text(reason, 500)
    if not reason:
        raise InvalidInput({"reason": "say why the order goes to another office"})
    with uow:
        order = _acting_order(uow, order_id, actor)
        target = queries.office(uow, office_code)
        if target is None or not target.active:
            raise OfficeNotFound(office_code)
        if target.code == order.office_code:
            raise InvalidInput({"office_code": "the order is already at this office"})
        move(uow, order, Status.REASSIGNED, actor, reason)
        order.office_code, order.agent_id = target.code, None
        move(uow, order, Status.RECEIVED, SYSTEM, f"from reassignment: {reason}")
        uow.commit()
        return order
