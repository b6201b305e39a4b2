"""Writes decided by a service against an order already locked and read, written together in one statement.

A hot path (the card redemption) locks and reads what it needs with its own query, then lets the same service
every payment goes through (`apply_payment`) decide what to write, against a `PendingWrites` standing in for
the unit of work; `write_at_once` then writes those rows, and the order's change, in one statement on
PostgreSQL (data-modifying WITH), one per table on SQLite (whose writers queue one at a time anyway).
"""
from __future__ import annotations

from sqlalchemy import func, insert, inspect, select, update

from . import model
from .errors import ConcurrentChange
from .orm import orders

__all__ = ["PendingWrites", "held_columns", "held_order", "write_at_once"]

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
    """Stands in for the unit of work while a service decides: keeps what it adds and publishes, writes nothing."""

    def __init__(self, uow, order: model.Order):
        self.uow, self.order = uow, order
        self.rows: list = []
        self._before = (order.status, order.paid_at, len(order.payments))

    def now(self):
        return self.uow.now()

    def add(self, obj) -> None:
        self.rows.append(obj)

    def publish(self, topic: str, **payload) -> None:
        self.rows.append(model.OutboxMessage(topic=topic, payload=payload, created_at=self.now(), attempts=0))

    def statements(self) -> list:
        """The INSERTs of the new rows (one per table, in the order first written) and the order's UPDATE."""
        new = list(self.order.payments[self._before[2]:]) + self.rows
        for payment in self.order.payments[self._before[2]:]:
            payment.order_id = self.order.id
        by_table: dict = {}
        for obj in new:
            table, row = _row_of(obj)
            by_table.setdefault(table, []).append(row)
        found = [insert(table).values(rows) for table, rows in by_table.items()]
        return found + ([self._order_update()] if self._changed() else [])

    def _changed(self) -> bool:
        return (self.order.status, self.order.paid_at) != self._before[:2]

    def _order_update(self):
        # Guarded by the version read with the lock, and bumping it, as the ORM's own writes of an order do.
        order = self.order
        return (update(orders).where(orders.c.id == order.id, orders.c.version == order.version)
                .values(status=order.status, paid_at=order.paid_at, version=order.version + 1))


def _row_of(obj) -> tuple:
    """The table of a (never stored) domain object and its row: the columns it was given."""
    mapper = inspect(type(obj))
    given = vars(obj)
    row = {prop.columns[0].key: given[prop.key] for prop in mapper.column_attrs if prop.key in given}
    return mapper.local_table, row


def write_at_once(uow, statements: list) -> None:
    """Run INSERTs and UPDATEs as one statement where the database can (PostgreSQL); refuse if an UPDATE found
    its row changed since it was read (ConcurrentChange)."""
    session = uow.session
    if session.get_bind().dialect.name == "postgresql":
        counts = _at_once(session, statements)
    else:
        counts = [session.execute(stmt).rowcount for stmt in statements]
    if any(count == 0 for count in counts):
        raise ConcurrentChange("a row changed since it was read and locked")


def _at_once(session, statements: list) -> list[int]:
    """PostgreSQL: each statement a data-modifying WITH of one SELECT that counts the rows each one wrote."""
    written = [stmt.returning(stmt.table.c.id).cte(f"w{i}") for i, stmt in enumerate(statements)]
    counts = select(*[select(func.count()).select_from(cte).scalar_subquery() for cte in written])
    return list(session.execute(counts).one())
