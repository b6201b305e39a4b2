"""Writes decided by a service against an order already locked and read, written together (one statement on PostgreSQL).

A hot path (the card redemption) locks and reads what it needs with its own query, then lets the same service
every payment goes through (`apply_payment`) decide what to write, against a `PendingWrites` standing in for
the unit of work; `write_and_commit` then writes those rows, and the order's change, and commits: on PostgreSQL
in one round trip (a data-modifying WITH prepared by the protocol, and COMMIT, in psycopg's pipeline mode), on
SQLite one statement per table (whose writers queue one at a time anyway), then the commit. `write_at_once`
writes the same without committing.
"""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy import bindparam, func, insert, inspect, literal_column, select, union_all, update

from . import model
from .db import driver_errors, for_driver, sent_with_commit
from .errors import ConcurrentChange
from .orm import orders, outbox

__all__ = ["PendingWrites", "held_columns", "held_order", "write_and_commit", "write_at_once"]

# The columns of an order a payment reads or changes (what `apply_payment`, `move` and `publish` use).
HELD_COLUMNS = ("id", "reference", "status", "version", "total", "office_code", "requester_phone",
                "requester_contact", "paid_at")


def held_columns() -> list:
    """The order's columns `held_order` needs, for the query that locks and reads the order."""
    return [orders.c[name] for name in HELD_COLUMNS]


def held_order(row, paid: int) -> model.Order:
    """An order read (and locked) by a query of its own, detached from any session, with what it has been paid
    so far: `apply_payment` reads the payments only as that sum."""
    order = model.Order(**{name: getattr(row, name) for name in HELD_COLUMNS})
    order.payments = [model.Payment(applied=paid)] if paid else []
    return order


class PendingWrites:
    """Stands in for the unit of work while a service decides: keeps what it adds and publishes, writes nothing;
    what it reads (a payment already recorded, say) it reads through the unit of work."""

    def __init__(self, uow, order: model.Order):
        self.uow, self.order = uow, order
        self.rows: list = []  # the objects added, and the outbox rows published as (table, row)
        self._before = (order.status, order.paid_at, len(order.payments))

    def now(self):
        return self.uow.now()

    def add(self, obj) -> None:
        self.rows.append(obj)

    def one(self, statement):
        return self.uow.one(statement)

    def all(self, statement) -> list:
        return self.uow.all(statement)

    def scalar(self, statement):
        return self.uow.scalar(statement)

    def publish(self, topic: str, **payload) -> None:
        # The outbox row itself, as uow.publish would store it: no mapped object (and its ORM bookkeeping) to make.
        self.rows.append((outbox, {"topic": topic, "payload": payload, "created_at": self.now(), "attempts": 0}))

    def statements(self) -> list[tuple]:
        """(statement, parameters): the INSERTs of the new rows, one per table in the order first written, and
        the order's UPDATE when the order changed."""
        for payment in self.order.payments[self._before[2]:]:
            payment.order_id = self.order.id
        by_table: dict = {}
        for obj in list(self.order.payments[self._before[2]:]) + self.rows:
            table, row = obj if isinstance(obj, tuple) else _row_of(obj)
            by_table.setdefault(table, []).append(row)
        found = [_rows_written(table, rows) for table, rows in by_table.items()]
        return found + ([self._order_update()] if self._changed() else [])

    def _changed(self) -> bool:
        # A payment changes no other column of an order (apply_payment: the status when paid, and paid_at).
        return (self.order.status, self.order.paid_at) != self._before[:2]

    def _order_update(self) -> tuple:
        order = self.order
        return _ORDER_UPDATE, {"o_id": order.id, "o_version": order.version, "o_status": order.status,
                               "o_paid_at": order.paid_at, "o_next_version": order.version + 1}


# Guarded by the version read with the lock, and bumping it, as the ORM's own writes of an order do.
_ORDER_UPDATE = update(orders).where(orders.c.id == bindparam("o_id"), orders.c.version == bindparam("o_version")) \
    .values(status=bindparam("o_status", type_=orders.c.status.type),
            paid_at=bindparam("o_paid_at", type_=orders.c.paid_at.type),
            version=bindparam("o_next_version", type_=orders.c.version.type))


def _row_of(obj) -> tuple:
    """The table of a (never stored) domain object and its row: the columns it was given."""
    table, columns = _columns_of(type(obj))
    given = vars(obj)
    return table, {column: given[key] for key, column in columns if key in given}


@lru_cache(maxsize=32)
def _columns_of(cls) -> tuple:
    """A mapped class's table and its (attribute, column) pairs, looked up once per class."""
    mapper = inspect(cls)
    return mapper.local_table, tuple((prop.key, prop.columns[0].key) for prop in mapper.column_attrs)


def _rows_written(table, rows: list[dict]) -> tuple:
    """The INSERT of these rows (all with the same columns) and its parameters, named after table and row."""
    columns = tuple(rows[0])
    params = {f"{table.name}_{n}_{column}": row[column] for n, row in enumerate(rows) for column in columns}
    return _insert_of(table, columns, len(rows)), params


@lru_cache(maxsize=64)
def _insert_of(table, columns: tuple, count: int):
    """One INSERT of `count` rows per shape, built once and cached by SQLAlchemy (an INSERT of several VALUES
    rows is compiled again at every use; an INSERT from a SELECT of parameters is not)."""
    rows = [select(*[bindparam(f"{table.name}_{n}_{column}", type_=table.c[column].type).label(column)
                     for column in columns]) for n in range(count)]
    return insert(table).from_select(columns, rows[0] if count == 1 else union_all(*rows))


def write_at_once(uow, writes: list[tuple]) -> None:
    """Run (statement, parameters) INSERTs and UPDATEs as one statement where the database can (PostgreSQL);
    refuse if an UPDATE found its row changed since it was read (ConcurrentChange)."""
    connection = uow.session.connection()
    if connection.dialect.name == "postgresql":
        params = {name: value for _, given in writes for name, value in given.items()}
        fewest = connection.execute(_at_once(tuple(stmt for stmt, _ in writes)), params).scalar_one()
    else:
        fewest = min(connection.execute(stmt, given).rowcount for stmt, given in writes)
    if fewest == 0:
        raise ConcurrentChange("a row changed since it was read and locked")


@lru_cache(maxsize=64)
def _at_once(statements: tuple):
    """PostgreSQL: each statement a data-modifying WITH of one SELECT: the fewest rows any of them wrote."""
    written = [stmt.returning(stmt.table.c.id).cte(f"w{i}") for i, stmt in enumerate(statements)]
    return select(func.least(*[select(func.count()).select_from(cte).scalar_subquery() for cte in written]))


def write_and_commit(uow, writes: list[tuple]) -> None:
    """`write_at_once`, then commit; on PostgreSQL the writes and the COMMIT go in one round trip (psycopg's
    pipeline mode, `orders_core.db.sent_with_commit`), the writes prepared by the protocol. A row changed since it
    was read makes the writes fail (a division by the fewest rows written, zero), so that the COMMIT never runs
    (ConcurrentChange).

    Why preparing is safe (`prepare=True`: psycopg's public API; a Parse message naming the statement, queued in
    the same round trip at its first use on a connection, then Bind and Execute only, so that PostgreSQL neither
    parses nor plans the writes again; never SQL's PREPARE):
    - psycopg keeps the names it prepared per connection, and forgets them all, sending DEALLOCATE ALL, after a
      rollback of an open transaction (or a DROP, ALTER, DISCARD ALL): the next use prepares again, in the same
      round trip, so a rollback costs a plan, never an error. A connection lost is dropped by the pool with its
      names. A statement whose first use fails stays on the server unnamed by psycopg until its next DEALLOCATE
      ALL: bounded, and never reused.
    - Behind PgBouncer in transaction pooling (docs/scaling.md): PgBouncer 1.22 or later, with
      `max_prepared_statements` above 0 (its default only from 1.24), keeps each client's protocol-level prepared
      statements, prepares them on whichever server connection runs the transaction and understands DEALLOCATE
      ALL. With another pooler, SHUBBAK_DB_PREPARED_STATEMENTS=off makes psycopg prepare nothing, this included.
    - The statement's key is its text and its parameters' types: each shape of writes is one statement, or a few
      when a parameter's type varies (None, say), within psycopg's `prepared_max`.
    """
    connection = uow.session.connection()
    if connection.dialect.name != "postgresql":
        write_at_once(uow, writes)
        uow.commit()
        return
    from psycopg.errors import DivisionByZero  # only with PostgreSQL, whose driver it is

    written = for_driver(_writes_or_none(tuple(stmt for stmt, _ in writes)), connection.dialect)
    params = written.bound({name: value for _, given in writes for name, value in given.items()})
    with driver_errors(connection, written.sql, params):
        try:
            sent_with_commit(connection.connection.driver_connection, written.sql, params, prepare=True)
        except DivisionByZero:
            raise ConcurrentChange("a row changed since it was read and locked") from None
    uow.commit()  # the driver finds no transaction open and sends nothing; the session forgets its own


@lru_cache(maxsize=64)
def _writes_or_none(statements: tuple):
    """The writes of one shape, built once: each statement a data-modifying WITH, and 1 divided by the fewest rows
    any of them wrote, so that a row changed since it was read fails the whole query."""
    written = [stmt.returning(stmt.table.c.id).cte(f"w{i}") for i, stmt in enumerate(statements)]
    fewest = func.least(*[select(func.count()).select_from(cte).scalar_subquery() for cte in written])
    return select(literal_column("1") / fewest)
