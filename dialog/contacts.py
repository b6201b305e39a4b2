"""Contacts: who writes to the bot, in which language they want answers, when they last wrote."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, literal, or_, select, update
from sqlalchemy.exc import IntegrityError

from orders_core.phones import country_of

from .orm import contacts as t

__all__ = ["Contact", "touch", "choose_language", "chosen_language", "guessed_language", "LANGUAGE_BY_COUNTRY",
           "WhatsAppId", "WhatsAppReach", "link_whatsapp", "whatsapp_reach",
           "find_reach"]

# A first guess at the language of a number's owner, changeable (LANGUE / language). Morocco has none: the first
# message decides (Arabic script -> Arabic, English words -> English, else French, Darija included). Canada is
# French: its Moroccans live mostly in Quebec.
LANGUAGE_BY_COUNTRY = {
    **dict.fromkeys(("FR", "BE", "CH", "LU", "MC", "CA", "SN", "CI"), "fr"),
    **dict.fromkeys(("US", "GB", "GG", "JE", "IM", "IE", "AU", "NZ"), "en"),
    **dict.fromkeys(("SA", "AE", "QA", "KW", "BH", "OM", "EG", "JO", "LB", "LY", "MR"), "ar"),
}


@dataclass(frozen=True)
class Contact:
    contact: str
    phone: str | None
    language: str | None
    language_session: str | None


def touch(uow, contact: str, phone: str | None, at: datetime, also=None) -> tuple[Contact, Any]:
    """Note that `contact` wrote now (creating the row at first contact) and return what we know of them, with
    the value of `also` (a scalar subquery, None without it) read in the same statement as their row; `also` may
    refer to the contact as the bound parameter `contact` (orders_core.queries.open_escalation_id)."""
    # Each statement on its own (a read, then an insert or an update that needs no snapshot of the read: two
    # first messages at once collide on the key, and the loser reads the winner's row); the first message of
    # every conversation runs this.
    for _ in range(2):
        with uow.standalone():
            found, answer = _get_with(uow, contact, also)
            if found is None:
                try:
                    uow.session.execute(_INSERT, {"contact": contact, "phone": phone, "last_inbound_at": at,
                                                  "created_at": at})
                except IntegrityError:
                    continue
            else:
                uow.session.execute(_TOUCH, {"b_contact": contact, "b_at": at, "b_phone": phone or found.phone})
            uow.commit()
            return found or Contact(contact, phone, None, None), answer
    with uow:
        return Contact(contact, phone, None, None), _get_with(uow, contact, also)[1]


def _get_with(uow, contact: str, also) -> tuple[Contact | None, Any]:
    """The contact's row (None if it has none yet) and the value of `also`, in one read: the row is outer-joined
    to a one-row select, so that `also` is read even for a contact without a row."""
    row = uow.session.execute(_read_with(also), {"contact": contact}).one()
    found = Contact(*row[:4]) if row[0] is not None else None
    return found, (row[4] if also is not None else None)


_READS: dict = {}  # `also` -> the contact's read with it: a handful of statements, each built once


def _read_with(also):
    read = _READS.get(also)
    if read is None:
        one = select(literal(1).label("one")).subquery()
        columns = (t.c.contact, t.c.phone, t.c.language, t.c.language_session)
        extra = () if also is None else (also,)
        read = _READS.setdefault(also, select(*columns, *extra).select_from(
            one.outerjoin(t, t.c.contact == bindparam("contact"))))
    return read


def guessed_language(phone: str | None) -> str | None:
    """The likely language of a number's owner, from its country code (None for Morocco and the unknown)."""
    return LANGUAGE_BY_COUNTRY.get(country_of(phone) or "") if phone else None


def chosen_language(uow, contact: str) -> str | None:
    """The language a contact chose, if any."""
    with uow:
        return uow.session.execute(select(t.c.language).where(t.c.contact == contact)).scalar()


def choose_language(uow, contact: str, language: str, session_id: str | None = None) -> None:
    with uow.standalone():  # one update
        uow.session.execute(_LANGUAGE, {"b_contact": contact, "b_language": language, "b_session": session_id})
        uow.commit()


def _get(uow, contact: str) -> Contact | None:
    row = uow.session.execute(select(t.c.contact, t.c.phone, t.c.language, t.c.language_session)
                              .where(t.c.contact == contact)).first()
    return Contact(*row) if row else None


# Built once, with bound parameters (a first message and a language choice run them): compiled once, never keyed
# again. Their parameters are named apart from the columns they set, as SQLAlchemy requires.
_INSERT = insert(t)
_TOUCH = update(t).where(t.c.contact == bindparam("b_contact")).values(last_inbound_at=bindparam("b_at"),
                                                                      phone=bindparam("b_phone"))
_LANGUAGE = update(t).where(t.c.contact == bindparam("b_contact")).values(language=bindparam("b_language"),
                                                                         language_session=bindparam("b_session"))


@dataclass(frozen=True)
class WhatsAppId:
    """What Twilio says of a WhatsApp sender: its address, WaId, business-scoped id, and phone when known."""

    address: str
    phone: str | None = None
    wa_id: str | None = None
    external_user_id: str | None = None


@dataclass(frozen=True)
class WhatsAppReach:
    """How to reach a contact on WhatsApp and since when its 24-hour window runs."""

    contact: str
    phone: str | None
    language: str | None
    address: str | None
    last_inbound_at: datetime | None


def link_whatsapp(uow, seen: WhatsAppId, at: datetime) -> WhatsAppReach:
    """The contact a WhatsApp sender is: found by business-scoped id, else by phone, else new; its ids, phone
    and window noted. The same person on SMS and USSD (keyed by phone) is the same row."""
    for _ in range(2):  # two first messages at once: the loser of the insert reads the winner's row
        with uow:
            reach = _link(uow, seen, at)
            if reach is not None:
                uow.commit()
                return reach
    raise RuntimeError("WhatsApp contact not linked after a retry")


def _link(uow, seen: WhatsAppId, at: datetime) -> WhatsAppReach | None:
    key = _by_external(uow, seen.external_user_id) or seen.phone or _whatsapp_key(seen)
    found = _get(uow, key)
    phone = seen.phone or (found.phone if found else None)
    ids = {name: value for name, value in (("wa_id", seen.wa_id), ("external_user_id", seen.external_user_id))
           if value}
    values = {"whatsapp_address": seen.address, "whatsapp_at": at, "phone": phone, **ids}
    try:
        if found is None:
            uow.session.execute(insert(t).values(contact=key, created_at=at, **values))
        else:
            uow.session.execute(update(t).where(t.c.contact == key).values(**values))
        uow.session.flush()
    except IntegrityError:
        uow.session.rollback()
        return None
    return WhatsAppReach(key, phone, found.language if found else None, seen.address, at)


def whatsapp_reach(uow, contact: str) -> WhatsAppReach | None:
    """The WhatsApp address and window of a contact (or of the contact holding this phone number), if any."""
    with uow:
        return find_reach(uow, contact)


def find_reach(uow, contact: str) -> WhatsAppReach | None:
    """`whatsapp_reach` inside a unit of work already open (the notifications' port)."""
    row = uow.session.execute(_REACH, {"contact": contact}).first()
    return WhatsAppReach(*row) if row else None


def _reach():
    """One lookup (every notification makes one): the contact's own row when it has a WhatsApp address, else the
    latest row with this number and an address, else the contact's row without one. Built once, so that a call
    only binds the contact."""
    contact = bindparam("contact", type_=t.c.contact.type)
    return (select(t.c.contact, t.c.phone, t.c.language, t.c.whatsapp_address, t.c.whatsapp_at).where(
        or_(t.c.contact == contact, (t.c.phone == contact) & t.c.whatsapp_address.is_not(None)))
        .order_by(t.c.whatsapp_address.is_(None), t.c.contact != contact, t.c.whatsapp_at.desc()).limit(1))


_REACH = _reach()


def _by_external(uow, external_user_id: str | None) -> str | None:
    if not external_user_id:
        return None
    return uow.session.execute(select(t.c.contact).where(t.c.external_user_id == external_user_id)).scalar()


def _whatsapp_key(seen: WhatsAppId) -> str:
    """A contact key for a WhatsApp sender without a phone number: its business-scoped id, else its address."""
    return f"whatsapp:ext:{seen.external_user_id}" if seen.external_user_id else seen.address
