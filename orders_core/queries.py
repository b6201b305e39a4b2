"""Read queries of the order core (persistence side: the only service-facing module that builds SQL)."""
from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import selectinload

from . import model
from .orm import directory_revision as revision_table
from .orm import offices as offices_table
from .orm import escalations as escalations_table
from .orm import orders as orders_table
from .lifecycle import ACTIVE, Role, Status

__all__ = [
    "office", "order_by_id", "orders_of_contact", "payment_by_source", "unpaid_before", "office_queue", "office_count",
    "orders_waiting",
    "complaint_by_reference", "credit_entries", "user_by_username", "user_by_phone",
    "first_agent_phone", "open_escalation_for", "open_escalation_id", "latest_order_of_contact", "directory_revision", "active_offices",
    "last_delivery_of", "LastDelivery", "office_is_active",
]


def office(uow, code: str) -> model.Office | None:
    return uow.get(model.Office, code)


def order_by_id(uow, order_id: int, lock: bool = False) -> model.Order | None:
    return uow.get(model.Order, order_id, lock=lock)


def orders_of_contact(uow, contacts: list[str], limit: int = 10) -> list[model.Order]:
    """The latest orders placed from any of these contacts (phone number, WhatsApp id)."""
    stmt = (select(model.Order).where(or_(model.Order.requester_contact.in_(contacts),
                                          model.Order.requester_phone.in_(contacts)))
            .order_by(model.Order.created_at.desc(), model.Order.id.desc()).limit(limit))
    return uow.all(stmt)


def latest_order_of_contact(uow, contacts: list[str]) -> model.Order | None:
    found = orders_of_contact(uow, contacts, limit=1)
    return found[0] if found else None


class LastDelivery(NamedTuple):
    """Where a contact's latest order was recorded and sent: what a new order offers again."""

    record_office_code: str
    delivery_zone: str
    delivery_country: str
    delivery_city: str | None
    delivery_address: str | None


def last_delivery_of(uow, contacts: list[str]) -> LastDelivery | None:
    """The record office and the delivery of the latest order placed from any of these contacts, read without
    the order's other columns and without the ORM (every order from USSD or SMS starts with it)."""
    row = uow.session.execute(_LAST_DELIVERY, {"contacts": list(contacts)}).first()
    return LastDelivery(*row) if row else None


def office_is_active(uow, code: str) -> bool:
    """Whether an office of this code exists and takes orders (one column, no ORM object)."""
    return bool(uow.session.execute(_OFFICE_ACTIVE, {"code": code}).scalar())


def payment_by_source(uow, means: str, source_ref: str) -> model.Payment | None:
    return uow.one(select(model.Payment).where(model.Payment.means == means, model.Payment.source_ref == source_ref))


def unpaid_before(uow, moment: datetime, limit: int = 500) -> list[model.Order]:
    stmt = (select(model.Order).where(model.Order.status == Status.AWAITING_PAYMENT, model.Order.expires_at <= moment)
            .order_by(model.Order.id).limit(limit))
    return uow.all(stmt)


def office_queue(uow, office_code: str, statuses=ACTIVE) -> list[model.Order]:
    """An office's orders in these statuses with their lines (read in one more query, not one per order)."""
    stmt = (select(model.Order).where(model.Order.office_code == office_code, model.Order.status.in_(list(statuses)))
            .options(selectinload(model.Order.lines)).order_by(model.Order.paid_at, model.Order.id))
    return uow.all(stmt)


def orders_waiting(uow, office_codes, statuses, paid_before: datetime, limit: int | None = None
                   ) -> list[model.Order]:
    """The orders of these offices in one of `statuses`, paid before `paid_before`, the oldest payment first, with
    their office (its service level says when each is late): one statement through the index on (office_code,
    status), and one for the offices. Read by the staff figures and the supervisors' daily late lists."""
    office_codes = sorted(set(office_codes))
    if not office_codes:
        return []
    stmt = (select(model.Order).options(selectinload(model.Order.office))
            .where(model.Order.office_code.in_(office_codes), model.Order.status.in_(list(statuses)),
                   model.Order.paid_at < paid_before)
            .order_by(model.Order.paid_at, model.Order.id))
    return uow.all(stmt if limit is None else stmt.limit(limit))


def office_count(uow, office_code: str, statuses) -> int:
    """How many of an office's orders are in these statuses."""
    stmt = select(func.count()).where(model.Order.office_code == office_code, model.Order.status.in_(list(statuses)))
    return uow.scalar(stmt)


def directory_revision(uow) -> int:
    """The directory's revision: it moves with every change to an office."""
    return uow.scalar(_REVISION) or 0


def active_offices(uow) -> list:
    """Every active office as a plain row (no ORM objects: the search index keeps thousands of them)."""
    t = offices_table
    stmt = select(t.c.code, t.c.name_fr, t.c.name_ar, t.c.arrondissement_fr, t.c.arrondissement_ar,
                  t.c.service_days, t.c.search_latin, t.c.search_arabic).where(t.c.active.is_(True))
    return list(uow.session.execute(stmt))


def complaint_by_reference(uow, reference: str) -> model.Complaint | None:
    return uow.one(select(model.Complaint).where(model.Complaint.reference == reference))


def credit_entries(uow, account: str) -> list[model.CreditEntry]:
    stmt = select(model.CreditEntry).where(model.CreditEntry.account == account).order_by(model.CreditEntry.id)
    return uow.all(stmt)


def user_by_username(uow, username: str) -> model.User | None:
    return uow.one(select(model.User).where(func.lower(model.User.username) == username.lower()))


def user_by_phone(uow, phone: str) -> model.User | None:
    return uow.one(select(model.User).where(model.User.phone == phone, model.User.active.is_(True)))


def first_agent_phone(uow) -> str | None:
    """The phone of the first active agent that has one (the demo agent's, in the simulator)."""
    return uow.scalar(select(model.User.phone).where(
        model.User.role == Role.AGENT, model.User.active.is_(True), model.User.phone.is_not(None))
        .order_by(model.User.id).limit(1))


def open_escalation_id():
    """The id of a contact's latest open escalation (NULL if none), as a scalar subquery whose bound parameter
    `contact` names the contact: a column that another read carries (the contact's row, when a conversation starts),
    saving a statement of its own. Built once."""
    return _OPEN_ESCALATION_ID


def open_escalation_for(uow, contact: str) -> model.Escalation | None:
    stmt = (select(model.Escalation).where(model.Escalation.contact == contact, model.Escalation.status == "open")
            .order_by(model.Escalation.id.desc()))
    return uow.one(stmt)


# Built once, with bound parameters: SQLAlchemy then compiles them once and skips building and keying a new
# statement at every call (these run on the USSD and SMS order path).
_o = orders_table
_LAST_DELIVERY = (select(_o.c.record_office_code, _o.c.delivery_zone, _o.c.delivery_country, _o.c.delivery_city,
                         _o.c.delivery_address)
                  .where(or_(_o.c.requester_contact.in_(bindparam("contacts", expanding=True)),
                             _o.c.requester_phone.in_(bindparam("contacts", expanding=True))))
                  .order_by(_o.c.created_at.desc(), _o.c.id.desc()).limit(1))
_OFFICE_ACTIVE = select(offices_table.c.active).where(offices_table.c.code == bindparam("code"))
_REVISION = select(revision_table.c.revision).where(revision_table.c.id == 1)  # read by every office search
_e = escalations_table
_OPEN_ESCALATION_ID = (select(_e.c.id).where(_e.c.contact == bindparam("contact"), _e.c.status == "open")
                       .order_by(_e.c.id.desc()).limit(1).scalar_subquery())
