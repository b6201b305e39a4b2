"""Paying (the default flow): which order, the amount due, and how to pay it.

The payments package replaces or extends this module with its premium-SMS (double opt-in) and prepaid-card
flows: keep the flow name "pay" and its entries "start" (PAYER <ref>, menu) and "card" (CARTE <ref> <PIN>);
the argument is what followed the keyword (folded: lower case, ASCII digits).
"""
from __future__ import annotations

from channels.message import Reply
from orders_core.lifecycle import Status
from orders_core.redaction import CARD_WORDS

from ..formats import mad, shown_reference
from ..keywords import leading_reference
from ..steps import Done, Flow, Go, Keyword, Retry, Step, Turn, choice, numbered
from .track import my_orders, typed_order

__all__ = ["FLOWS", "KEYWORDS"]

KEYWORDS = (
    Keyword("pay", "fr", ("payer", "paiement")),
    Keyword("pay", "en", ("pay",)),
    Keyword("pay", "ar", ("ادفع", "دفع", "اداء")),
    Keyword("pay", "fr", ("khlles", "khelles", "nkhelles")),
    # The card command's words are orders_core.redaction's, which takes the PIN out of such a message.
    *(Keyword("pay", lang, words, entry="card") for lang, words in CARD_WORDS.items()),
)


def _due(turn: Turn, typed: str):
    """How to pay the order with this reference, or the key saying what is wrong with it."""
    found = typed_order(turn, leading_reference(typed)[0],
                        lambda order: (order.amount_due, order.status, order.reference))
    if isinstance(found, str):
        return found
    due, status, reference = found
    shown = shown_reference(reference)
    if status != Status.AWAITING_PAYMENT or not due:
        return Done(turn.say("dialog.pay.nothing_due", ref=shown))
    return Done(turn.say("dialog.pay.due", ref=shown, amount=mad(due, turn.lang), short_code=turn.ports.short_code))


def _start(turn: Turn, argument: str):
    if argument.strip():
        found = _due(turn, argument)
        if isinstance(found, Done):
            return found
    turn.data["unpaid"] = my_orders(turn, statuses={Status.AWAITING_PAYMENT})
    return Go("which")


def _which_prompt(turn: Turn) -> Reply:
    return Reply(turn.say("dialog.pay.which"), options=numbered(shown_reference(r) for r in turn.data["unpaid"]))


def _which(turn: Turn, text: str):
    unpaid = turn.data["unpaid"]
    picked = choice(text, len(unpaid)) if len(text.strip()) < 3 else None
    found = _due(turn, unpaid[picked - 1] if picked else text)
    return found if isinstance(found, Done) else Retry(found)


FLOWS = (Flow("pay", {"which": Step(_which_prompt, _which)}, {"start": _start, "card": _start}, KEYWORDS),)
