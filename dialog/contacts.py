"""Contacts: who writes to the bot, in which language they want answers, when they last wrote."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from .orm import contacts as t

__all__ = ["Contact", "touch", "choose_language"]


@dataclass(frozen=True)
class Contact:
    contact: str
    phone: str | None
    language: str | None
    language_session: str | None


def touch(uow, contact: str, phone: str | None, at: datetime) -> Contact:
    """Note that `contact` wrote now (creating the row at first contact) and return what we know of them."""
    for _ in range(2):  # two first messages at once: the loser of the insert reads the winner's row
        with uow:
            found = _get(uow, contact)
            if found is None:
                try:
                    uow.session.execute(insert(t).values(contact=contact, phone=phone, last_inbound_at=at,
                                                         created_at=at))
                except IntegrityError:
                    continue
            else:
                uow.session.execute(update(t).where(t.c.contact == contact).values(
                    last_inbound_at=at, phone=phone or found.phone))
            uow.commit()
            return found or Contact(contact, phone, None, None)
    return Contact(contact, phone, None, None)


def choose_language(uow, contact: str, language: str, session_id: str | None = None) -> None:
    with uow:
        uow.session.execute(update(t).where(t.c.contact == contact).values(language=language,
                                                                            language_session=session_id))
        uow.commit()


def _get(uow, contact: str) -> Contact | None:
    row = uow.session.execute(select(t.c.contact, t.c.phone, t.c.language, t.c.language_session)
                              .where(t.c.contact == contact)).first()
    return Contact(*row) if row else None
