"""The staff view's reads: every SQL statement of its pages, behind named functions (the views import no SQLAlchemy).

Each read is bounded: by its period through an index, by the office's orders in hand, or by a page of a keyset
(`after`/`before` the last key shown), never by the whole history.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Float, case, cast, func, literal, or_, select, tuple_
from sqlalchemy.orm import aliased, selectinload

from notifications import Notification
from orders_core.lifecycle import Role, Status
from orders_core.model import (
    Commune, Complaint, CreditEntry, Escalation, EscalationMessage, Office, Order, OrderEvent, OutboxMessage, Payment,
    User,
)
from orders_core.queries import orders_waiting  # the order core's one query, shared with the late lists
from payments_sms.orm import card_batches

__all__ = [
    "accounts", "agent_names", "complaints", "offices_matching", "open_escalations", "support_replies",
    "card_batches_page", "is_postgresql", "province_offices", "stage_events", "stage_times", "orders_waiting",
    "orders_per_day", "office_people", "held_by_agent", "dispatched_by_agent", "revenue_rows", "credit_balances",
    "credit_movements", "credits_largest", "credits_total",
]


# -- lists and look-ups -------------------------------------------------------------------------------------------
def accounts(uow, limit: int) -> list[User]:
    return uow.all(select(User).order_by(User.role, User.username).limit(limit))


def agent_names(uow, office_code: str) -> dict[int, str]:
    return {u.id: u.display_name for u in uow.all(select(User).where(User.office_code == office_code))}


def complaints(uow, role: str, province_code: str | None, statuses, limit: int,
               since: datetime | None) -> list[Complaint]:
    """Complaints assigned to `role` (of a province, for inspectors) with their orders, the oldest first."""
    stmt = select(Complaint).where(Complaint.assignee_role == role, Complaint.status.in_(list(statuses)))
    if since is not None:
        stmt = stmt.where(Complaint.created_at >= since)
    if role == Role.INSPECTOR:
        stmt = stmt.where(Complaint.province_code == province_code)
    # Each row shows its order: read with the list, not one query per row.
    return uow.all(stmt.options(selectinload(Complaint.order)).order_by(Complaint.created_at, Complaint.id)
                   .limit(limit))


def offices_matching(uow, text: str, folded: str, page: int, per_page: int) -> tuple[list[Office], int]:
    """Offices whose code starts with `text` or whose search text holds `folded`, one page by code; and the count."""
    stmt = select(Office)
    if folded:
        stmt = stmt.where(or_(Office.code.startswith(text.strip(), autoescape=True),
                              Office.search_latin.contains(folded, autoescape=True),
                              Office.search_arabic.contains(folded, autoescape=True)))
    total = uow.scalar(select(func.count()).select_from(stmt.subquery()))
    items = uow.all(stmt.order_by(Office.code).offset((max(page, 1) - 1) * per_page).limit(per_page))
    return items, total


def open_escalations(uow, limit: int = 200) -> list[tuple]:
    """Open escalations, the oldest first, each with the time of its last message."""
    last_in = (select(func.max(EscalationMessage.at)).where(EscalationMessage.escalation_id == Escalation.id)
               .scalar_subquery())
    return uow.session.execute(select(Escalation, last_in).where(Escalation.status == "open")
                               .order_by(Escalation.created_at, Escalation.id).limit(limit)).all()


def support_replies(uow, contact: str) -> list[tuple]:
    """(outbox payload, provider, channel) of each support reply notification to this contact."""
    return uow.session.execute(
        select(OutboxMessage.payload, Notification.provider, Notification.channel)
        .join(Notification, Notification.outbox_id == OutboxMessage.id)
        .where(OutboxMessage.topic == "escalation.reply", Notification.kind == "support_reply",
               Notification.contact == contact)).all()


def card_batches_page(uow, before: int | None, limit: int) -> list[dict]:
    """A page of batches, the newest first (those numbered below `before`), each with its cards by status."""
    stmt = select(card_batches).order_by(card_batches.c.id.desc()).limit(limit)
    if before is not None:
        stmt = stmt.where(card_batches.c.id < before)
    # The counts are kept on each batch's row by the writes that change a card's status: no card is read.
    return [{**row, "counts": {status: row[f"{status}_cards"] for status in ("printed", "active", "blocked")}}
            for row in uow.session.execute(stmt).mappings()]


# -- figures ------------------------------------------------------------------------------------------------------
def is_postgresql(uow) -> bool:
    return uow.session.get_bind().dialect.name == "postgresql"


def _local_day(uow, column, zone: str, at: datetime):
    """The local calendar day of a stored UTC time, as SQL."""
    # Inline literals: PostgreSQL groups by an expression only when SELECT and GROUP BY spell it identically.
    if is_postgresql(uow):
        return func.date(func.timezone(literal(zone, literal_execute=True), column))
    # SQLite knows no time zones: the offset in force at the start of the period stands for the whole of it.
    offset = int(at.astimezone(ZoneInfo(zone)).utcoffset().total_seconds() // 60)
    return func.date(column, literal(f"{offset:+d} minutes", literal_execute=True))


def province_offices(uow, province_code: str) -> list[Office]:
    stmt = (select(Office).join(Commune, Office.commune_code == Commune.code)
            .where(Commune.province_code == province_code).order_by(Office.code))
    return uow.all(stmt)


def stage_events(uow, office_codes: list[str], since: datetime):
    """Every event (order, office, status entered, time) of the orders with an event at these offices since
    `since`, by order and in order."""
    touched = select(OrderEvent.order_id).where(OrderEvent.at >= since, OrderEvent.office_code.in_(office_codes))
    stmt = (select(OrderEvent.order_id, OrderEvent.office_code, OrderEvent.to_status, OrderEvent.at)
            .where(OrderEvent.order_id.in_(touched)).order_by(OrderEvent.order_id, OrderEvent.id))
    return uow.session.execute(stmt)


def _stage_spans(office_codes: list[str], since: datetime, touched: list[int], stages):
    """Each stage of the orders touched since `since` with its office and its length in hours, as a subquery."""
    e = OrderEvent
    # A stage lasts from the event entering it to the next event of the same order.
    ended = func.lead(e.at).over(partition_by=e.order_id, order_by=e.id)
    events = (select(e.office_code, e.to_status.label("stage"), e.at.label("started"), ended.label("ended"))
              .where(e.order_id.in_(touched)).subquery())
    hours = cast(func.extract("epoch", events.c.ended - events.c.started), Float) / 3600
    return (select(events.c.office_code, events.c.stage, hours.label("hours"))
            .where(events.c.stage.in_(list(stages)), events.c.office_code.in_(office_codes),
                   events.c.ended >= since).subquery())


def stage_times(uow, office_codes: list[str], since: datetime, stages) -> list[tuple]:
    """(overall?, office, stage, count, median hours, 90th percentile hours) per office and stage and per stage, on
    PostgreSQL."""
    # The touched orders are read first: joined in one statement, the planner may read every event of the history
    # to find theirs.
    touched = uow.session.scalars(select(OrderEvent.order_id).distinct().where(
        OrderEvent.office_code.in_(office_codes), OrderEvent.at >= since)).all()
    if not touched:
        return []
    spans = _stage_spans(office_codes, since, touched, stages)
    office, stage, hours = spans.c.office_code, spans.c.stage, spans.c.hours
    # percentile_cont(0.5) is statistics.median; percentile_disc(0.9) is the nearest rank of `percentile`.
    stmt = (select(func.grouping(office), office, stage, func.count(),
                   func.percentile_cont(0.5).within_group(hours), func.percentile_disc(0.9).within_group(hours))
            .group_by(func.grouping_sets(tuple_(office, stage), tuple_(stage))))
    return list(uow.session.execute(stmt))


def orders_per_day(uow, office_codes: list[str] | None, start: datetime, end: datetime, zone: str) -> list[tuple]:
    """(local day, orders placed) for the days with orders between `start` and `end`."""
    day = _local_day(uow, Order.created_at, zone, start)
    stmt = select(day, func.count()).where(Order.created_at >= start, Order.created_at < end)
    if office_codes is not None:
        stmt = stmt.where(Order.office_code.in_(office_codes))
    return list(uow.session.execute(stmt.group_by(day)))


def office_people(uow, office_code: str) -> list[User]:
    """The office's active agents and supervisors, by name."""
    return uow.all(select(User).where(User.office_code == office_code, User.active.is_(True),
                                      User.role.in_([Role.AGENT, Role.SUPERVISOR])).order_by(User.display_name))


def held_by_agent(uow, office_code: str, statuses) -> dict[tuple, int]:
    """{(agent id, status): orders} of the office's orders in these statuses."""
    held = (select(Order.agent_id, Order.status, func.count())
            .where(Order.office_code == office_code, Order.status.in_(list(statuses)))
            .group_by(Order.agent_id, Order.status))
    return {(agent, status): n for agent, status, n in uow.session.execute(held)}


def dispatched_by_agent(uow, office_code: str, since: datetime) -> dict[str, int]:
    """{actor id: orders} the office dispatched since `since`."""
    sent = (select(OrderEvent.actor_id, func.count())
            .where(OrderEvent.office_code == office_code, OrderEvent.to_status == Status.DISPATCHED,
                   OrderEvent.at >= since).group_by(OrderEvent.actor_id))
    return dict(uow.session.execute(sent).all())


def revenue_rows(uow, dimension: str, start: datetime, end: datetime, zone: str) -> list[tuple]:
    """(key, [name_fr, name_ar,] payments, amount) of the money collected between `start` and `end`, by day,
    commune, payment means or channel."""
    # The period's payments alone, read through their time index. What a dimension needs of the order is looked up
    # by its key, payment by payment: a join lets the planner scan every order of the history.
    order_of = lambda column: select(column).where(Order.id == Payment.order_id).scalar_subquery()  # noqa: E731
    key = {"day": _local_day(uow, Payment.at, zone, start), "means": Payment.means, "channel": order_of(Order.channel),
           "commune": order_of(Order.office_code)}[dimension]
    # Credit spent on an order is money collected earlier, not new money: it is left out.
    paid = (select(key.label("key"), Payment.amount)
            .where(Payment.at >= start, Payment.at < end, Payment.means != "credit").subquery())
    count, amount = func.count(), func.sum(paid.c.amount)
    if dimension != "commune":
        stmt = select(paid.c.key, count, amount).group_by(paid.c.key).order_by(paid.c.key)
    else:
        stmt = (select(Commune.code, Commune.name_fr, Commune.name_ar, count, amount)
                .join_from(paid, Office, Office.code == paid.c.key).join(Commune, Office.commune_code == Commune.code)
                .group_by(Commune.code, Commune.name_fr, Commune.name_ar).order_by(Commune.code))
    return list(uow.session.execute(stmt))


def _per_account(balance):
    """Accounts holding credit: (account, balance, last movement), grouped."""
    return (select(CreditEntry.account, balance.label("balance"), func.max(CreditEntry.at).label("last_at"))
            .group_by(CreditEntry.account).having(balance > 0))


def credit_balances(uow, after: str, limit: int) -> list[tuple]:
    """(account, balance, last movement) of accounts holding credit, by account, the `limit` first after `after`."""
    # By account, through its index: a page reads its own accounts' entries, not every account's.
    stmt = (_per_account(func.sum(CreditEntry.amount)).where(CreditEntry.account > after)
            .order_by(CreditEntry.account).limit(limit))
    return [tuple(row) for row in uow.session.execute(stmt)]


def credit_movements(uow, start: datetime, end: datetime, after: str, limit: int) -> list[tuple]:
    """(account, opening balance, credited, used, last movement) of the accounts whose credit moved between `start`
    and `end`, by account, the `limit` first after `after`."""
    e, earlier = CreditEntry, aliased(CreditEntry)
    # The period's entries through the index on `at`; each account's opening balance through the index on
    # `account`: a statement reads the period and its own accounts' past, never every account's.
    opening = (select(func.coalesce(func.sum(earlier.amount), 0))
               .where(earlier.account == e.account, earlier.at < start).scalar_subquery())
    credited = func.sum(case((e.amount > 0, e.amount), else_=0))
    stmt = (select(e.account, opening, credited, credited - func.sum(e.amount), func.max(e.at))
            .where(e.at >= start, e.at < end, e.account > after).group_by(e.account)
            .having(func.sum(func.abs(e.amount)) > 0).order_by(e.account).limit(limit))
    return [tuple(row) for row in uow.session.execute(stmt)]


def credits_largest(uow, limit: int) -> list[tuple]:
    """(account, balance, last movement) of the `limit` accounts holding the most credit."""
    balance = func.sum(CreditEntry.amount)
    stmt = _per_account(balance).order_by(balance.desc(), CreditEntry.account).limit(limit)
    return [tuple(row) for row in uow.session.execute(stmt)]


def credits_total(uow) -> int:
    """The credit every account holds, together."""
    per_account = _per_account(func.sum(CreditEntry.amount)).subquery()
    return int(uow.scalar(select(func.coalesce(func.sum(per_account.c.balance), 0))))
