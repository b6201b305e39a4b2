"""The order's summary with its price breakdown, and the confirm step: the only step that places an order."""
from __future__ import annotations

import logging

from channels.message import Reply
from orders_core.errors import ConcurrentChange, InvalidInput
from orders_core.model import Delivery, Holder, OrderDraft
from orders_core.services import kept_offices, place_order, quote_draft
from orders_core.services.directory import is_arabic
from orders_core.validation import CHANNELS

from ..formats import holder_label, mad, office_label, shown_reference
from ..steps import Again, Done, Go, Retry, Turn, choice, numbered

__all__ = ["prompt", "answer", "draft_of", "DRAFT_KEYS"]

log = logging.getLogger(__name__)
# What a draft is made of in the session; an earlier order fills the same keys (repeat.py).
DRAFT_KEYS = ("docs", "lines", "office", "act", "year", "calendar", "family", "first", "relation",
              "zone", "country", "city", "address")


def draft_of(turn: Turn) -> OrderDraft:
    """The order draft the session's answers make."""
    data, inbound = turn.data, turn.inbound
    family, first = data.get("family"), data.get("first")
    arabic = is_arabic(family or "")
    holder = Holder(family_name_ar=family, first_name_ar=first) if arabic else \
        Holder(family_name_latin=family, first_name_latin=first)
    return OrderDraft(
        office_code=data.get("office") or "", act_number=data.get("act") or "", record_year=data.get("year") or 0,
        year_calendar=data.get("calendar") or "", holder=holder, lines=dict(data.get("lines") or {}),
        requester_contact=inbound.contact, requester_relation=data.get("relation") or "", language=turn.lang,
        delivery=Delivery(zone=data.get("zone") or "MA", country=data.get("country") or "MA",
                          address=data.get("address"), city=data.get("city")),
        channel=inbound.channel if inbound.channel in CHANNELS else "sms", requester_phone=inbound.phone,
    )


def prompt(turn: Turn) -> Reply:
    # The office from the directory in memory, after one small read of its revision: this process's copy may be
    # behind by any time, and an office closed since it was picked must not be offered (the confirm step, which
    # places the order, checks the office in the database again).
    code = turn.data.get("office") or ""
    office = next(iter(kept_offices(turn.ports.uow(), (code,), fresh=True)), None)
    if code and office is None:
        return _office_closed(turn)
    try:
        with turn.ports.uow() as uow:
            quote = quote_draft(uow, turn.ports.prices, draft_of(turn), office_open=lambda _: office is not None)
    except InvalidInput as exc:
        log.info("summary of an incomplete draft: %s", ", ".join(sorted(exc.problems)))
        return Reply(turn.say("dialog.order.incomplete"), options=(("0", turn.say("dialog.nav.back")),))
    label = office_label(office, turn.lang)
    return Reply("\n".join(_lines(turn, quote, label)), options=numbered(
        turn.say(k) for k in ("dialog.summary.confirm", "dialog.summary.change", "dialog.summary.cancel")))


def _office_closed(turn: Turn) -> Reply:
    """The office picked no longer takes orders: say so, and offer to pick another (or to give up)."""
    turn.data.pop("office")  # the office step comes next, then the summary again with the rest of the draft
    return Reply(turn.say("dialog.order.office_closed"), options=numbered(
        turn.say(k) for k in ("dialog.summary.other_office", "dialog.summary.cancel")))


def _lines(turn: Turn, quote, office: str) -> list[str]:
    data, lang = turn.data, turn.lang
    documents = ", ".join(turn.say(f"dialog.summary.{doc}", count=n) for doc, n in quote.lines.items())
    where = data.get("city") if data.get("zone") == "MA" else f"{data.get('city')} ({data.get('country')})"
    return [
        turn.say("dialog.summary.what", documents=documents, office=office),
        turn.say("dialog.summary.record", act=data.get("act"), year=_year(turn),
                 name=holder_label(data.get("family"), data.get("first"))),
        turn.say("dialog.summary.delivery", place=where),
        turn.say("dialog.summary.price", total=mad(quote.total, lang), base=mad(quote.base, lang),
                 copies=mad(quote.copies, lang), postage=mad(quote.postage + quote.top_up, lang)),
    ]


def _year(turn: Turn) -> str:
    year = turn.data.get("year")
    return turn.say("dialog.summary.hijri", year=year) if turn.data.get("calendar") == "hijri" else str(year)


def answer(turn: Turn, text: str):
    if not turn.data.get("office"):  # the office closed (its screen offers another office or to give up)
        return _without_office(turn, choice(text, 2))
    picked = choice(text, 3)
    if picked == 1:
        return _confirm(turn)
    if picked == 2:
        return Go("document")
    if picked == 3:
        return Done(turn.say("dialog.order.abandoned"))
    return Retry("dialog.unknown_choice")


def _without_office(turn: Turn, picked: int | None):
    if picked == 1:
        return Go("office")
    if picked == 2:
        return Done(turn.say("dialog.order.abandoned"))
    return Retry("dialog.unknown_choice")


def _confirm(turn: Turn):
    turn.act()
    try:
        order = place_order(turn.ports.uow(), turn.ports.prices, draft_of(turn))
    except InvalidInput as exc:
        log.info("order refused at confirmation: %s", ", ".join(sorted(exc.problems)))
        if "office_code" in exc.problems:
            return Again()  # closed since the summary: the summary, read again, says so and offers another
        return Retry("dialog.order.incomplete")
    except ConcurrentChange:
        return Retry("common.try_again_later")
    reference, lang = shown_reference(order.reference), turn.lang
    if order.amount_due == 0:
        return Done(turn.say("dialog.order.placed_paid", ref=reference))
    return Done(turn.say("dialog.order.placed", ref=reference, amount=mad(order.amount_due, lang),
                         short_code=turn.ports.short_code))
