"""Demo data for a newcomer: one account per role, sample orders resting in every state, paid with real prepaid
cards (so that the books reconcile), and active cards left for the newcomer to pay with."""
from __future__ import annotations

import random

from orders_core import queries
from orders_core.lifecycle import Role
from orders_core.model import Actor, Delivery, Holder, OrderDraft
from orders_core.services import (
    advance_order, cancel_order, create_user, dispatch_order, expire_unpaid, file_complaint, place_order,
    reject_order, take_order,
)
from payments_sms import activate_cards, generate_batch, redeem_card
from payments_sms.errors import CardEmpty
from staff.agent_code import set_agent_code
from payments_sms import queries as payment_queries
from payments_sms.store import card_spent
from payments_sms.pins import format_pin, new_pin, pin_hash
from payments_sms.wiring import lockout_policy
from staff.passwords import hash_password

__all__ = ["seed", "draft", "demo_cards", "card_pins", "DEMO_OFFICE", "DEMO_PHONE", "FRESH_PHONE", "DEMO_PASSWORD",
           "DEMO_CARD_BATCH"]

DEMO_OFFICE = "42101"  # Rabat, Agdal-Riyad
DEMO_PHONE = "+212612345678"  # the citizen of the sample orders
FRESH_PHONE = "+212612345679"  # a citizen with no order yet, for a first journey
DEMO_PASSWORD = "shubbak-demo"
DEMO_CARD_BATCH = "demo"  # created_by of the demo's card batch
# The demo's cards: the first ones pay the sample orders, the rest are left for the newcomer. Their PINs come
# from a seeded generator (demo data only, never a real batch), so that a second `seed-demo` can print them again.
_CARD_VALUE, _CARD_COUNT, _CARD_SEED = 10_000, 6, "shubbak-demo-cards"
_USERS = (("agent", Role.AGENT), ("supervisor", Role.SUPERVISOR), ("inspector", Role.INSPECTOR),
          ("support", Role.SUPPORT), ("finance", Role.FINANCE), ("admin", Role.ADMIN))


DEMO_AGENT_CODE = "4821"  # demo data only: a real agent sets their own code on the staff view's "SMS code" page


def seed(services) -> list[str]:
    """Create what is missing; return the lines to print."""
    lines = [_user(services, f"demo-{name}", role) for name, role in _USERS]
    pins = card_pins(services)
    with services.uow() as uow:
        has_orders = queries.latest_order_of_contact(uow, [DEMO_PHONE]) is not None
    if not has_orders:
        lines += _orders(services, pins)
    lines += [f"citizen    {DEMO_PHONE} (the sample orders), {FRESH_PHONE} (nothing ordered yet)",
              f"agent      {_agent_phone(services)} (demo-agent's phone: digests and SMS commands)"]
    return lines + [f"card       {serial}  PIN {format_pin(pin)}  {left / 100:.2f} MAD left"
                    for serial, pin, left in demo_cards(services, pins) if left > 0]


def card_pins(services) -> list[str]:
    """The PINs of the demo's cards, in serial order: the batch made (and activated) on first use."""
    secret = services.settings.card_pin_secret
    with services.uow() as uow:
        made = payment_queries.batches_made_by(uow, DEMO_CARD_BATCH)
    draw = random.Random(_CARD_SEED).randrange
    if not made:
        summary = generate_batch(services.uow(), secret, _CARD_VALUE, _CARD_COUNT, DEMO_CARD_BATCH,
                                 services.settings.card_validity_days, lambda printed: None, randbelow=draw)
        activate_cards(services.uow(), summary.batch_id)
        draw = random.Random(_CARD_SEED).randrange
    # The same draws as the batch's (a repeat within the batch is drawn again, as generate_batch does).
    pins: list[str] = []
    while len(pins) < _CARD_COUNT:
        pin = new_pin(draw)
        if pin not in pins:
            pins.append(pin)
    return pins


def demo_cards(services, pins: list[str]) -> list[tuple[str, str, int]]:
    """(serial, PIN, centimes left) of each demo card whose PIN matches its stored hash."""
    secret, found = services.settings.card_pin_secret, []
    with services.uow() as uow:
        for pin in pins:
            card = payment_queries.card_of_hash(uow, pin_hash(secret, pin))
            if card is None:
                continue  # the PIN secret changed since the demo was seeded: that card cannot be printed
            found.append((card.serial, pin, card.value - card_spent(uow, card.id)))
    return found


def _agent_phone(services) -> str:
    with services.uow() as uow:
        return queries.user_by_username(uow, "demo-agent").phone or ""


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
    user = create_user(services.uow(), username, username.replace("-", " ").title(), hash_password(DEMO_PASSWORD),
                       role, office_code=office if role in (Role.AGENT, Role.SUPERVISOR) else None,
                       province_code=province if role == Role.INSPECTOR else None, phone=phone)
    if role == Role.AGENT:  # the demo agent's SMS commands need its code (`#4821 PRET <reference>`)
        set_agent_code(services.uow(), user.id, DEMO_AGENT_CODE, services.settings.secret_key)
        return f"{role:<10} {username} password {DEMO_PASSWORD}, SMS code {DEMO_AGENT_CODE}"
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


def _orders(services, pins: list[str]) -> list[str]:
    uow, prices = services.uow, services.settings.prices
    agent = _staff_actor(services, "demo-agent")
    pay = _card_payer(services, pins)
    made = {}
    for state in ("awaiting_payment", "received", "in_progress", "ready", "dispatched", "delivered", "rejected",
                  "returned", "cancelled"):
        order = place_order(uow(), prices, draft())
        made[state] = order.reference
        if state in ("awaiting_payment", "cancelled"):
            continue
        pay(order)
        if state == "rejected":
            reject_order(uow(), order.id, "incomplete_data", agent)
            continue
        _advance(services, order, agent, state)
    cancel_order(uow(), made["cancelled"], Actor(DEMO_PHONE, Role.CITIZEN, "sms"), [DEMO_PHONE])
    file_complaint(uow(), DEMO_PHONE, "late", "Ma commande tarde", language="fr", channel="sms",
                   order_reference=made["in_progress"], phone=DEMO_PHONE)
    expire_unpaid(uow())
    return [f"order {ref} {state}" for state, ref in made.items()]


def _card_payer(services, pins: list[str]):
    """Pay an order from the demo's cards, first to last, as a citizen would by SMS: payments, redemptions and
    card balances agree, so the day reconciles."""
    policy, secret = lockout_policy(services.settings), services.settings.card_pin_secret
    cards = iter(pins)
    current = [next(cards)]

    def pay(order) -> None:
        if order.amount_due == 0:
            return  # paid at placement by the citizen's credit (from the rejected sample order)
        while True:
            try:
                paid = redeem_card(services.uow(), order.reference, current[0], DEMO_PHONE, pin_secret=secret,
                                   policy=policy, channel="sms")
            except CardEmpty:
                paid = None
            if paid is not None and paid.due == 0:
                return
            current[0] = next(cards)  # that card is spent: the next one pays the rest
    return pay


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
