"""The unit of work: one database transaction, the repositories inside it, and the outbox it writes."""
from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import datetime
from typing import Callable

from sqlalchemy import ARRAY, Integer, String, bindparam, func, insert, literal, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from . import model
from .clock import utcnow
from .columns import duplicate_key
from .errors import ConcurrentChange
from .orm import order_lines, orders, outbox
from .references import new_reference

__all__ = ["UnitOfWork"]

# The relaxed setting and the COMMIT in one round trip (psycopg sends a statement without parameters as a simple
# query, which may hold several); the driver's own commit then finds no transaction open and sends nothing.
_NOT_DURABLE_COMMIT = "SET LOCAL synchronous_commit = off; COMMIT"
_AUTOCOMMIT = {"isolation_level": "AUTOCOMMIT"}


class UnitOfWork:
    """A transaction; `with uow:` opens it, `uow.commit()` makes it count, leaving the block rolls back the rest."""

    def __init__(self, session_factory: sessionmaker, clock: Callable[[], datetime] = utcnow,
                 randbelow: Callable[[int], int] = secrets.randbelow):
        self.session_factory = session_factory
        self.clock = clock
        self.randbelow = randbelow
        self.session: Session | None = None
        self._standalone = False

    def __enter__(self) -> "UnitOfWork":
        self.session = self.session_factory()
        if self._standalone and self.session.get_bind().dialect.name == "postgresql":
            self.session.connection(execution_options=_AUTOCOMMIT)
        return self

    def standalone(self) -> "UnitOfWork":
        """This unit of work, for its next `with` block only, with each statement committed on its own (PostgreSQL's autocommit): no `BEGIN` and no
        `COMMIT` or `ROLLBACK`, two round trips fewer. Only for a single statement, or statements that need neither
        a common snapshot (READ COMMITTED gives them none anyway) nor to stand or fall together. SQLite keeps its
        transaction (BEGIN IMMEDIATE serialises its writers)."""
        self._standalone = True
        return self

    def __exit__(self, *exc):
        # Closing rolls back whatever was not committed; unlike rollback() it leaves loaded objects readable.
        self.session.close()
        self.session, self._standalone = None, False

    def now(self) -> datetime:
        return self.clock()

    def commit(self, durable: bool = True) -> None:
        """Commit, turning a lost race (stale version, duplicate key) into ConcurrentChange; other integrity
        errors (a missing row referred to, a NULL) are bugs and stay what they are.

        `durable=False`: PostgreSQL answers before the commit reaches the disk (no fsync wait). Only for work that
        a crash may undo because it is redone anyway; any later durable commit makes it durable too."""
        try:
            if not durable and self.session.get_bind().dialect.name == "postgresql":
                self.session.flush()  # everything written before the COMMIT below, in this transaction
                self.session.connection().exec_driver_sql(_NOT_DURABLE_COMMIT)
            self.session.commit()
        except StaleDataError:
            self.session.rollback()
            raise ConcurrentChange("StaleDataError") from None
        except IntegrityError as exc:
            self.session.rollback()
            if not duplicate_key(exc):
                raise
            raise ConcurrentChange("IntegrityError") from None

    def flush(self) -> None:
        try:
            self.session.flush()
        except StaleDataError:
            self.session.rollback()
            raise ConcurrentChange("stale") from None

    def add(self, obj) -> None:
        self.session.add(obj)

    def merge(self, obj):
        """Insert or update an object by its primary key."""
        return self.session.merge(obj)

    def insert_order(self, order: model.Order) -> None:
        """Write a new order and its lines by Core INSERTs built once, setting `order.id`: no ORM flush, the order
        stays out of the session. Only for an order that nothing changes later in the transaction."""
        connection = self.session.connection()
        order.version = 1  # what the ORM's version counter starts at
        order.id = connection.execute(_ORDER_INSERT, {c.key: getattr(order, c.key) for c in _ORDER_COLUMNS}) \
            .scalar_one()
        connection.execute(_LINE_INSERT, [{"order_id": order.id, "document": line.document, "copies": line.copies}
                                          for line in order.lines])

    def insert_and_announce_order(self, order: model.Order) -> None:
        """`insert_order`, then `publish_now("order.placed", order_id=, reference=, total=)`: on PostgreSQL the
        order, its lines and the outbox row in one statement (data-modifying WITH), two round trips fewer."""
        connection = self.session.connection()
        if connection.dialect.name != "postgresql":
            self.insert_order(order)
            self.publish_now("order.placed", order_id=order.id, reference=order.reference, total=order.total)
            return
        order.version = 1
        values = {f"o_{c.key}": getattr(order, c.key) for c in _ORDER_COLUMNS}
        order.id = connection.execute(_PLACED, {**values, "documents": [line.document for line in order.lines],
                                                "copies": [line.copies for line in order.lines]}).scalar_one()

    def publish(self, topic: str, **payload) -> None:
        """Record a domain event in the outbox, in this same transaction."""
        self.session.add(model.OutboxMessage(topic=topic, payload=payload, created_at=self.now(), attempts=0))

    def publish_now(self, topic: str, **payload) -> None:
        """`publish` by a Core INSERT built once, written at once: for a transaction that leaves the session
        nothing to flush (a new order no credit pays), which then commits without the ORM's flush."""
        self.session.connection().execute(_OUTBOX_INSERT, {"topic": topic, "payload": payload,
                                                           "created_at": self.now(), "attempts": 0})

    def get(self, cls, key, lock: bool = False):
        """Fetch one object by primary key, optionally locking its row until commit."""
        return self.session.get(cls, key, with_for_update=lock or None)

    def one(self, statement):
        return self.session.scalars(statement).first()

    def all(self, statement) -> list:
        return list(self.session.scalars(statement))

    def scalar(self, statement):
        return self.session.scalar(statement)

    def order_by_reference(self, reference: str, lock: bool = False, payments: bool = False) -> model.Order | None:
        """The order of a reference; `payments`: its payments read in the same query (a payment is coming)."""
        stmt = select(model.Order).where(model.Order.reference == reference)
        if payments:
            stmt = stmt.options(joinedload(model.Order.payments))
        stmt = stmt.with_for_update(of=model.Order) if lock else stmt
        return self.session.scalars(stmt).unique().first()

    def credit_balance(self, account: str) -> int:
        return int(self.scalar(select(_balance_of(account))))

    def lock_credit(self, account: str, balance: int) -> int:
        """Before spending an account's credit: hold its ledger until the transaction ends and return the balance
        as it stands then (`balance`, read earlier, may already be spent by an order that just committed).

        PostgreSQL's READ COMMITTED lets two orders of one account (by USSD and by SMS at once) both read the same
        credit; a transaction-scoped advisory lock on the account makes the second wait, and its read after the
        lock sees the first one's entry. SQLite's BEGIN IMMEDIATE already serialises writers: `balance` stands."""
        if self.session.get_bind().dialect.name != "postgresql":
            return balance
        self.session.execute(_CREDIT_LOCK, {"ledger": _CREDIT_LEDGER, "account": _lock_key(account)})
        return self.credit_balance(account)

    def fresh_reference(self, cls, first_digits: str) -> str:
        """A reference not used yet by any `cls` row."""
        return self.fresh_reference_and_balance(cls, first_digits, None)[0]

    def fresh_reference_and_balance(self, cls, first_digits: str, account: str | None) -> tuple[str, int]:
        """A reference not used yet by any `cls` row and, with `account`, its credit balance, read in the same
        statement as the reference's first check (a collision, rare, checks again without it)."""
        taken_only, with_balance = _reference_reads(cls)
        known = None if account is not None else 0
        while True:
            ref = new_reference(first_digits, self.randbelow)
            if known is None:
                taken, known = self.session.execute(with_balance, {"ref": ref, "account": account}).one()
            else:
                taken = self.session.execute(taken_only, {"ref": ref}).scalar()
            if taken == 0:
                return ref, int(known)


# Built once: SQLAlchemy caches their compiled form (insert_order, publish_now).
_ORDER_COLUMNS = [c for c in orders.c if c.key != "id"]
_ORDER_INSERT = insert(orders).returning(orders.c.id)
_LINE_INSERT = insert(order_lines)
_OUTBOX_INSERT = insert(outbox)


def _placed_statement():
    """The order, its lines and its "order.placed" outbox row (payload as publish_now writes it) in one statement
    (PostgreSQL), the order's id returned; parameters: the order's columns as `o_<column>`, `documents`, `copies`."""
    order = (insert(orders).values({c.key: bindparam(f"o_{c.key}", type_=c.type) for c in _ORDER_COLUMNS})
             .returning(orders.c.id).cte("placed"))
    lines = insert(order_lines).from_select(["order_id", "document", "copies"], select(
        order.c.id, func.unnest(bindparam("documents", type_=ARRAY(String))),
        func.unnest(bindparam("copies", type_=ARRAY(Integer))))).cte("lines")
    payload = func.json_build_object("order_id", order.c.id, "reference", bindparam("o_reference"),
                                     "total", bindparam("o_total"))
    announced = insert(outbox).from_select(["topic", "payload", "created_at", "attempts"], select(
        literal("order.placed"), payload, bindparam("o_created_at"), literal(0))).cte("announced")
    return select(order.c.id).add_cte(lines, announced)


_PLACED = _placed_statement()
# The two-key form: the first names the credit ledger, so another use of advisory locks never meets these keys.
_CREDIT_LOCK = text("SELECT pg_advisory_xact_lock(:ledger, :account)")
_CREDIT_LEDGER = 0x43524544  # "CRED"


def _lock_key(account: str) -> int:
    """A stable 32-bit key for an account (the phone number is not sent whole); two accounts sharing a key only
    wait for each other."""
    return int.from_bytes(hashlib.blake2b(account.encode(), digest_size=4).digest(), "big", signed=True)


@functools.cache
def _reference_reads(cls) -> tuple:
    """Whether a reference is taken by a `cls` row, alone and with an account's credit balance: built once per
    class, with bound parameters, so that placing an order neither builds nor keys a statement."""
    used = select(func.count()).select_from(cls).where(cls.reference == bindparam("ref")).scalar_subquery()
    return select(used), select(used, _balance_of(bindparam("account")))


def _balance_of(account):
    """An account's credit balance, the sum of its entries, as a scalar subquery (`account`: a value or a bound
    parameter)."""
    return (select(func.coalesce(func.sum(model.CreditEntry.amount), 0))
            .where(model.CreditEntry.account == account).scalar_subquery())
