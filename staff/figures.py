"""Figures for the staff view, read from the core's tables: processing times, late orders, workload, revenue."""
from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

from orders_core.lifecycle import Status
from orders_core.model import Office, Order
from orders_core.services import is_late

from . import queries

__all__ = [
    "STAGES", "REVENUE_DIMENSIONS", "StageTime", "Workload", "RevenueRow", "percentile", "day_bounds",
    "province_offices", "stage_durations", "processing_times", "stage_times", "late_orders", "orders_per_day", "workload",
    "revenue", "credits_outstanding", "credit_balances",
    "CreditMovement", "credit_movements",
]

# The stages an office holds an order in: waiting to be taken, being produced, signed and waiting for the post.
STAGES = (Status.RECEIVED, Status.IN_PROGRESS, Status.READY)
REVENUE_DIMENSIONS = ("day", "commune", "means", "channel")
_WAITING_FOR_OFFICE = (Status.PAID, Status.RECEIVED, Status.IN_PROGRESS, Status.READY)


@dataclass(frozen=True)
class CreditMovement:
    """One account's credit over a period (centimes): held at its start, credited, used; held at its end."""
    account: str
    opening: int
    credited: int
    used: int
    last_at: datetime

    @property
    def closing(self) -> int:
        return self.opening + self.credited - self.used


@dataclass(frozen=True)
class StageTime:
    office_code: str | None  # None: every office of the scope together
    stage: str
    count: int
    median_hours: float
    p90_hours: float


@dataclass(frozen=True)
class Workload:
    user_id: int
    name: str
    role: str
    in_progress: int
    ready: int
    dispatched: int


@dataclass(frozen=True)
class RevenueRow:
    key: object
    label: str
    label_ar: str
    payments: int
    amount: int


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile: the smallest value with at least `share` of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def day_bounds(first: date, last: date, zone: str) -> tuple[datetime, datetime]:
    """The UTC instants where the local day `first` begins and the local day `last` ends."""
    tz = ZoneInfo(zone)
    return (datetime.combine(first, time(), tz), datetime.combine(last + timedelta(days=1), time(), tz))


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def province_offices(uow, province_code: str) -> list[Office]:
    return queries.province_offices(uow, province_code)


def stage_durations(uow, office_codes: list[str], since: datetime) -> dict[tuple[str, str], list[float]]:
    """Hours each order spent in each office stage, for stages that ended since `since`, by (office, stage)."""
    durations, codes = defaultdict(list), set(office_codes)
    for _, events in groupby(queries.stage_events(uow, office_codes, since), key=lambda row: row[0]):
        events = list(events)
        # A stage lasts from the event entering it to the next event of the same order.
        for (_, office, stage, start), (*_, end) in zip(events, events[1:]):
            if stage in STAGES and office in codes and end >= since:
                durations[(office, stage)].append((end - start).total_seconds() / 3600)
    return dict(durations)


def processing_times(durations: dict[tuple[str, str], list[float]]) -> tuple[list[StageTime], list[StageTime]]:
    """Median and 90th percentile per office and stage, and per stage over all the offices."""
    def summary(office, stage, values):
        return StageTime(office, stage, len(values), statistics.median(values), percentile(values, 0.9))
    rank = {stage: i for i, stage in enumerate(STAGES)}
    per_office = [summary(office, stage, values) for (office, stage), values in
                  sorted(durations.items(), key=lambda item: (item[0][0], rank[item[0][1]]))]
    pooled = defaultdict(list)
    for (_, stage), values in durations.items():
        pooled[stage].extend(values)
    overall = [summary(None, stage, pooled[stage]) for stage in STAGES if pooled[stage]]
    return per_office, overall


def stage_times(uow, office_codes: list[str], since: datetime) -> tuple[list[StageTime], list[StageTime]]:
    """Median and 90th percentile per office and stage, and per stage, of the stages that ended since `since`."""
    if not queries.is_postgresql(uow):
        # The embedded default has no percentile aggregates; its history is small enough to group here.
        return processing_times(stage_durations(uow, office_codes, since))
    rank = {name: i for i, name in enumerate(STAGES)}
    rows = sorted(queries.stage_times(uow, office_codes, since, STAGES), key=lambda r: (r[1] or "", rank[r[2]]))
    per_office = [StageTime(r[1], r[2], r[3], float(r[4]), float(r[5])) for r in rows if not r[0]]
    overall = [StageTime(None, r[2], r[3], float(r[4]), float(r[5])) for r in rows if r[0]]
    return per_office, overall


def late_orders(uow, office_codes: list[str], now: datetime, limit: int = 200) -> list[Order]:
    """Orders past their office's service level and not yet dispatched, the oldest payment first."""
    waiting = queries.orders_waiting(uow, office_codes, _WAITING_FOR_OFFICE, now - timedelta(days=1), 5000)
    return [order for order in waiting if is_late(order, now)][:limit]


def orders_per_day(uow, office_codes: list[str] | None, first: date, last: date, zone: str) -> list[tuple]:
    """Orders placed on each local day from `first` to `last` (every day listed, zero included)."""
    start, end = day_bounds(first, last, zone)
    counts = {_as_date(d): n for d, n in queries.orders_per_day(uow, office_codes, start, end, zone)}
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return [(d, counts.get(d, 0)) for d in days]


def workload(uow, office_code: str, since: datetime) -> list[Workload]:
    """What each agent of an office holds now, and how many orders they dispatched since `since`."""
    people = queries.office_people(uow, office_code)
    holding = queries.held_by_agent(uow, office_code, [Status.IN_PROGRESS, Status.READY])
    dispatched = queries.dispatched_by_agent(uow, office_code, since)
    return [Workload(p.id, p.display_name, p.role, holding.get((p.id, Status.IN_PROGRESS), 0),
                     holding.get((p.id, Status.READY), 0), dispatched.get(str(p.id), 0)) for p in people]


def revenue(uow, dimension: str, first: date, last: date, zone: str) -> list[RevenueRow]:
    """Money collected from `first` to `last` (local days) by day, commune, payment means or channel."""
    if dimension not in REVENUE_DIMENSIONS:
        raise ValueError(f"revenue by {dimension!r}: one of {REVENUE_DIMENSIONS}")
    start, end = day_bounds(first, last, zone)
    rows = []
    for row in queries.revenue_rows(uow, dimension, start, end, zone):
        key = _as_date(row[0]) if dimension == "day" else row[0]
        label, label_ar = (row[1], row[2]) if dimension == "commune" else (str(key), str(key))
        rows.append(RevenueRow(key, label, label_ar, int(row[-2]), int(row[-1] or 0)))
    return rows


def credits_outstanding(uow, limit: int = 500) -> tuple[list[tuple], int]:
    """Accounts holding credit (largest first) with their balance and last movement, and the total owed."""
    return queries.credits_largest(uow, limit), queries.credits_total(uow)


def credit_balances(uow, after: str = "", limit: int = 1000) -> list[tuple]:
    """Accounts holding credit by account, `limit` of them after `after`: one page of the export."""
    return queries.credit_balances(uow, after, limit)


def credit_movements(uow, first: date, last: date, zone: str, after: str = "", limit: int = 1000
                     ) -> list[CreditMovement]:
    """The credit statement of the local days `first`..`last`: each account whose credit moved, by account, `limit`
    of them after `after`."""
    start, end = day_bounds(first, last, zone)
    return [CreditMovement(account, int(opening), int(credited), int(used), at)
            for account, opening, credited, used, at in queries.credit_movements(uow, start, end, after, limit)]
