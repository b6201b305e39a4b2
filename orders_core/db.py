"""Engines and sessions for PostgreSQL (production) and SQLite (the embedded default)."""
from __future__ import annotations

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from .orm import start_mappers

__all__ = ["make_engine", "make_session_factory", "normalise_url"]


def normalise_url(url: str) -> str:
    """Use psycopg 3 for plain postgres:// and postgresql:// URLs, as hosting platforms write them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str, **options) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and write transactions that queue instead of failing."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **options)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        return engine
    options.setdefault("pool_pre_ping", True)
    options.setdefault("pool_size", 10)
    options.setdefault("max_overflow", 20)
    return create_engine(url, **options)


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
