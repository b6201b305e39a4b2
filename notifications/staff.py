"""What office staff are told: agents a digest of newly paid orders, supervisors the late ones, inspectors
the complaints assigned to them."""
from __future__ import annotations

from datetime import datetime, timedelta

from orders_core.lifecycle import ACTIVE, Role, Status
from orders_core.model import OutboxMessage, User
from orders_core.references import format_reference
from orders_core.services import is_late

from . import store
from .model import Audience, Planned

__all__ = ["complaint_filed_inspectors", "agents_to_tell", "plan_digest", "late_reports_due", "supervisors",
           "refs_within"]

REFS_SHOWN = 5  # references listed in one SMS; the count tells how many there are in all


def _staff(uow, role: str, **where) -> list[User]:
    return store.staff_with_phone(uow, role, **where)


def staff_message(key: str, user: User, audience: str, kind: str, values: dict, **extra) -> Planned:
    return Planned(key=key, audience=audience, kind=kind, template=f"notify.{kind}", language=user.language,
                   values=values, contact=user.phone, phone=user.phone, urgent=False, user_id=user.id, **extra)


def refs_within(references: list[str]) -> str:
    """The first few references, grouped for reading, with an ellipsis when there are more."""
    shown = ", ".join(format_reference(r) for r in references[:REFS_SHOWN])
    return shown + ("..." if len(references) > REFS_SHOWN else "")


def complaint_filed_inspectors(uow, event: OutboxMessage, notifier) -> list[Planned]:
    """Every inspector of the province hears of a complaint routed to inspectors there."""
    payload = event.payload
    if payload.get("assignee_role") != Role.INSPECTOR or not payload.get("province_code"):
        return []
    values = {"ref": format_reference(payload["reference"])}
    return [staff_message(f"outbox:{event.id}:complaint_assigned:user{user.id}", user, Audience.INSPECTOR,
                          "complaint_assigned", values)
            for user in _staff(uow, Role.INSPECTOR, province_code=payload["province_code"])]


def agents_to_tell(uow) -> list[User]:
    """Agents with a phone whose office has received orders they have not been told about."""
    return store.agents_with_untold_orders(uow, Role.AGENT)


def plan_digest(uow, user: User, now: datetime, spacing: timedelta) -> Planned | None:
    """The digest an agent is due: received orders of their office not told yet, at most one per `spacing`."""
    last = store.last_digest_at(uow, user.id)
    if last is not None and now - last < spacing:
        return None
    orders = store.untold_orders(uow, user)
    if not orders:
        return None
    values = {"count": len(orders), "refs": refs_within([o.reference for o in orders])}
    # The slot in the key keeps two digest runs racing for the same agent from both sending.
    slot = int(now.timestamp() // spacing.total_seconds())
    return staff_message(f"digest:user{user.id}:{slot}", user, Audience.AGENT, "agent_digest", values,
                         notices=tuple(o.id for o in orders))


def supervisors(uow) -> list[User]:
    return [u for u in _staff(uow, Role.SUPERVISOR) if u.office_code]


def late_reports_due(uow, now: datetime, day: str) -> list[Planned]:
    """Every supervisor's daily list of their office's late orders not planned yet today; nothing for an office
    where none is late. A constant number of statements: the supervisors, the day's keys, the waiting orders."""
    users = supervisors(uow)
    keys = {user.id: f"late:user{user.id}:{day}" for user in users}
    stored = store.keys_stored(uow, keys.values())
    users = [user for user in users if keys[user.id] not in stored]
    # Every office has at least a working day to dispatch: an order paid within the last day is not late yet.
    waiting = store.orders_waiting(uow, {user.office_code for user in users}, [Status.PAID, *ACTIVE],
                                   now - timedelta(days=1))
    late: dict[str, list[str]] = {}
    for order in waiting:
        if is_late(order, now):
            late.setdefault(order.office_code, []).append(order.reference)
    return [staff_message(keys[user.id], user, Audience.SUPERVISOR, "late_orders",
                          {"count": len(late[user.office_code]), "refs": refs_within(late[user.office_code])})
            for user in users if late.get(user.office_code)]
