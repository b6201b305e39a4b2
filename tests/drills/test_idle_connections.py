"""Drill: the connection pool pings PostgreSQL only for a connection that sat idle, and replaces a dead one.

A ping on every checkout (SQLAlchemy's `pool_pre_ping`) costs a round trip per transaction, about 7 per USSD
order; a connection used moments ago is trusted instead, and if it did die, the statement fails with a
disconnect, which invalidates the pool (the outage drill shows the polite refusals and the recovery).
"""
import time

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from orders_core.db import make_engine

from .outages import Proxy

pytestmark = pytest.mark.postgres


@pytest.fixture
def proxied(database_url):
    url = make_url(database_url)
    proxy = Proxy(url.host or "127.0.0.1", url.port or 5432)
    yield proxy, url.set(port=proxy.port).render_as_string(hide_password=False)
    proxy.close()


def _pings(engine, monkeypatch) -> list:
    pings, ping = [], engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda conn: pings.append(1) or ping(conn))
    return pings


def _select_one(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT 1")).scalar()


def test_a_connection_used_moments_ago_is_not_pinged(proxied, monkeypatch):
    engine = make_engine(proxied[1], ping_idle_after=60)
    pings = _pings(engine, monkeypatch)
    assert [_select_one(engine) for _ in range(5)] == [1] * 5
    assert pings == []
    engine.dispose()


def test_an_idle_connection_whose_server_went_away_is_replaced_unseen(proxied, monkeypatch):
    proxy, url = proxied
    engine = make_engine(url, ping_idle_after=0.2)
    pings = _pings(engine, monkeypatch)
    assert _select_one(engine) == 1
    proxy.cut()
    proxy.restore()
    time.sleep(0.3)
    assert _select_one(engine) == 1  # pinged, found dead, replaced: the caller sees no error
    assert len(pings) == 1
    engine.dispose()
