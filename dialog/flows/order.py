"""Ordering: document and copies (the common choices on one screen), the birth office (the last one offered, or a
typed search shown by pages), act number and year together, the holder's names together, the requester's relation
(full-copy rule), the delivery address (the last one offered; abroad on request), then the summary (summary.py).

A first order over USSD takes 11 screens from the language menu to the reference; tests/journeys counts them.
"""
from __future__ import annotations

from channels.message import Reply
from orders_core import queries
from orders_core.references import to_ascii_digits
from orders_core.services import OfficePage, find_offices, kept_offices, page_of
from orders_core.validation import ENTITLED_TO_FULL_COPY, clean_text, hijri_year_of

from ..formats import office_label
from ..steps import Again, Flow, Go, Retry, Step, Turn, choice, numbered
from . import summary
from .places import country_code

__all__ = ["FLOWS", "DOCUMENT_CHOICES", "KINDS", "RELATIONS", "OFFICES_PER_PAGE", "ABROAD"]

# The document screen: the common orders at one keystroke, then "other" (the kind, then each number of copies).
DOCUMENT_CHOICES = (
    ("dialog.doc.one_extract", {"extract": 1}),
    ("dialog.doc.two_extracts", {"extract": 2}),
    ("dialog.doc.one_full_copy", {"full_copy": 1}),
    ("dialog.doc.extract_and_full_copy", {"extract": 1, "full_copy": 1}),
    ("dialog.doc.other", None),
)
KINDS = (("extract",), ("full_copy",), ("extract", "full_copy"))
RELATIONS = ("self", "parent", "child", "spouse", "guardian", "authorised", "grandparent", "grandchild", "other")
OFFICES_PER_PAGE = 4  # four office names and "98" fit one USSD screen
KEPT_OFFICES = 120  # thirty screens of candidates: nobody pages further, they type a narrower name
MAX_COPIES = 10
ARABIC_COMMA = "\u060c"  # what an Arabic keyboard types for a comma
LAST, ABROAD = "1", "2"  # the keys of the office and address screens: the one used last time; delivery abroad


def _ask(key: str, *labels_of):
    """A prompt: the text of `key`, with numbered choices when given."""
    def prompt(turn: Turn) -> Reply:
        return Reply(turn.say(key), options=numbered(turn.say(k) for k in labels_of))
    return prompt


def _start(turn: Turn, argument: str):
    turn.data["last"] = _last_order(turn)
    return Go("document")


def _last_order(turn: Turn) -> dict | None:
    """The office and the address of this contact's latest order, offered again (one keystroke each)."""
    with turn.ports.uow().standalone() as uow:  # one read: no transaction around it
        last = queries.last_delivery_of(uow, turn.contacts)
    if last is None:
        return None
    # The record's office, not the processing one, which a reassignment may have changed.
    return {"office": last.record_office_code, "office_label": _office_label(turn, last.record_office_code),
            "zone": last.delivery_zone, "country": last.delivery_country, "city": last.delivery_city,
            "address": last.delivery_address}


def _office_label(turn: Turn, code: str) -> str:
    """An office's name, from the directory kept in memory (read from the database if it is no longer active)."""
    office = next(iter(kept_offices(turn.ports.uow(), (code,))), None)
    if office is None:
        with turn.ports.uow() as uow:
            office = queries.office(uow, code)
    return office_label(office, turn.lang)


def _document_prompt(turn: Turn) -> Reply:
    return Reply(turn.say("dialog.order.document"), options=numbered(turn.say(k) for k, _ in DOCUMENT_CHOICES))


def _document(turn: Turn, text: str):
    picked = choice(text, len(DOCUMENT_CHOICES))
    if picked is None:
        return Retry("dialog.unknown_choice")
    lines = DOCUMENT_CHOICES[picked - 1][1]
    if lines is None:
        return Go("kind")
    turn.data.update(docs=list(lines), lines=dict(lines))
    return _after_documents(turn)


def _after_documents(turn: Turn):
    return Go("summary") if turn.data.get("office") else Go("office")


def _kind(turn: Turn, text: str):
    picked = choice(text, len(KINDS))
    if picked is None:
        return Retry("dialog.unknown_choice")
    turn.data.update(docs=list(KINDS[picked - 1]), lines={}, copy_index=0)
    return Go("copies")


def _copies_prompt(turn: Turn) -> Reply:
    return Reply(turn.say(f"dialog.order.copies_{turn.data['docs'][turn.data['copy_index']]}"))


def _copies(turn: Turn, text: str):
    copies = choice(text, MAX_COPIES)
    if copies is None:
        return Retry("dialog.order.copies_invalid")
    data = turn.data
    data["lines"][data["docs"][data["copy_index"]]] = copies
    data["copy_index"] += 1
    if data["copy_index"] < len(data["docs"]):
        return Again()
    return _after_documents(turn)


def _office_prompt(turn: Turn) -> Reply:
    last = turn.data.get("last")
    options = ((LAST, last["office_label"]),) if last else ()
    return Reply(turn.say("dialog.order.office_again" if last else "dialog.order.office"), options=options)


def _office(turn: Turn, text: str):
    last = turn.data.get("last")
    if last and to_ascii_digits(text.strip()) == LAST:
        turn.data["office"] = last["office"]
        return _after_office(turn)
    return _search(turn, text)


def _search(turn: Turn, text: str):
    query = (clean_text(text, 100) or "")[:100]
    found = find_offices(turn.ports.uow(), query) if query else ()
    if not found:
        return Retry("dialog.order.office_none")
    # The candidates are kept for the pick step and its pages, so that the directory is searched once.
    turn.data.update(search=query, page=1, found=[office.code for office in found[:KEPT_OFFICES]])
    return Go("office_pick")


def _offices(turn: Turn) -> OfficePage:
    """The page of the kept candidates being shown (a session kept from before they were kept searches again)."""
    data = turn.data
    if "found" not in data:
        data["found"] = [office.code for office in find_offices(turn.ports.uow(), data["search"])[:KEPT_OFFICES]]
    return page_of(kept_offices(turn.ports.uow(), data["found"]), data["page"], OFFICES_PER_PAGE)


def _office_pick_prompt(turn: Turn) -> Reply:
    found = _offices(turn)
    options = numbered(office_label(office, turn.lang) for office in found.items)
    if found.page < found.pages and turn.surface.pager:  # USSD's paging; by SMS, another name is typed
        options += (("98", turn.say("dialog.nav.more")),)
    return Reply(turn.say("dialog.order.office_pick"), options=options)


def _office_pick(turn: Turn, text: str):
    data, typed = turn.data, to_ascii_digits(text.strip())
    found = _offices(turn)
    if typed == "98" and found.page < found.pages:
        data["page"] += 1
        return Again()
    picked = choice(typed, len(found.items))
    if picked is not None:
        office = found.items[picked - 1]
        data["office"] = office.code
        data.pop("found", None)  # the session is saved at every step: no need to carry the list any further
        return _after_office(turn)
    if typed.isdigit():
        return Retry("dialog.unknown_choice")
    return _search(turn, text)  # a new name typed here is a new search


def _after_office(turn: Turn):
    # Another office picked at the summary (the first one closed): the rest of the draft is there already.
    return Go("summary") if turn.data.get("address") else Go("record")


def _record(turn: Turn, text: str):
    """The act number and its registration year, typed together (`1234 1990`)."""
    numbers = to_ascii_digits(text or "").replace("/", " ").replace("-", " ").replace(",", " ").split()
    if len(numbers) != 2:
        return Retry("dialog.order.record_invalid")
    act, year = _act(numbers[0]), _year(turn, numbers[1])
    if act is None:
        return Retry("dialog.order.act_invalid")
    if year is None:
        return Retry("dialog.order.year_invalid")
    turn.data.update(act=act, year=year[0], calendar=year[1])
    return Go("holder")


def _act(typed: str) -> str | None:
    if not (typed.isascii() and typed.isdigit() and 1 <= len(typed) <= 8 and int(typed) > 0):
        return None
    return typed.lstrip("0")


def _year(turn: Turn, typed: str) -> tuple[int, str] | None:
    today = turn.ports.clock().date()
    year = int(typed) if typed.isascii() and typed.isdigit() and len(typed) == 4 else 0
    # The Gregorian and Hijri ranges do not overlap (1900.. and 1318..1448): the number tells the calendar.
    if 1900 <= year <= today.year:
        return year, "gregorian"
    if 1318 <= year <= hijri_year_of(today):
        return year, "hijri"
    return None


def _holder(turn: Turn, text: str):
    """The family name then the first name, typed together: split at a comma, else before the last word."""
    typed = (clean_text(text, 170) or "").replace(ARABIC_COMMA, ",")
    family, _, first = typed.partition(",") if "," in typed else typed.rpartition(" ")
    family, first = " ".join(family.split()), " ".join(first.split())
    for name in (family, first):
        if not name or len(name) > 80 or not any(ch.isalpha() for ch in name):
            return Retry("dialog.order.holder_invalid")
    turn.data.update(family=family, first=first)
    return Go("relation")


def _relation(turn: Turn, text: str):
    picked = choice(text, len(RELATIONS))
    if picked is None:
        return Retry("dialog.unknown_choice")
    relation = RELATIONS[picked - 1]
    if "full_copy" in turn.data.get("lines", {}) and relation not in ENTITLED_TO_FULL_COPY:
        return Retry("dialog.order.full_copy_refused")
    turn.data["relation"] = relation
    return Go("address")


def _address_prompt(turn: Turn) -> Reply:
    last = turn.data.get("last")
    options = ((LAST, _where(last)),) if last and last.get("zone") == "MA" and last.get("address") else ()
    return Reply(turn.say("dialog.order.address_ma"), options=options + ((ABROAD, turn.say("dialog.zone.abroad")),))


WHERE_CHARS = 30  # a saved address is offered as a reminder: whole, it could page a USSD screen by itself


def _where(delivery: dict) -> str:
    where = f"{delivery.get('city')}, {delivery.get('address')}"
    return where if len(where) <= WHERE_CHARS else where[:WHERE_CHARS - 3].rstrip() + "..."


def _address_ma(turn: Turn, text: str):
    typed, last = to_ascii_digits(text.strip()), turn.data.get("last")
    if typed == ABROAD:
        turn.data["zone"] = "abroad"
        return Go("country")
    if typed == LAST and last and last.get("zone") == "MA" and last.get("address"):
        turn.data.update(zone="MA", country="MA", city=last["city"], address=last["address"])
        return Go("summary")
    turn.data.update(zone="MA", country="MA")
    return _address(turn, text)


def _country(turn: Turn, text: str):
    code = country_code(text)
    if code is None or code == "MA":
        return Retry("dialog.order.country_invalid")
    turn.data["country"] = code
    return Go("address_abroad")


def _address(turn: Turn, text: str):
    """The city, a comma, then the street address (`Rabat, 12 rue Oued Sebou, Agdal`)."""
    city, comma, address = (clean_text(text, 480) or "").replace(ARABIC_COMMA, ",").partition(",")
    city, address = " ".join(city.split()), " ".join(address.split())
    if not comma or not city or len(city) > 80 or not any(ch.isalpha() for ch in city):
        return Retry("dialog.order.address_invalid")
    if not 5 <= len(address) <= 400:
        return Retry("dialog.order.address_invalid")
    turn.data.update(city=city, address=address)
    return Go("summary")


_RELATION_LABELS = tuple(f"dialog.relation.{r}" for r in RELATIONS)
STEPS = {
    "document": Step(_document_prompt, _document),
    "kind": Step(_ask("dialog.order.kind", "dialog.doc.extract", "dialog.doc.full_copy", "dialog.doc.both"), _kind),
    "copies": Step(_copies_prompt, _copies),
    "office": Step(_office_prompt, _office, free_text=True),
    "office_pick": Step(_office_pick_prompt, _office_pick, free_text=True),
    "record": Step(_ask("dialog.order.record"), _record),
    "holder": Step(_ask("dialog.order.holder"), _holder, free_text=True),
    "relation": Step(_ask("dialog.order.relation", *_RELATION_LABELS), _relation),
    "address": Step(_address_prompt, _address_ma, free_text=True),
    "country": Step(_ask("dialog.order.country"), _country, free_text=True),
    "address_abroad": Step(_ask("dialog.order.address_abroad"), _address, free_text=True),
    "summary": Step(summary.prompt, summary.answer),
}

FLOWS = (Flow("order", STEPS, {"start": _start}),)
