"""What office staff are told: agents a digest of newly paid orders, supervisors the late ones, inspectors
the complaints assigned to them."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from orders_core.lifecycle import ACTIVE, Role, Status
from orders_core.model import Order, OutboxMessage, User
from orders_core.references import format_reference
from orders_core.services import is_late

from .model import AgentNotice, Audience, Notification, Planned

__all__ = ["complaint_filed_inspectors", "agents_to_tell", "plan_digest", "plan_late_report", "supervisors",
           "refs_within"]

REFS_SHOWN = 5  # references listed in one SMS; the count tells how many there are in all


def _staff(uow, role: str, **where) -> list[User]:
    stmt = select(User).where(User.role == role, User.active.is_(True), User.phone.is_not(None))
    for column, value in where.items():
        stmt = stmt.where(getattr(User, column) == value)
    return uow.all(stmt.order_by(User.id))


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
    told = select(AgentNotice.order_id).where(AgentNotice.user_id == User.id)
    waiting = select(Order.id).where(Order.office_code == User.office_code, Order.status == Status.RECEIVED,
                                     Order.id.not_in(told))
    stmt = select(User).where(User.role == Role.AGENT, User.active.is_(True), User.phone.is_not(None),
                              waiting.exists())
    return uow.all(stmt.order_by(User.id))


def _last_digest_at(uow, user: User) -> datetime | None:
    stmt = select(func.max(Notification.created_at)).where(Notification.user_id == user.id,
                                                           Notification.kind == "agent_digest")
    return uow.scalar(stmt)


def plan_digest(uow, user: User, now: datetime, spacing: timedelta) -> Planned | None:
    """The digest an agent is due: received orders of their office not told yet, at most one per `spacing`."""
    last = _last_digest_at(uow, user)
    if last is not None and now - last < spacing:
        return None
    told = select(AgentNotice.order_id).where(AgentNotice.user_id == user.id)
    stmt = (select(Order).where(Order.office_code == user.office_code, Order.status == Status.RECEIVED,
                                Order.id.not_in(told)).order_by(Order.paid_at, Order.id))
    orders = uow.all(stmt)
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
    if uow.scalar(select(func.count()).select_from(Notification).where(Notification.key == key)):
        return None
    stmt = (select(Order).where(Order.office_code == user.office_code, Order.status.in_([Status.PAID, *ACTIVE]))
            .order_by(Order.paid_at, Order.id))
    late = [o.reference for o in uow.all(stmt) if is_late(o, now)]
    if not late:
        return None
    return staff_message(key, user, Audience.SUPERVISOR, "late_orders", {"count": len(late),
                                                                          "refs": refs_within(late)})
