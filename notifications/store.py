"""The notifications' persistence: every statement the services run, behind a named function.

The services (dispatch, sending, reports, staff, periodic) import no SQLAlchemy; they call these functions inside
an open unit of work. The hot path of a notification (bench.notifications) is written here in plain statements:
an outbox row taken with one UPDATE, a message stored with one INSERT that skips a key already stored, its events
in one multi-row INSERT, and the provider's acceptance recorded with one UPDATE and one INSERT. On PostgreSQL these
go in three round trips after psycopg's BEGINs: the row taken with its order's due amount and the requester's
opt-outs; the message and its events with the relaxed COMMIT; the acceptance and its event with the relaxed COMMIT.
"""
from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import String, bindparam, cast, func, insert, literal, or_, select, union_all, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from orders_core.db import driver_errors, for_driver, sent_with_commit
from orders_core.errors import ConcurrentChange
from orders_core.lifecycle import Status as OrderStatus
from orders_core.model import Order, OutboxMessage, User
from orders_core.columns import UTC
from orders_core.orm import orders, outbox, payments
from orders_core.queries import orders_waiting  # the order core's one query, shared with the staff figures

from .model import AgentNotice, Notification, Status
from .optouts import CHANNELS, opt_outs
from .orm import agent_notices, notification_events, notification_messages

__all__ = [
    "claim_new_outbox", "take_outbox_row", "stuck_outbox", "message_stored", "insert_message", "add_notices",
    "message_for_update", "message_by_provider_id", "record_sent", "record_sent_and_commit", "due_messages", "staff_with_phone",
    "agents_with_untold_orders", "last_digest_at", "untold_orders", "keys_stored", "orders_waiting", "user",
    "order_due",
]

_MESSAGE_COLUMNS = [c.name for c in notification_messages.c if c.name != "id"]
_EVENT = insert(notification_events)
_EVENT_COLUMNS = ("message_id", "status", "provider", "at", "detail")
_TAKE = (update(outbox).where(outbox.c.id == bindparam("outbox_id"), outbox.c.done_at.is_(None))
         .values(done_at=bindparam("now")).returning(outbox.c.id, outbox.c.topic, outbox.c.payload))
_SENT = (update(notification_messages)
         .where(notification_messages.c.id == bindparam("message_id"),
                notification_messages.c.attempts == bindparam("attempt"),
                notification_messages.c.status == Status.SENDING)
         .values(status=Status.SENT, provider_message_id=bindparam("provider_id"), segments=bindparam("segs"),
                 sent_at=bindparam("now"), updated_at=bindparam("now"), lease_until=None, last_error=None)
         .returning(notification_messages.c.kind, notification_messages.c.provider))


def _sent_with_event():
    """PostgreSQL: _SENT and the INSERT of its `sent` event (with the message's provider), one statement."""
    sent = _SENT.returning(notification_messages.c.id).cte("sent")
    event = insert(notification_events).from_select(
        ["message_id", "status", "provider", "at", "detail"],
        select(sent.c.id, literal(Status.SENT, String), sent.c.provider, bindparam("now", type_=UTC),
               literal(None, String)))
    return select(sent.c.kind, sent.c.provider).add_cte(event.cte("event"))


_SENT_WITH_EVENT = _sent_with_event()


# -- outbox ------------------------------------------------------------------------------------------------------
def claim_new_outbox(uow, batch: int) -> list[int]:
    """Mark up to `batch` new outbox rows enqueued (skipping rows another dispatcher holds); their ids."""
    rows = uow.all(select(OutboxMessage).where(OutboxMessage.done_at.is_(None), OutboxMessage.enqueued_at.is_(None))
                   .order_by(OutboxMessage.id).limit(batch).with_for_update(skip_locked=True))
    for row in rows:
        row.enqueued_at, row.attempts = uow.now(), row.attempts + 1
    return [row.id for row in rows]


def take_outbox_row(uow, outbox_id: int):
    """Mark an outbox row done and return it (id, topic, payload), locked until commit; None when done already.

    On PostgreSQL the row comes with what an order-placed message tells of the order its payload names (see
    `order_due`), read in the same statement: the commonest notification then needs no other read."""
    statement = _TAKEN_WITH_ORDER if _dialect(uow) == "postgresql" else _TAKE
    return uow.session.execute(statement, {"outbox_id": outbox_id, "now": uow.now()}).first()


def stuck_outbox(uow, stale, max_attempts: int, batch: int) -> list[OutboxMessage]:
    """Outbox rows enqueued before `stale`, not done, tried fewer than `max_attempts` times; locked (skipping rows
    others hold)."""
    return uow.all(select(OutboxMessage).where(
        OutboxMessage.done_at.is_(None), OutboxMessage.enqueued_at <= stale,
        OutboxMessage.attempts < max_attempts)
        .order_by(OutboxMessage.id).limit(batch).with_for_update(skip_locked=True))


# -- messages ----------------------------------------------------------------------------------------------------
def message_stored(uow, key: str) -> bool:
    return bool(uow.scalar(select(func.count()).select_from(Notification).where(Notification.key == key)))


def keys_stored(uow, keys) -> set[str]:
    """Those of `keys` that a stored message has, in one query."""
    keys = list(keys)
    if not keys:
        return set()
    return set(uow.session.scalars(select(Notification.key).where(Notification.key.in_(keys))))


def _insert_once(uow):
    """INSERT that skips a message whose key is stored already (PostgreSQL and SQLite both say it)."""
    dialect = {"postgresql": postgresql, "sqlite": sqlite}.get(uow.session.get_bind().dialect.name)
    if dialect is None:
        return None
    return (dialect.insert(notification_messages).on_conflict_do_nothing(index_elements=["key"])
            .returning(notification_messages.c.id))


def insert_message(uow, message: Notification, commit: bool = False) -> int | None:
    """Store a message built in memory, and its events, in two statements; its new id, or None when a message
    with its key is stored already (nothing is written then). `commit`: then commit, not waiting for the disk
    (notifications.sending, "Durability"); on PostgreSQL the message, its events and the COMMIT go in one round
    trip."""
    values = {name: getattr(message, name) for name in _MESSAGE_COLUMNS}
    events = [(e.status, e.provider, e.at, e.detail) for e in message.events]
    if _dialect(uow) == "postgresql" and events:  # one round trip: the message and its events in one statement
        params = dict(values)
        for n, event in enumerate(events):
            params.update(zip((f"e{n}_status", f"e{n}_provider", f"e{n}_at", f"e{n}_detail"), event))
        if commit:
            rows = _relaxed_and_committed(uow, _stored_with_events(len(events)), params)
            return rows[0].id if rows else None
        return uow.session.execute(_stored_with_events(len(events)), params).scalar()
    message_id = _insert_apart(uow, message, values, events)
    if commit:
        uow.commit(durable=False)
    return message_id


def _insert_apart(uow, message: Notification, values: dict, events: list) -> int | None:
    """The message, then its events, as two statements."""
    statement = _insert_once(uow)
    if statement is None:  # another database: the old way, a count then an insert
        if message_stored(uow, message.key):
            return None
        statement = insert(notification_messages).returning(notification_messages.c.id)
    message_id = uow.session.execute(statement, values).scalar()
    if message_id is None:
        return None
    uow.session.execute(_EVENT, [dict(zip(_EVENT_COLUMNS, (message_id, *event))) for event in events])
    return message_id


def _dialect(uow) -> str:
    return uow.session.get_bind().dialect.name


def _stored_with_events(count: int):
    """PostgreSQL: the INSERT of one message (skipping a key stored already) and of its `count` events, in order,
    as one statement of two data-modifying CTEs, returning the message's id (no row, and no event, when the key
    was stored already). Built once per number of events, with named parameters, so that SQLAlchemy compiles it
    once (a statement holding its values would be compiled at every job)."""
    if count not in _STORED_WITH_EVENTS:
        message = (postgresql.insert(notification_messages)
                   .values({name: bindparam(name) for name in _MESSAGE_COLUMNS})
                   .on_conflict_do_nothing(index_elements=["key"]).returning(notification_messages.c.id)
                   .cte("message"))
        rows = union_all(*(select(message.c.id, bindparam(f"e{n}_status", type_=String),
                                  bindparam(f"e{n}_provider", type_=String), bindparam(f"e{n}_at", type_=UTC),
                                  bindparam(f"e{n}_detail", type_=String)) for n in range(count)))
        events = insert(notification_events).from_select(list(_EVENT_COLUMNS), rows)
        _STORED_WITH_EVENTS[count] = select(message.c.id).add_cte(events.cte("events"))
    return _STORED_WITH_EVENTS[count]


_STORED_WITH_EVENTS: dict = {}


def add_notices(uow, user_id: int, order_ids, message_id: int, at) -> None:
    """Remember that an agent was told of these orders by this message."""
    if not order_ids:
        return
    try:
        uow.session.execute(insert(agent_notices), [{"user_id": user_id, "order_id": order_id,
                                                     "message_id": message_id, "at": at} for order_id in order_ids])
    except IntegrityError:  # a concurrent digest told this agent of one of these orders first
        raise ConcurrentChange("IntegrityError") from None


def message_for_update(uow, message_id: int) -> Notification | None:
    return uow.get(Notification, message_id, lock=True)


def message_by_provider_id(uow, providers: list[str], provider_message_id: str) -> Notification | None:
    return uow.one(select(Notification).where(Notification.provider.in_(providers),
                                              Notification.provider_message_id == provider_message_id)
                   .with_for_update())


def record_sent(uow, message_id: int, attempt: int, provider_message_id: str, segments: int):
    """The provider accepted attempt `attempt`: the message is sent (one UPDATE, one INSERT of its event).
    Returns (kind, provider), or None when that attempt no longer holds the message (nothing written)."""
    now = uow.now()
    params = {"message_id": message_id, "attempt": attempt, "provider_id": provider_message_id, "segs": segments,
              "now": now}
    if _dialect(uow) == "postgresql":  # one round trip: the UPDATE and its event in one statement
        return uow.session.execute(_SENT_WITH_EVENT, params).first()
    row = uow.session.execute(_SENT, params).first()
    if row is None:
        return None
    uow.session.execute(_EVENT, {"message_id": message_id, "status": Status.SENT, "provider": row.provider,
                                 "at": now, "detail": None})
    return row


def record_sent_and_commit(uow, message_id: int, attempt: int, provider_message_id: str, segments: int):
    """`record_sent`, then a commit that does not wait for the disk (notifications.sending, "Durability"); when that
    attempt no longer holds the message, nothing is written (on PostgreSQL the COMMIT, sent with the UPDATE and its
    event in one round trip, then ends a transaction in which this wrote nothing: call it with nothing else written)."""
    if _dialect(uow) != "postgresql":
        row = record_sent(uow, message_id, attempt, provider_message_id, segments)
        if row is not None:
            uow.commit(durable=False)
        return row
    rows = _relaxed_and_committed(uow, _SENT_WITH_EVENT, {
        "message_id": message_id, "attempt": attempt, "provider_id": provider_message_id, "segs": segments,
        "now": uow.now()})
    return rows[0] if rows else None


def _relaxed_and_committed(uow, statement, params: dict) -> list:
    """PostgreSQL: `statement`'s rows, the statement sent with `SET LOCAL synchronous_commit = off` before it and
    `COMMIT` after it in one round trip (orders_core.db.sent_with_commit: parameters bound by the server)."""
    connection = uow.session.connection()
    compiled = for_driver(statement, connection.dialect)
    params = compiled.bound(params)
    uow.session.flush()  # anything the session holds is written before the COMMIT, as uow.commit() does
    with driver_errors(connection, compiled.sql, params):
        rows = sent_with_commit(connection.connection.driver_connection, compiled.sql, params, relaxed=True)
    uow.commit()  # the driver finds no transaction open and sends nothing; the session forgets its own
    return rows


def due_messages(uow, now, stale, batch: int) -> list[Notification]:
    """Pending and due, or sending under a lapsed lease; not handed to a queue since `stale`; locked."""
    return uow.all(select(Notification).where(
        or_(Notification.status == Status.PENDING,
            (Notification.status == Status.SENDING) & (Notification.lease_until <= now)),
        or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now),
        or_(Notification.enqueued_at.is_(None), Notification.enqueued_at <= stale),
    ).order_by(Notification.next_attempt_at, Notification.id).limit(batch).with_for_update(skip_locked=True))


# -- what the messages tell --------------------------------------------------------------------------------------
def _order_due():
    paid = (select(func.coalesce(func.sum(payments.c.applied), 0)).where(payments.c.order_id == orders.c.id)
            .scalar_subquery())
    return select(orders.c.id, orders.c.reference, orders.c.language, orders.c.requester_phone,
                  orders.c.requester_contact, (orders.c.total - paid).label("unpaid")).where(
        orders.c.id == bindparam("order_id"))


_ORDER_DUE = _order_due()


def _taken_with_order():
    """PostgreSQL: _TAKE, and the order its payload names with `_order_due`'s columns (NULL when none), one
    statement."""
    taken = _TAKE.cte("taken")
    paid = (select(func.coalesce(func.sum(payments.c.applied), 0)).where(payments.c.order_id == orders.c.id)
            .scalar_subquery())
    due = [orders.c.id.label("order_id"), *(getattr(orders.c, name).label(f"order_{name}") for name in _DUE[1:5]),
           (orders.c.total - paid).label("order_unpaid")]
    standing = [_opted_out_on(channel).label(f"order_opted_out_{channel}") for channel in CHANNELS]
    return select(taken.c.id, taken.c.topic, taken.c.payload, *due, *standing).select_from(
        taken.outerjoin(orders, orders.c.id == cast(taken.c.payload["order_id"].as_string(), orders.c.id.type)))


def _opted_out_on(channel: str):
    """Whether the order's requester is opted out of `channel` under their contact or phone (notifications.optouts:
    the keys a message to them is checked under)."""
    return select(opt_outs.c.id).where(
        opt_outs.c.contact.in_([orders.c.requester_contact, orders.c.requester_phone]),
        opt_outs.c.channel == channel, opt_outs.c.opted_out.is_(True)).exists()


class OrderDue(NamedTuple):
    id: int
    reference: str
    language: str
    requester_phone: str | None
    requester_contact: str | None
    unpaid: int
    opted_out_of: frozenset | None = None  # read with it (PostgreSQL), else None: not read


_DUE = OrderDue._fields
_TAKEN_WITH_ORDER = _taken_with_order()


def order_due(uow, event) -> OrderDue | None:
    """What an order-placed message tells of the order an outbox row names: the order's id, reference, language,
    requester's phone and contact, and `unpaid` (its total less the payments applied). Read with the row when it
    was taken (PostgreSQL), else in one plain statement (no ORM object, no payment loaded); None: no such order."""
    if hasattr(event, "order_unpaid"):
        if event.order_id is None:
            return None
        return OrderDue(*(getattr(event, f"order_{name}") for name in _DUE[:6]), frozenset(
            channel for channel in CHANNELS if getattr(event, f"order_opted_out_{channel}")))
    row = uow.session.execute(_ORDER_DUE, {"order_id": event.payload["order_id"]}).first()
    return OrderDue(*row) if row else None


# -- staff -------------------------------------------------------------------------------------------------------
def user(uow, user_id: int) -> User | None:
    return uow.get(User, user_id)


def staff_with_phone(uow, role: str, **where) -> list[User]:
    """Active users of a role who have a phone, filtered on further User columns (office_code, province_code)."""
    stmt = select(User).where(User.role == role, User.active.is_(True), User.phone.is_not(None))
    for column, value in where.items():
        stmt = stmt.where(getattr(User, column) == value)
    return uow.all(stmt.order_by(User.id))


def _untold(user_id):
    return select(AgentNotice.order_id).where(AgentNotice.user_id == user_id)


def agents_with_untold_orders(uow, role: str) -> list[User]:
    """Agents with a phone whose office has received orders they have not been told about."""
    waiting = select(Order.id).where(Order.office_code == User.office_code, Order.status == OrderStatus.RECEIVED,
                                     Order.id.not_in(_untold(User.id)))
    return uow.all(select(User).where(User.role == role, User.active.is_(True), User.phone.is_not(None),
                                      waiting.exists()).order_by(User.id))


def last_digest_at(uow, user_id: int):
    return uow.scalar(select(func.max(Notification.created_at)).where(Notification.user_id == user_id,
                                                                      Notification.kind == "agent_digest"))


def untold_orders(uow, user: User) -> list[Order]:
    """Received orders of the agent's office not told yet, oldest payment first."""
    return uow.all(select(Order).where(Order.office_code == user.office_code, Order.status == OrderStatus.RECEIVED,
                                       Order.id.not_in(_untold(user.id))).order_by(Order.paid_at, Order.id))
