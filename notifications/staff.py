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

__all__ = ["complaint_filed_inspectors", "agents_to_tell", "plan_digest", "plan_late_report", "supervisors",
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


def plan_late_report(uow, user: User, now: datetime, day: str) -> Planned | None:
    """A supervisor's daily list of the office's late orders; nothing when none is late."""
    key = f"late:user{user.id}:{day}"
    if store.message_stored(uow, key):
        return None
    in_hand = store.orders_in_hand(uow, user.office_code, [Status.PAID, *ACTIVE])
    late = [o.reference for o in in_hand if is_late(o, now)]
    if not late:
        return None
    return staff_message(key, user, Audience.SUPERVISOR, "late_orders", {"count": len(late),
                                                                          "refs": refs_within(late)})
