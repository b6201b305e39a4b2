"""The citizen's tracking view, derived from an order's events: stages with dates, expected delivery, late or not."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ..lifecycle import FINAL, Status
from ..model import Order

__all__ = ["Stage", "Tracking", "tracking_view", "add_working_days", "dispatch_deadline", "is_late", "POSTAGE_DAYS"]

POSTAGE_DAYS = {"MA": 2, "abroad": 7}  # working days the registered mail takes, by zone
_DONE_WITH_OFFICE = frozenset({Status.DISPATCHED, Status.DELIVERED, Status.RETURNED}) | FINAL


@dataclass(frozen=True)
class Stage:
    status: str
    at: datetime
    note: str | None


@dataclass(frozen=True)
class Tracking:
    reference: str
    status: str
    stages: tuple[Stage, ...]
    expected_delivery: date | None
    late: bool
    barcode: str | None


def add_working_days(start: datetime, days: int) -> datetime:
    """The moment `days` working days (Monday to Friday) after `start`."""
    moment = start
    while days > 0:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            days -= 1
    return moment


def dispatch_deadline(order: Order) -> datetime | None:
    """When the office must have dispatched the order: its service level after payment."""
    if order.paid_at is None:
        return None
    return add_working_days(order.paid_at, order.office.service_days if order.office else 3)


def is_late(order: Order, now: datetime) -> bool:
    """Late: paid, not yet dispatched, and past the office's service level."""
    deadline = dispatch_deadline(order)
    return deadline is not None and order.status not in _DONE_WITH_OFFICE and now > deadline


def _expected_delivery(order: Order, now: datetime, postage_days: dict) -> date | None:
    if order.status in FINAL:
        return None
    days = postage_days.get(order.delivery_zone, 7)
    dispatched = [e.at for e in order.events if e.to_status == Status.DISPATCHED]
    if dispatched:
        return add_working_days(dispatched[-1], days).date()
    deadline = dispatch_deadline(order)
    if deadline is None:
        return None
    return add_working_days(max(deadline, now), days).date()


def tracking_view(order: Order, now: datetime, postage_days: dict = POSTAGE_DAYS) -> Tracking:
    """Build the tracking view from the order's recorded events."""
    stages = tuple(Stage(e.to_status, e.at, e.note) for e in order.events if e.to_status != Status.REASSIGNED)
    return Tracking(order.reference, order.status, stages, _expected_delivery(order, now, postage_days),
                    is_late(order, now), order.barcode)
