"""Engines and sessions for PostgreSQL (production) and SQLite (the embedded default)."""
from __future__ import annotations

import time
from contextlib import contextmanager
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import create_engine, event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from .orm import start_mappers

__all__ = ["DriverStatement", "driver_errors", "for_driver", "sent_with_commit", "make_engine", "make_session_factory", "normalise_url", "PING_IDLE_AFTER"]

# A pooled connection idle this long (seconds) is pinged before use; one used more recently is trusted.
PING_IDLE_AFTER = 10.0


def normalise_url(url: str) -> str:
    """Use psycopg 3 for plain postgres:// and postgresql:// URLs, as hosting platforms write them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str, prepare_threshold: int | None = 5, **options) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and write transactions that queue instead of failing;
    PostgreSQL's connections prepare a statement run `prepare_threshold` times (None: never)."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **options)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        return engine
    ping_idle_after = options.pop("ping_idle_after", PING_IDLE_AFTER)
    options.setdefault("pool_size", 10)
    options.setdefault("max_overflow", 20)
    options.setdefault("connect_args", {}).setdefault("prepare_threshold", prepare_threshold)
    engine = create_engine(url, **options)
    _ping_when_idle(engine, ping_idle_after)
    return engine


def _ping_when_idle(engine: Engine, idle_after: float) -> None:
    """Ping a connection on checkout only if it sat idle in the pool for `idle_after` seconds.

    A ping on every checkout (`pool_pre_ping`) is a round trip per transaction. A connection that served a
    moment ago is trusted; if it died since, its statement fails as a disconnect, which SQLAlchemy turns into
    invalidating the pool, so the request is refused politely and the next one reconnects (tests/drills)."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_conn, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_conn, record, _proxy):
        idle_since = record.info.pop("idle_since", None)
        if idle_since is not None and time.monotonic() - idle_since >= idle_after:
            try:
                alive = engine.dialect.do_ping(dbapi_conn)
            except engine.dialect.loaded_dbapi.Error:
                alive = False
            if not alive:
                raise exc.DisconnectionError()  # the pool replaces the connection and checks out again


def _sqlite_pragmas(dbapi_conn, _record):
    # Let SQLAlchemy, not pysqlite, open transactions, so that "BEGIN IMMEDIATE" above takes effect.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def make_session_factory(engine: Engine) -> sessionmaker:
    """A session factory bound to `engine`, with the domain classes mapped."""
    start_mappers()
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def driver_errors(connection, statement: str, params: dict):
    """Inside, a statement runs on the driver's own connection, past SQLAlchemy: the driver's errors leave as
    SQLAlchemy's would (an OperationalError is the polite 503, say), and a connection found lost is invalidated,
    so that the pool never lends it again. The parameters stay out of the message (a PIN's hash, a contact)."""
    dbapi = connection.dialect.loaded_dbapi
    try:
        yield
    except dbapi.Error as error:
        lost = connection.dialect.is_disconnect(error, connection.connection.dbapi_connection, None)
        if lost:
            connection.invalidate(error)
        raise exc.DBAPIError.instance(statement, params, error, dbapi.Error, hide_parameters=True,
                                      connection_invalidated=lost, dialect=connection.dialect) from error


class DriverStatement(NamedTuple):
    """A statement compiled once for the driver itself (a hot path past SQLAlchemy's execution layer)."""

    sql: str  # %(param)s placeholders, bound by the server
    fixed: dict  # the values the statement holds itself (its literals, the sequence's table, say)
    processors: dict  # the parameters' SQLAlchemy bind processors (JSON wrapped for psycopg, say)

    def bound(self, params: dict) -> dict:
        """The statement's own values and `params`, processed as SQLAlchemy would."""
        values = self.fixed | params
        for name, process in self.processors.items():
            if name in values:
                values[name] = process(values[name])
        return values


@lru_cache(maxsize=128)
def for_driver(statement, dialect) -> DriverStatement:
    """`statement` compiled once for `dialect`."""
    compiled = statement.compile(dialect=dialect)
    fixed = {name: bind.effective_value for name, bind in compiled.binds.items() if not bind.required}
    return DriverStatement(compiled.string, fixed, dict(compiled._bind_processors))


_RELAXED = "SET LOCAL synchronous_commit = off"


def sent_with_commit(driver, sql: str, params: dict, *, relaxed: bool = False, prepare: bool | None = None) -> list:
    """PostgreSQL: the rows of `sql`, sent with `COMMIT` after it (and, when `relaxed`, `SET LOCAL
    synchronous_commit = off` before it) in one round trip: queued in psycopg's pipeline and sent with one Sync.
    An error in the statement makes the server skip what follows it up to the Sync, the COMMIT included; psycopg
    raises it. The parameters are bound by the server, never written into the SQL text, so that no value (a
    phone number, a message) reaches the server's log of a failing statement or pg_stat_activity. `prepare`:
    psycopg's (True: prepared by the protocol at its first use on a connection; see docs/scaling.md)."""
    from psycopg.rows import namedtuple_row  # only with PostgreSQL, whose driver it is

    with driver.cursor(row_factory=namedtuple_row) as cursor:
        with driver.pipeline():
            if relaxed:
                driver.execute(_RELAXED, prepare=False)
            cursor.execute(sql, params, prepare=prepare)
            driver.execute("COMMIT", prepare=False)
        return cursor.fetchall() if cursor.description else []
