"""Ordering: document and copies, the birth office (typed search, by pages), act number and year, the holder,
the requester's relation (full-copy rule), delivery in Morocco or abroad, then the summary (summary.py)."""
from __future__ import annotations

from channels.message import Reply
from orders_core.references import to_ascii_digits
from orders_core.services import OfficePage, find_offices, kept_offices, page_of
from orders_core.validation import ENTITLED_TO_FULL_COPY, clean_text, hijri_year_of

from ..formats import office_label
from ..steps import Again, Flow, Go, Retry, Step, Turn, choice, numbered
from . import summary
from .places import country_code

__all__ = ["FLOWS", "DOCUMENT_CHOICES", "RELATIONS", "OFFICES_PER_PAGE"]

DOCUMENT_CHOICES = (("extract",), ("full_copy",), ("extract", "full_copy"))
RELATIONS = ("self", "parent", "child", "spouse", "guardian", "authorised", "grandparent", "grandchild", "other")
OFFICES_PER_PAGE = 4  # four office names and "98" fit one USSD screen
KEPT_OFFICES = 120  # thirty screens of candidates: nobody pages further, they type a narrower name
MAX_COPIES = 10


def _ask(key: str, *labels_of):
    """A prompt: the text of `key`, with numbered choices when given."""
    def prompt(turn: Turn) -> Reply:
        return Reply(turn.say(key), options=numbered(turn.say(k) for k in labels_of))
    return prompt


def _document(turn: Turn, text: str):
    picked = choice(text, len(DOCUMENT_CHOICES))
    if picked is None:
        return Retry("dialog.unknown_choice")
    turn.data.update(docs=list(DOCUMENT_CHOICES[picked - 1]), lines={}, copy_index=0)
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
    return Go("summary") if data.get("office") else Go("office")


def _office(turn: Turn, text: str):
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
    if found.page < found.pages:
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
        return Go("act")
    if typed.isdigit():
        return Retry("dialog.unknown_choice")
    return _office(turn, text)  # a new name typed here is a new search


def _act(turn: Turn, text: str):
    digits = "".join(to_ascii_digits(text).split())
    if not (digits.isascii() and digits.isdigit() and 1 <= len(digits) <= 8 and int(digits) > 0):
        return Retry("dialog.order.act_invalid")
    turn.data["act"] = digits.lstrip("0")
    return Go("year")


def _year(turn: Turn, text: str):
    typed = to_ascii_digits(text.strip())
    today = turn.ports.clock().date()
    year = int(typed) if typed.isascii() and typed.isdigit() and len(typed) == 4 else 0
    # The Gregorian and Hijri ranges do not overlap (1900.. and 1318..1448): the number tells the calendar.
    if 1900 <= year <= today.year:
        calendar = "gregorian"
    elif 1318 <= year <= hijri_year_of(today):
        calendar = "hijri"
    else:
        return Retry("dialog.order.year_invalid")
    turn.data.update(year=year, calendar=calendar)
    return Go("family_name")


def _name(field: str, following: str):
    def answer(turn: Turn, text: str):
        name = clean_text(text, 80)
        if not name or len(name) > 80 or not any(ch.isalpha() for ch in name):
            return Retry("dialog.order.name_invalid")
        turn.data[field] = name
        return Go(following)
    return answer


def _relation(turn: Turn, text: str):
    picked = choice(text, len(RELATIONS))
    if picked is None:
        return Retry("dialog.unknown_choice")
    relation = RELATIONS[picked - 1]
    if "full_copy" in turn.data.get("lines", {}) and relation not in ENTITLED_TO_FULL_COPY:
        return Retry("dialog.order.full_copy_refused")
    turn.data["relation"] = relation
    return Go("zone")


def _zone(turn: Turn, text: str):
    picked = choice(text, 2)
    if picked is None:
        return Retry("dialog.unknown_choice")
    if picked == 1:
        turn.data.update(zone="MA", country="MA")
        return Go("city")
    turn.data["zone"] = "abroad"
    return Go("country")


def _country(turn: Turn, text: str):
    code = country_code(text)
    if code is None or code == "MA":
        return Retry("dialog.order.country_invalid")
    turn.data["country"] = code
    return Go("city")


def _city(turn: Turn, text: str):
    city = clean_text(text, 80)
    if not city or len(city) > 80 or not any(ch.isalpha() for ch in city):
        return Retry("dialog.order.city_invalid")
    turn.data["city"] = city
    return Go("address")


def _address(turn: Turn, text: str):
    address = clean_text(text, 400)
    if not address or not 5 <= len(address) <= 400:
        return Retry("dialog.order.address_invalid")
    turn.data["address"] = address
    return Go("summary")


_RELATION_LABELS = tuple(f"dialog.relation.{r}" for r in RELATIONS)
STEPS = {
    "document": Step(_ask("dialog.order.document", "dialog.doc.extract", "dialog.doc.full_copy", "dialog.doc.both"),
                     _document),
    "copies": Step(_copies_prompt, _copies),
    "office": Step(_ask("dialog.order.office"), _office, free_text=True),
    "office_pick": Step(_office_pick_prompt, _office_pick, free_text=True),
    "act": Step(_ask("dialog.order.act"), _act),
    "year": Step(_ask("dialog.order.year"), _year),
    "family_name": Step(_ask("dialog.order.family_name"), _name("family", "first_name"), free_text=True),
    "first_name": Step(_ask("dialog.order.first_name"), _name("first", "relation"), free_text=True),
    "relation": Step(_ask("dialog.order.relation", *_RELATION_LABELS), _relation),
    "zone": Step(_ask("dialog.order.zone", "dialog.zone.ma", "dialog.zone.abroad"), _zone),
    "country": Step(_ask("dialog.order.country"), _country, free_text=True),
    "city": Step(_ask("dialog.order.city"), _city, free_text=True),
    "address": Step(_ask("dialog.order.address"), _address, free_text=True),
    "summary": Step(summary.prompt, summary.answer),
}

FLOWS = (Flow("order", STEPS, {"start": lambda turn, argument: Go("document")}),)
