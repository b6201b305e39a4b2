"""The card redemption's own statements: the card and the order held (locked) and read together, then every row
of the redemption and of the payment written together.

PostgreSQL: two statements. The first locks both rows (the card first, as every path locks them, so that none
deadlock) and reads, through the VOLATILE function of migration 0016 called on the locked rows, what the card
has paid, what the order has been paid and the recent wrong PINs, with a snapshot taken once the locks are
granted; the second writes (orders_core.pending). SQLite, whose writers queue one at a time (BEGIN IMMEDIATE):
the same reads as two statements, then one statement per table written.
"""
from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import and_, bindparam, func, insert, or_, select, true

from orders_core.db import driver_errors, for_driver
from orders_core.orm import orders, payments
from orders_core.pending import PendingWrites, held_columns, held_order, write_and_commit

from .orm import card_redemptions, cards, pin_failures

__all__ = ["HeldCard", "Held", "held_for_redemption", "pending_writes", "record_redemption_and_payment"]


class HeldCard(NamedTuple):
    id: int
    serial: str
    value: int
    status: str
    expires_at: object


class Held(NamedTuple):
    """A card and an order, locked, with what the card has paid, an id for the redemption, and the recent
    failures, (scope, at), of the contact and of the card."""

    card: HeldCard
    order: object
    spent: int
    redemption_id: int
    failures: list


_HELD = select(cards.c.id.label("card_id"), cards.c.serial, cards.c.value, cards.c.status.label("card_status"),
               cards.c.expires_at, *held_columns()).select_from(cards.join(orders, true())).where(
    cards.c.pin_hash == bindparam("pin_hash"), orders.c.reference == bindparam("reference")
).with_for_update(of=[cards, orders])
_SINCE = bindparam("since", type_=pin_failures.c.at.type)


def _held_and_read():
    """PostgreSQL: the held rows, then (LATERAL, so after the locks) the function's fresh reads, one row per
    failure; the redemption's id drawn from the table's sequence."""
    held = _HELD.subquery("held")
    reads = func.card_redemption_reads(
        held.c.card_id, held.c.id, bindparam("scope0"), bindparam("key0"), bindparam("scope1"), held.c.serial,
        _SINCE).table_valued("spent", "paid", "failure_scope", "failure_at").lateral("reads")
    next_id = select(func.nextval(func.pg_get_serial_sequence("card_redemptions", "id"))).scalar_subquery()
    return select(held, reads.c.spent, reads.c.paid, reads.c.failure_scope, reads.c.failure_at,
                  next_id.label("redemption_id")).select_from(held.join(reads, true()))


def _reads():
    """SQLite, after _HELD: the same reads; the next free id (no other writer can take it meanwhile)."""
    r, p, f = card_redemptions.c, payments.c, pin_failures.c
    head = select(
        select(func.coalesce(func.sum(r.amount), 0)).where(r.card_id == bindparam("card_id"))
        .scalar_subquery().label("spent"),
        select(func.coalesce(func.sum(p.applied), 0)).where(p.order_id == bindparam("order_id"))
        .scalar_subquery().label("paid"),
        select(func.coalesce(func.max(r.id), 0) + 1).scalar_subquery().label("redemption_id"),
    ).subquery()
    mine = or_(and_(f.scope == bindparam("scope0"), f.key == bindparam("key0")),
               and_(f.scope == bindparam("scope1"), f.key == bindparam("key1")))
    return select(head, f.scope.label("failure_scope"), f.at.label("failure_at")).select_from(
        head.outerjoin(pin_failures, and_(mine, f.at > _SINCE)))


_HELD_AND_READ, _READS = _held_and_read(), _reads()
# The redemption's record with its id drawn beforehand, written with the payment's rows.
_REDEMPTION = insert(card_redemptions).values(
    {column.key: bindparam(f"r_{column.key}", type_=column.type) for column in card_redemptions.c})


def held_for_redemption(uow, hashed: str, reference: str, contact: tuple[str, str], serial_scope: str,
                        since) -> Held | None:
    """The card of a PIN's hash and the order of a reference, locked and read (failures since `since` of the
    `contact` (scope, key) and of the card's serial); None when either is missing."""
    # Core statements on the hot path run on the session's connection, past the ORM's execution layer.
    connection = uow.session.connection()
    params = {"pin_hash": hashed, "reference": reference, "scope0": contact[0], "key0": contact[1],
              "scope1": serial_scope, "since": since}
    if connection.dialect.name == "postgresql":
        rows = _driver_rows(connection, _HELD_AND_READ, params)
        if not rows:
            return None
        return _held(rows[0], rows)
    row = connection.execute(_HELD, params).first()
    if row is None:
        return None
    params |= {"card_id": row.card_id, "order_id": row.id, "key1": row.serial}
    return _held(row, connection.execute(_READS, params).all())


def _driver_rows(connection, statement, params: dict) -> list:
    """PostgreSQL: the statement's rows (named tuples) read by the driver itself, past SQLAlchemy's execution and
    result layers: the statement compiled once, its parameters processed as SQLAlchemy would (no result column of
    this statement needs processing on PostgreSQL: timestamps come back with their zone)."""
    from psycopg.rows import namedtuple_row  # only with PostgreSQL, whose driver it is

    compiled = for_driver(statement, connection.dialect)
    params = compiled.bound(params)
    with driver_errors(connection, compiled.sql, params), \
            connection.connection.driver_connection.cursor(row_factory=namedtuple_row) as cursor:
        return cursor.execute(compiled.sql, params).fetchall()


def _held(row, reads: list) -> Held:
    card = HeldCard(row.card_id, row.serial, row.value, row.card_status, row.expires_at)
    failures = [(read.failure_scope, read.failure_at) for read in reads if read.failure_scope is not None]
    first = reads[0]
    return Held(card, held_order(row, int(first.paid)), int(first.spent), first.redemption_id, failures)


def pending_writes(uow, order) -> PendingWrites:
    """A stand-in unit of work for `apply_payment` on a held order: what it decides is written at once by
    `record_redemption_and_payment`."""
    return PendingWrites(uow, order)


def record_redemption_and_payment(uow, redemption_id: int, card_id: int, order_id: int, amount: int,
                                  contact_key: str, channel: str, pending: PendingWrites) -> None:
    """Write the redemption and the payment's rows (`pending`) together, and commit."""
    redemption = {"r_id": redemption_id, "r_card_id": card_id, "r_order_id": order_id, "r_amount": amount,
                  "r_contact_key": contact_key, "r_channel": channel, "r_at": uow.now()}
    write_and_commit(uow, [(_REDEMPTION, redemption)] + pending.statements())
