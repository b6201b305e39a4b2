"""Complaints: about one of my orders or none, a category, the citizen's own words -> a complaint reference."""
from __future__ import annotations

from channels.message import Reply
from orders_core.errors import InvalidInput, NotFound
from orders_core.services import CATEGORIES, file_complaint
from orders_core.validation import clean_text

from ..formats import shown_reference
from ..steps import Done, Flow, Go, Retry, Step, Turn, choice, numbered
from .track import my_orders

__all__ = ["FLOWS"]

TEXT_LIMIT = 2000


def _start(turn: Turn, argument: str):
    turn.data["orders"] = my_orders(turn, limit=3)
    return Go("order") if turn.data["orders"] else Go("category")


def _order_prompt(turn: Turn) -> Reply:
    labels = [shown_reference(r) for r in turn.data["orders"]] + [turn.say("dialog.complain.no_order")]
    return Reply(turn.say("dialog.complain.order"), options=numbered(labels))


def _order(turn: Turn, text: str):
    orders = turn.data["orders"]
    picked = choice(text, len(orders) + 1)
    if picked is None:
        return Retry("dialog.unknown_choice")
    turn.data["reference"] = orders[picked - 1] if picked <= len(orders) else None
    return Go("category")


def _category_prompt(turn: Turn) -> Reply:
    return Reply(turn.say("dialog.complain.category"),
                 options=numbered(turn.say(f"dialog.complain.cat_{c}") for c in CATEGORIES))


def _category(turn: Turn, text: str):
    picked = choice(text, len(CATEGORIES))
    if picked is None:
        return Retry("dialog.unknown_choice")
    turn.data["category"] = CATEGORIES[picked - 1]
    return Go("text")


def _text(turn: Turn, text: str):
    words = clean_text(text, TEXT_LIMIT)
    if not words or not any(ch.isalnum() for ch in words):
        return Retry("dialog.complain.text_invalid")
    turn.act()
    inbound = turn.inbound
    try:
        complaint = file_complaint(turn.ports.uow(), inbound.contact, turn.data["category"], words[:TEXT_LIMIT],
                                   language=turn.lang, channel=inbound.channel,
                                   order_reference=turn.data.get("reference"), phone=inbound.phone)
    except (InvalidInput, NotFound):
        return Retry("dialog.complain.text_invalid")
    return Done(turn.say("dialog.complain.filed", ref=shown_reference(complaint.reference)))


STEPS = {
    "order": Step(_order_prompt, _order),
    "category": Step(_category_prompt, _category),
    "text": Step(lambda turn: Reply(turn.say("dialog.complain.text")), _text, free_text=True),
}
FLOWS = (Flow("complain", STEPS, {"start": _start}),)
