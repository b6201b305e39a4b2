"""Domain objects of the order core. Plain classes: persistence maps them from outside (orm.py)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from .lifecycle import Status, check_transition

__all__ = [
    "Actor", "Region", "Province", "Commune", "Office", "Order", "OrderLine", "OrderEvent", "Payment",
    "Complaint", "ComplaintEvent", "CreditEntry", "OutboxMessage", "User", "Escalation", "EscalationMessage",
]


@dataclass(frozen=True)
class Actor:
    """Who does something, in which role, through which channel."""

    id: str
    role: str
    channel: str = "web"
    office_code: str | None = None
    province_code: str | None = None


class _Plain:
    """Keyword construction for mapped classes."""

    def __init__(self, **fields):
        for name, value in fields.items():
            setattr(self, name, value)

    def __repr__(self):
        key = getattr(self, "reference", None) or getattr(self, "code", None) or getattr(self, "id", None)
        return f"<{type(self).__name__} {key!r}>"


class Region(_Plain):
    pass


class Province(_Plain):
    pass


class Commune(_Plain):
    pass


class Office(_Plain):
    def label(self, lang: str) -> str:
        """The office's name in the given language (Arabic or French)."""
        return self.name_ar if lang == "ar" and self.name_ar else self.name_fr


class OrderLine(_Plain):
    pass


class OrderEvent(_Plain):
    pass


class Payment(_Plain):
    pass


class Order(_Plain):
    """A request for copies of one birth record, from placement to delivery."""

    def move(self, target: str, actor: Actor, at: datetime, note: str | None = None) -> OrderEvent:
        """Apply one lifecycle transition and record it as an event (the caller stores the event)."""
        check_transition(self.status, target, actor.role)
        order_id = getattr(self, "id", None)  # None until the order is stored
        event = OrderEvent(
            order_id=order_id, from_status=self.status, to_status=str(target), actor_id=actor.id, role=actor.role,
            channel=actor.channel, at=at, note=note, office_code=self.office_code,
        )
        self.status = str(target)
        # A stored order's history is not read just to add a line to it (a query per move): unless it is in
        # memory already, the caller stores the event, and the history shows it whenever it is read.
        if order_id is None or "events" in vars(self):
            self.events.append(event)
        return event

    @property
    def paid_amount(self) -> int:
        return sum(p.applied for p in self.payments)

    @property
    def amount_due(self) -> int:
        return max(0, self.total - self.paid_amount)

    @property
    def copies(self) -> dict[str, int]:
        return {line.document: line.copies for line in self.lines}

    @property
    def account(self) -> str:
        """The key of the requester's credit ledger: the phone number when known, else the contact."""
        return self.requester_phone or self.requester_contact

    def is_status(self, *statuses: Status) -> bool:
        return self.status in statuses


class Complaint(_Plain):
    pass


class ComplaintEvent(_Plain):
    pass


class CreditEntry(_Plain):
    pass


class OutboxMessage(_Plain):
    pass


class User(_Plain):
    def as_actor(self, channel: str = "web") -> Actor:
        return Actor(str(self.id), self.role, channel, self.office_code, self.province_code)


class Escalation(_Plain):
    pass


class EscalationMessage(_Plain):
    pass


@dataclass(frozen=True)
class Holder:
    """Whose birth record it is."""

    family_name_latin: str | None = None
    first_name_latin: str | None = None
    family_name_ar: str | None = None
    first_name_ar: str | None = None
    father_first_name: str | None = None
    mother_full_name: str | None = None
    birth_date: date | None = None


@dataclass(frozen=True)
class Delivery:
    """Where the sealed envelope goes."""

    zone: str = "MA"
    country: str = "MA"
    recipient: str | None = None
    address: str | None = None
    city: str | None = None
    postal_code: str | None = None


@dataclass(frozen=True)
class OrderDraft:
    """Everything a citizen gives to place an order, before validation."""

    office_code: str
    act_number: str
    record_year: int
    year_calendar: str
    holder: Holder
    lines: dict
    requester_contact: str
    requester_relation: str
    language: str
    delivery: Delivery
    channel: str
    requester_phone: str | None = None
