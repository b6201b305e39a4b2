"""Demo data for a newcomer: one account per role and sample orders resting in every state."""
from __future__ import annotations

from orders_core import queries
from orders_core.lifecycle import Role
from orders_core.model import Actor, Delivery, Holder, OrderDraft
from orders_core.services import (
    advance_order, cancel_order, create_user, dispatch_order, expire_unpaid, file_complaint, place_order,
    record_payment, reject_order, take_order,
)
from staff.passwords import hash_password

__all__ = ["seed", "DEMO_OFFICE", "DEMO_PHONE", "DEMO_PASSWORD"]

DEMO_OFFICE = "42101"  # Rabat, Agdal-Riyad
DEMO_PHONE = "+212612345678"
DEMO_PASSWORD = "shubbak-demo"
_USERS = (("agent", Role.AGENT), ("supervisor", Role.SUPERVISOR), ("inspector", Role.INSPECTOR),
          ("support", Role.SUPPORT), ("finance", Role.FINANCE), ("admin", Role.ADMIN))


def seed(services) -> list[str]:
    """Create what is missing; return the lines to print."""
    lines = [_user(services, f"demo-{name}", role) for name, role in _USERS]
    with services.uow() as uow:
        has_orders = queries.latest_order_of_contact(uow, [DEMO_PHONE]) is not None
    if not has_orders:
        lines += _orders(services)
    return lines


def _office(services):
    with services.uow() as uow:
        office = queries.office(uow, DEMO_OFFICE)
        return office.code, office.commune.province_code


def _user(services, username: str, role: Role) -> str:
    office, province = _office(services)
    with services.uow() as uow:
        if queries.user_by_username(uow, username):
            return f"{role:<10} {username} (exists; password {DEMO_PASSWORD} unless changed)"
    phone = "+21261000000" + str(list(Role).index(role))
    create_user(services.uow(), username, username.replace("-", " ").title(), hash_password(DEMO_PASSWORD), role,
                office_code=office if role in (Role.AGENT, Role.SUPERVISOR) else None,
                province_code=province if role == Role.INSPECTOR else None, phone=phone)
    return f"{role:<10} {username} password {DEMO_PASSWORD}"


def draft(office_code: str = DEMO_OFFICE, phone: str = DEMO_PHONE, channel: str = "ussd", **changes) -> OrderDraft:
    """A valid order draft for demos and tests."""
    values = dict(
        office_code=office_code, act_number="1234", record_year=1990, year_calendar="gregorian",
        holder=Holder(family_name_latin="El Amrani", first_name_latin="Salma", father_first_name="Ahmed",
                      mother_full_name="Fatima Bennani"),
        lines={"extract": 2}, requester_contact=phone, requester_phone=phone, requester_relation="self",
        language="fr", delivery=Delivery(zone="MA", country="MA", address="12 rue Oued Sebou, Agdal", city="Rabat"),
        channel=channel,
    )
    values.update(changes)
    return OrderDraft(**values)


def _orders(services) -> list[str]:
    uow, prices = services.uow, services.settings.prices
    agent = _staff_actor(services, "demo-agent")
    made = {}
    for state in ("awaiting_payment", "received", "in_progress", "ready", "dispatched", "delivered", "rejected",
                  "returned", "cancelled"):
        order = place_order(uow(), prices, draft())
        made[state] = order.reference
        if state in ("awaiting_payment", "cancelled"):
            continue
        record_payment(uow(), order.reference, order.total, "card", f"demo-{order.reference}")
        if state == "rejected":
            reject_order(uow(), order.id, "incomplete_data", agent)
            continue
        _advance(services, order, agent, state)
    cancel_order(uow(), made["cancelled"], Actor(DEMO_PHONE, Role.CITIZEN, "sms"), [DEMO_PHONE])
    file_complaint(uow(), DEMO_PHONE, "late", "Ma commande tarde", language="fr", channel="sms",
                   order_reference=made["in_progress"], phone=DEMO_PHONE)
    expire_unpaid(uow())
    return [f"order {ref} {state}" for state, ref in made.items()]


_STEPS = {
    "take": lambda uow, order_id, agent: take_order(uow, order_id, agent),
    "ready": lambda uow, order_id, agent: advance_order(uow, order_id, "ready", agent),
    "dispatch": lambda uow, order_id, agent: dispatch_order(uow, order_id, "RR123456785MA", agent),
    "delivered": lambda uow, order_id, agent: advance_order(uow, order_id, "delivered", agent),
    "returned": lambda uow, order_id, agent: advance_order(uow, order_id, "returned", agent),
}
_PATHS = {
    "received": (), "in_progress": ("take",), "ready": ("take", "ready"), "dispatched": ("take", "ready", "dispatch"),
    "delivered": ("take", "ready", "dispatch", "delivered"), "returned": ("take", "ready", "dispatch", "returned"),
}


def _advance(services, order, agent, state: str) -> None:
    for step in _PATHS[state]:
        _STEPS[step](services.uow(), order.id, agent)


def _staff_actor(services, username: str):
    with services.uow() as uow:
        return queries.user_by_username(uow, username).as_actor()
