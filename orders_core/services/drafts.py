"""Validation of an order draft: every field checked, every problem named."""
from __future__ import annotations

from datetime import date
from typing import Callable

from .. import queries
from ..errors import InvalidInput, NotEntitled
from ..model import OrderDraft
from ..phones import normalise_phone
from ..pricing import validate_lines
from ..validation import (
    CALENDARS, CHANNELS, ENTITLED_TO_FULL_COPY, LANGUAGES, RELATIONS, Problems, clean_text, digits_only,
    hijri_year_of, valid_country,
)

__all__ = ["validate_draft"]

NAME_LIMIT = 80


def validate_draft(uow, draft: OrderDraft, office_open: Callable[[str], bool] | None = None) -> dict:
    """Return the order's column values from a draft, or raise InvalidInput naming every bad field.

    `office_open` says whether an office takes orders; by default the database is asked (as an order must be)."""
    problems = Problems()
    values = {}
    values.update(_record(uow, draft, problems, office_open))
    values.update(_holder(draft.holder, uow.now().date(), problems))
    values.update(_requester(draft, problems))
    values.update(_delivery(draft.delivery, problems))
    try:
        values["lines"] = validate_lines(draft.lines)
    except InvalidInput as exc:
        problems.update(exc.problems)
    problems.raise_if_any(InvalidInput)
    if "full_copy" in values["lines"] and values["requester_relation"] not in ENTITLED_TO_FULL_COPY:
        raise NotEntitled({"requester_relation": "a full copy goes only to the holder, their parents, children, "
                                                 "spouse, guardian or a person they authorised"})
    return values


def _record(uow, draft: OrderDraft, problems: Problems, office_open: Callable[[str], bool] | None) -> dict:
    code = str(draft.office_code or "")
    is_open = office_open(code) if office_open is not None else queries.office_is_active(uow, code)
    problems.check(is_open, "office_code", f"no such office: {draft.office_code!r}")
    act = digits_only(draft.act_number)
    problems.check(act.isdigit() and 1 <= len(act) <= 8 and int(act) > 0, "act_number",
                   "the act number is 1 to 8 digits")
    calendar = draft.year_calendar
    problems.check(calendar in CALENDARS, "year_calendar", f"one of {', '.join(CALENDARS)}")
    year = _year(draft.record_year)
    today = uow.now().date()
    low, high = (1900, today.year) if calendar != "hijri" else (1318, hijri_year_of(today))
    problems.check(year is not None and low <= year <= high, "record_year", f"a year from {low} to {high}")
    return {"record_office_code": draft.office_code, "act_number": act.lstrip("0") or act,
            "record_year": year, "year_calendar": calendar}


def _year(value) -> int | None:
    text = digits_only(value)
    return int(text) if text.isdigit() and len(text) <= 4 else None


def _holder(holder, today: date, problems: Problems) -> dict:
    names = {field: clean_text(getattr(holder, field), NAME_LIMIT) for field in (
        "family_name_latin", "first_name_latin", "family_name_ar", "first_name_ar", "father_first_name")}
    names["mother_full_name"] = clean_text(holder.mother_full_name, 160)
    for field, value in names.items():
        limit = 160 if field == "mother_full_name" else NAME_LIMIT
        problems.check(value is None or len(value) <= limit, field, f"at most {limit} characters")
    latin = names["family_name_latin"] and names["first_name_latin"]
    arabic = names["family_name_ar"] and names["first_name_ar"]
    problems.check(bool(latin or arabic), "holder", "give the holder's family and first names")
    born = holder.birth_date
    problems.check(born is None or (isinstance(born, date) and date(1900, 1, 1) <= born <= today), "birth_date",
                   "a date between 1900 and today")
    return {**names, "birth_date": born}


def _requester(draft: OrderDraft, problems: Problems) -> dict:
    phone = None
    if draft.requester_phone:
        try:
            phone = normalise_phone(draft.requester_phone, field="requester_phone")
        except InvalidInput as exc:
            problems.update(exc.problems)
    contact = clean_text(draft.requester_contact, 80)
    problems.check(bool(contact) and len(contact) <= 80, "requester_contact", "who is asking (phone or chat id)")
    problems.check(draft.requester_relation in RELATIONS, "requester_relation", f"one of {', '.join(RELATIONS)}")
    problems.check(draft.language in LANGUAGES, "language", f"one of {', '.join(LANGUAGES)}")
    problems.check(draft.channel in CHANNELS, "channel", f"one of {', '.join(CHANNELS)}")
    return {"requester_phone": phone, "requester_contact": contact, "requester_relation": draft.requester_relation,
            "language": draft.language, "channel": draft.channel}


def _delivery(delivery, problems: Problems) -> dict:
    country = str(delivery.country or "").upper()
    zone = delivery.zone
    problems.check(zone in ("MA", "abroad"), "delivery_zone", "MA or abroad")
    problems.check(valid_country(country), "delivery_country", "a two-letter country code such as MA or FR")
    problems.check((zone == "MA") == (country == "MA"), "delivery_country",
                   "Morocco is zone MA; any other country is zone abroad")
    address = clean_text(delivery.address, 400)
    problems.check(address is not None and 5 <= len(address) <= 400, "delivery_address", "5 to 400 characters")
    city = clean_text(delivery.city, 80)
    problems.check(city is not None and len(city) <= 80, "delivery_city", "the town or city, at most 80 characters")
    recipient = clean_text(delivery.recipient, 120)
    problems.check(recipient is None or len(recipient) <= 120, "delivery_recipient", "at most 120 characters")
    postal = clean_text(delivery.postal_code, 16)
    problems.check(postal is None or len(postal) <= 16, "delivery_postal_code", "at most 16 characters")
    return {"delivery_zone": zone, "delivery_country": country, "delivery_address": address, "delivery_city": city,
            "delivery_recipient": recipient, "delivery_postal_code": postal}
