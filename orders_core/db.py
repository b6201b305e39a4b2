"""Engines and sessions for PostgreSQL (production) and SQLite (the embedded default)."""
from __future__ import annotations

import time
from contextlib import contextmanager

from sqlalchemy import create_engine, event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from .orm import start_mappers

__all__ = ["driver_errors", "make_engine", "make_session_factory", "normalise_url", "PING_IDLE_AFTER"]

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
