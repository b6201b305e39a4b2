"""Fixtures shared by the whole suite.

With DATABASE_URL / REDIS_URL set (CI: the machine's real PostgreSQL and Redis), every test session gets its
own PostgreSQL database and its own Redis database number, so runs never disturb each other. Without them the
suite runs on the embedded defaults: a SQLite file and the in-process Redis substitute.
"""
from __future__ import annotations

import os
import uuid
from urllib.parse import urlsplit, urlunsplit

import fakeredis
import pytest
import redis as redis_lib
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import bootstrap
from migrations.run import upgrade
from orders_core.clock import FrozenClock
from orders_core.db import make_engine, make_session_factory, normalise_url
from orders_core.services import seed_directory
from orders_core.uow import UnitOfWork
from persistence import load_metadata
from settings import Settings
from texts import Catalogs

pytest_plugins = ["tests.rasa_server"]

DIRECTORY_TABLES = ("regions", "provinces", "communes", "offices", "directory_revision")
DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
ON_POSTGRES = DATABASE_URL.startswith("postgres")


def pytest_report_header(config):
    return (f"shubbak storage: {'PostgreSQL' if ON_POSTGRES else 'SQLite (embedded)'}, "
            f"{'Redis ' + REDIS_URL if REDIS_URL else 'in-process Redis substitute'}")


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL (CI runs it)")
    skip_redis = pytest.mark.skip(reason="needs a real Redis: set REDIS_URL (CI runs it)")
    for item in items:
        if "postgres" in item.keywords and not ON_POSTGRES:
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not REDIS_URL:
            item.add_marker(skip_redis)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A fresh, migrated database for this test session, dropped at the end."""
    if not ON_POSTGRES:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        _prepare(url)
        yield url
        return
    base = make_url(normalise_url(DATABASE_URL))
    name = f"shubbak_t_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    _prepare(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _prepare(url: str) -> None:
    upgrade(url)
    engine = make_engine(url)
    seed_directory(UnitOfWork(make_session_factory(engine)))
    engine.dispose()


@pytest.fixture(scope="session")
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def redis_db():
    """A Redis database number claimed for this session in the real Redis (None on the substitute)."""
    if not REDIS_URL:
        yield None
        return
    claims = redis_lib.Redis.from_url(REDIS_URL, db=0)
    token = uuid.uuid4().hex
    number = next((n for n in range(1, 16) if claims.set(f"shubbak:test-db:{n}", token, nx=True, ex=3 * 3600)), None)
    if number is None:
        pytest.exit("no free Redis database number (1-15) for this test session", 3)
    yield number
    if claims.get(f"shubbak:test-db:{number}") == token.encode():
        claims.delete(f"shubbak:test-db:{number}")


def _clean(engine) -> None:
    metadata = load_metadata()
    names = [t.name for t in reversed(metadata.sorted_tables) if t.name not in DIRECTORY_TABLES]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " RESTART IDENTITY CASCADE"))
        else:
            for name in names:
                conn.execute(text(f'DELETE FROM "{name}"'))


@pytest.fixture
def clock():
    """A clock standing at Monday 23 November 2026, 09:00 UTC, moved by the test."""
    return FrozenClock()


@pytest.fixture
def redis_conn(redis_db):
    if redis_db is None:
        return fakeredis.FakeRedis(server=fakeredis.FakeServer())
    # The db number must be in the URL: a "/0" in REDIS_URL would win over a db= argument.
    conn = redis_lib.Redis.from_url(_with_db(REDIS_URL, redis_db))
    conn.flushdb()
    return conn


@pytest.fixture
def settings(database_url, redis_db, tmp_path):
    redis_url = "" if redis_db is None else _with_db(REDIS_URL, redis_db)
    # Tests drive whole conversations from one number in a second: rate limits are set per test where they matter.
    return Settings.from_env({}, instance_path=str(tmp_path), env="test", database_url=database_url,
                             redis_url=redis_url, **UNLIMITED)


UNLIMITED = {"webhook_phone_limit": "100000 per minute", "login_limit": "100000 per minute",
             "simulator_limit": "100000 per minute"}


def _with_db(url: str, number: int) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{number}"))


@pytest.fixture
def services(settings, engine, redis_conn, clock):
    """The composition root for one test: shared engine, clean tables, clean Redis, frozen clock."""
    _clean(engine)
    # Keywords only: a test about free text wires the understanding it needs (bootstrap.wire(understand=...)).
    services = bootstrap.build(settings, clock, engine=engine, redis_client=redis_conn, understand=None)
    bootstrap.install(services)
    yield services


@pytest.fixture
def uow(services):
    """A factory of fresh units of work (call it: `uow()`)."""
    return services.uow


@pytest.fixture
def fresh_directory(services):
    """Reseed the office directory after a test that edits it."""
    yield
    seed_directory(services.uow())


@pytest.fixture
def app(services):
    from app import create_app

    return create_app({"services": services})


@pytest.fixture
def client(app):
    return app.test_client()
