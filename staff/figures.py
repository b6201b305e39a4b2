"""Figures for the staff view, read from the core's tables: processing times, late orders, workload, revenue."""
from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

from sqlalchemy import Float, cast, func, literal, select, tuple_

from orders_core.lifecycle import Role, Status
from orders_core.model import Commune, CreditEntry, Office, Order, OrderEvent, Payment, User
from orders_core.services import is_late

__all__ = [
    "STAGES", "REVENUE_DIMENSIONS", "StageTime", "Workload", "RevenueRow", "percentile", "day_bounds",
    "province_offices", "stage_durations", "processing_times", "stage_times", "late_orders", "orders_per_day", "workload",
    "revenue", "credits_outstanding",
]

# The stages an office holds an order in: waiting to be taken, being produced, signed and waiting for the post.
STAGES = (Status.RECEIVED, Status.IN_PROGRESS, Status.READY)
REVENUE_DIMENSIONS = ("day", "commune", "means", "channel")
_WAITING_FOR_OFFICE = (Status.PAID, Status.RECEIVED, Status.IN_PROGRESS, Status.READY)


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


def _local_day(uow, column, zone: str, at: datetime):
    """The local calendar day of a stored UTC time, as SQL."""
    # Inline literals: PostgreSQL groups by an expression only when SELECT and GROUP BY spell it identically.
    if uow.session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone(literal(zone, literal_execute=True), column))
    # SQLite knows no time zones: the offset in force at the start of the period stands for the whole of it.
    offset = int(at.astimezone(ZoneInfo(zone)).utcoffset().total_seconds() // 60)
    return func.date(column, literal(f"{offset:+d} minutes", literal_execute=True))


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def province_offices(uow, province_code: str) -> list[Office]:
    stmt = (select(Office).join(Commune, Office.commune_code == Commune.code)
            .where(Commune.province_code == province_code).order_by(Office.code))
    return uow.all(stmt)


def stage_durations(uow, office_codes: list[str], since: datetime) -> dict[tuple[str, str], list[float]]:
    """Hours each order spent in each office stage, for stages that ended since `since`, by (office, stage)."""
    touched = select(OrderEvent.order_id).where(OrderEvent.at >= since, OrderEvent.office_code.in_(office_codes))
    stmt = (select(OrderEvent.order_id, OrderEvent.office_code, OrderEvent.to_status, OrderEvent.at)
            .where(OrderEvent.order_id.in_(touched)).order_by(OrderEvent.order_id, OrderEvent.id))
    durations, codes = defaultdict(list), set(office_codes)
    for _, events in groupby(uow.session.execute(stmt), key=lambda row: row[0]):
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
    if uow.session.get_bind().dialect.name != "postgresql":
        # The embedded default has no percentile aggregates; its history is small enough to group here.
        return processing_times(stage_durations(uow, office_codes, since))
    return _stage_times_in_sql(uow, office_codes, since)


def _stage_spans(office_codes: list[str], since: datetime, touched: list[int]):
    """Each stage of the orders touched since `since` with its office and its length in hours, as a subquery."""
    e = OrderEvent
    # A stage lasts from the event entering it to the next event of the same order.
    ended = func.lead(e.at).over(partition_by=e.order_id, order_by=e.id)
    events = (select(e.office_code, e.to_status.label("stage"), e.at.label("started"), ended.label("ended"))
              .where(e.order_id.in_(touched)).subquery())
    hours = cast(func.extract("epoch", events.c.ended - events.c.started), Float) / 3600
    return (select(events.c.office_code, events.c.stage, hours.label("hours"))
            .where(events.c.stage.in_(list(STAGES)), events.c.office_code.in_(office_codes),
                   events.c.ended >= since).subquery())


def _stage_times_in_sql(uow, office_codes: list[str], since: datetime):
    # The touched orders are read first: joined in one statement, the planner may read every event of the history
    # to find theirs.
    touched = uow.session.scalars(select(OrderEvent.order_id).distinct().where(
        OrderEvent.office_code.in_(office_codes), OrderEvent.at >= since)).all()
    if not touched:
        return [], []
    spans = _stage_spans(office_codes, since, touched)
    office, stage, hours = spans.c.office_code, spans.c.stage, spans.c.hours
    # percentile_cont(0.5) is statistics.median; percentile_disc(0.9) is the nearest rank of `percentile`.
    stmt = (select(func.grouping(office), office, stage, func.count(),
                   func.percentile_cont(0.5).within_group(hours), func.percentile_disc(0.9).within_group(hours))
            .group_by(func.grouping_sets(tuple_(office, stage), tuple_(stage))))
    rank = {name: i for i, name in enumerate(STAGES)}
    rows = sorted(uow.session.execute(stmt), key=lambda r: (r[1] or "", rank[r[2]]))
    per_office = [StageTime(r[1], r[2], r[3], float(r[4]), float(r[5])) for r in rows if not r[0]]
    overall = [StageTime(None, r[2], r[3], float(r[4]), float(r[5])) for r in rows if r[0]]
    return per_office, overall


def late_orders(uow, office_codes: list[str], now: datetime, limit: int = 200) -> list[Order]:
    """Orders past their office's service level and not yet dispatched, the oldest payment first."""
    stmt = (select(Order).where(Order.office_code.in_(office_codes), Order.status.in_(_WAITING_FOR_OFFICE),
                                Order.paid_at < now - timedelta(days=1))
            .order_by(Order.paid_at, Order.id).limit(5000))
    return [order for order in uow.all(stmt) if is_late(order, now)][:limit]


def orders_per_day(uow, office_codes: list[str] | None, first: date, last: date, zone: str) -> list[tuple]:
    """Orders placed on each local day from `first` to `last` (every day listed, zero included)."""
    start, end = day_bounds(first, last, zone)
    day = _local_day(uow, Order.created_at, zone, start)
    stmt = select(day, func.count()).where(Order.created_at >= start, Order.created_at < end)
    if office_codes is not None:
        stmt = stmt.where(Order.office_code.in_(office_codes))
    counts = {_as_date(d): n for d, n in uow.session.execute(stmt.group_by(day))}
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return [(d, counts.get(d, 0)) for d in days]


def workload(uow, office_code: str, since: datetime) -> list[Workload]:
    """What each agent of an office holds now, and how many orders they dispatched since `since`."""
    people = uow.all(select(User).where(User.office_code == office_code, User.active.is_(True),
                                        User.role.in_([Role.AGENT, Role.SUPERVISOR])).order_by(User.display_name))
    held = select(Order.agent_id, Order.status, func.count()).where(
        Order.office_code == office_code, Order.status.in_([Status.IN_PROGRESS, Status.READY]))
    holding = {(agent, status): n for agent, status, n in uow.session.execute(held.group_by(Order.agent_id,
                                                                                            Order.status))}
    sent = select(OrderEvent.actor_id, func.count()).where(
        OrderEvent.office_code == office_code, OrderEvent.to_status == Status.DISPATCHED, OrderEvent.at >= since)
    dispatched = dict(uow.session.execute(sent.group_by(OrderEvent.actor_id)).all())
    return [Workload(p.id, p.display_name, p.role, holding.get((p.id, Status.IN_PROGRESS), 0),
                     holding.get((p.id, Status.READY), 0), dispatched.get(str(p.id), 0)) for p in people]


def _revenue_keys(uow, dimension: str, zone: str, start: datetime) -> tuple:
    if dimension == "day":
        return (_local_day(uow, Payment.at, zone, start),)
    if dimension == "commune":
        return Commune.code, Commune.name_fr, Commune.name_ar
    return (Payment.means,) if dimension == "means" else (Order.channel,)


def revenue(uow, dimension: str, first: date, last: date, zone: str) -> list[RevenueRow]:
    """Money collected from `first` to `last` (local days) by day, commune, payment means or channel."""
    if dimension not in REVENUE_DIMENSIONS:
        raise ValueError(f"revenue by {dimension!r}: one of {REVENUE_DIMENSIONS}")
    start, end = day_bounds(first, last, zone)
    keys = _revenue_keys(uow, dimension, zone, start)
    # Credit spent on an order is money collected earlier, not new money: it is left out.
    stmt = select(*keys, func.count(), func.sum(Payment.amount)).select_from(Payment)
    # Only what the dimension reads is joined: the period's payments alone for days and means.
    if dimension in ("commune", "channel"):
        stmt = stmt.join(Order, Payment.order_id == Order.id)
    if dimension == "commune":
        stmt = stmt.join(Office, Order.office_code == Office.code).join(Commune, Office.commune_code == Commune.code)
    stmt = (stmt.where(Payment.at >= start, Payment.at < end, Payment.means != "credit")
            .group_by(*keys).order_by(*keys))
    rows = []
    for row in uow.session.execute(stmt):
        key = _as_date(row[0]) if dimension == "day" else row[0]
        label, label_ar = (row[1], row[2]) if dimension == "commune" else (str(key), str(key))
        rows.append(RevenueRow(key, label, label_ar, row[-2], int(row[-1] or 0)))
    return rows


def credits_outstanding(uow, limit: int = 500) -> tuple[list[tuple], int]:
    """Accounts holding credit (largest first) with their balance and last movement, and the total owed."""
    balance = func.sum(CreditEntry.amount)
    per_account = (select(CreditEntry.account, balance.label("balance"), func.max(CreditEntry.at).label("last_at"))
                   .group_by(CreditEntry.account).having(balance > 0))
    rows = uow.session.execute(per_account.order_by(balance.desc(), CreditEntry.account).limit(limit)).all()
    total = uow.scalar(select(func.coalesce(func.sum(per_account.subquery().c.balance), 0)))
    return [tuple(row) for row in rows], int(total)
