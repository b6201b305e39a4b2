"""Repeating an earlier order for the same holder: pick it, see the summary, confirm (four USSD screens in all)."""
from __future__ import annotations

from channels.message import Reply
from orders_core import queries

from ..formats import holder_label
from ..steps import Done, Flow, Go, Retry, Step, Turn, choice, numbered

__all__ = ["FLOWS", "SHOWN"]

SHOWN = 4  # earlier holders offered, most recent first


def _earlier(turn: Turn) -> list[dict]:
    """The drafts of this contact's latest orders, one per holder and birth record."""
    drafts, seen = [], set()
    with turn.ports.uow() as uow:
        for order in queries.orders_of_contact(uow, turn.contacts, limit=20):
            draft = _draft_data(order)
            key = (draft["office"], draft["act"], draft["year"], draft["family"], draft["first"])
            if key not in seen:
                seen.add(key)
                drafts.append(draft)
    return drafts[:SHOWN]


def _draft_data(order) -> dict:
    lines = {line.document: line.copies for line in order.lines}
    return {
        "docs": list(lines), "lines": lines, "office": order.record_office_code,
        "act": order.act_number, "year": order.record_year, "calendar": order.year_calendar,
        "family": order.family_name_latin or order.family_name_ar,
        "first": order.first_name_latin or order.first_name_ar,
        "relation": order.requester_relation, "zone": order.delivery_zone, "country": order.delivery_country,
        "city": order.delivery_city, "address": order.delivery_address,
    }


def _start(turn: Turn, argument: str):
    earlier = _earlier(turn)
    if not earlier:
        return Done(turn.say("dialog.repeat.none"))
    turn.data["earlier"] = earlier
    return Go("pick")


def _prompt(turn: Turn) -> Reply:
    labels = (f"{holder_label(d['family'], d['first'])} ({d['year']})" for d in turn.data["earlier"])
    return Reply(turn.say("dialog.repeat.pick"), options=numbered(labels))


def _pick(turn: Turn, text: str):
    earlier = turn.data["earlier"]
    picked = choice(text, len(earlier))
    if picked is None:
        return Retry("dialog.unknown_choice")
    turn.data.clear()
    turn.data.update(earlier[picked - 1])
    return Go("summary", "order")


FLOWS = (Flow("repeat", {"pick": Step(_prompt, _pick)}, {"start": _start}),)
