"""Tracking: by reference (check digit verified) or among "my orders": stage, date, expected delivery, late."""
from __future__ import annotations

from typing import Callable

from channels.message import Reply
from orders_core import queries
from orders_core.errors import BadCheckDigit, MalformedReference, OrderNotFound
from orders_core.lifecycle import Status
from orders_core.services import order_for_reference, tracking_view

from ..formats import day, mad, shown_reference
from ..steps import Done, Flow, Go, Retry, Step, Turn, choice, numbered

__all__ = ["FLOWS", "tracking_text", "my_orders", "typed_order"]

SHOWN = 4


def my_orders(turn: Turn, limit: int = SHOWN, statuses=None) -> list[str]:
    """References of this contact's latest orders (optionally only in some statuses)."""
    with turn.ports.uow() as uow:
        orders = queries.orders_of_contact(uow, turn.contacts, limit=20)
        return [o.reference for o in orders if statuses is None or o.status in statuses][:limit]


def tracking_text(turn: Turn, order) -> str:
    """Where an order stands, read from its events (inside the unit of work that loaded it)."""
    view = tracking_view(order, turn.ports.clock())
    since = view.stages[-1].at if view.stages else order.created_at
    lines = [turn.say(f"dialog.track.{view.status}", ref=shown_reference(view.reference), date=day(since))]
    if view.status == Status.AWAITING_PAYMENT and order.amount_due:
        lines.append(turn.say("dialog.track.due", amount=mad(order.amount_due, turn.lang)))
    if view.barcode and view.status == Status.DISPATCHED:
        lines.append(turn.say("dialog.track.barcode", barcode=view.barcode))
    if view.expected_delivery:
        lines.append(turn.say("dialog.track.expected", date=day(view.expected_delivery)))
    if view.late:
        lines.append(turn.say("dialog.track.late"))
    return " ".join(lines)


def typed_order(turn: Turn, typed: str, read: Callable):
    """`read(order)` for the order whose reference the citizen typed (inside its unit of work), or the catalog key
    saying what is wrong with the reference (a str): the tracking, paying and paying-by-phone flows' lookup."""
    try:
        with turn.ports.uow() as uow:
            return read(order_for_reference(uow, typed))
    except BadCheckDigit:
        return "common.check_number"
    except (MalformedReference, OrderNotFound):
        return "dialog.track.unknown"


def _answer_for(turn: Turn, typed: str):
    """The tracking text of a typed reference, or the key saying what is wrong with it."""
    return typed_order(turn, typed, lambda order: Done(tracking_text(turn, order)))


def _start(turn: Turn, argument: str):
    if not argument.strip():
        return Go("how")
    found = _answer_for(turn, argument)
    return found if isinstance(found, Done) else Go("reference", note=found)


def _how(turn: Turn, text: str):
    picked = choice(text, 2)
    if picked == 1:
        return Go("reference")
    if picked == 2:
        turn.data["mine"] = my_orders(turn)
        return Go("mine") if turn.data["mine"] else Done(turn.say("dialog.track.none"))
    return Retry("dialog.unknown_choice")


def _reference(turn: Turn, text: str):
    found = _answer_for(turn, text)
    return found if isinstance(found, Done) else Retry(found)


def _mine_prompt(turn: Turn) -> Reply:
    return Reply(turn.say("dialog.track.pick"), options=numbered(shown_reference(r) for r in turn.data["mine"]))


def _mine(turn: Turn, text: str):
    picked = choice(text, len(turn.data["mine"]))
    if picked is None:
        return Retry("dialog.unknown_choice")
    return _reference(turn, turn.data["mine"][picked - 1])


def _ask(key: str, *labels):
    return lambda turn: Reply(turn.say(key), options=numbered(turn.say(k) for k in labels))


STEPS = {
    "how": Step(_ask("dialog.track.how", "dialog.track.by_reference", "dialog.track.by_mine"), _how),
    "reference": Step(_ask("dialog.track.reference"), _reference),
    "mine": Step(_mine_prompt, _mine),
}
FLOWS = (Flow("track", STEPS, {"start": _start}),)
