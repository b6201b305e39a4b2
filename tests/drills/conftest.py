"""Fixtures of the fault drills: the app wired like production (bootstrap.build) on storage a drill may break.

Every drill runs on a redis-server of its own (started on a free port): a drill that kills Redis must not kill
it for other test runs, and jobs a drill queues must not be taken by another run's worker.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

import bootstrap
from app import create_app
from jobs.clock import run_due

from .outages import Proxy, RedisServer
from .phones import KEY


class Drill:
    """The app under a drill: its services, a test client, and what the drill can break."""

    def __init__(self, services, redis_server=None, proxy=None):
        self.services, self.redis_server, self.proxy = services, redis_server, proxy
        self.app = create_app({"services": services})
        self.client = self.app.test_client()

    def count(self, table_or_class, *where) -> int:
        """Rows of a table (or mapped class), optionally filtered."""
        with self.services.uow() as uow:
            return uow.scalar(select(func.count()).select_from(table_or_class).where(*where))

    def drain(self) -> None:
        """Run the queued jobs, as the RQ worker would."""
        self.services.drain()

    def tick(self, after: timedelta = timedelta(0)) -> list[str]:
        """`after` later, one beat of the periodic clock (the periodic jobs due, the inbox's sweep among them), and
        the jobs it queued run; the names of the periodic jobs started."""
        self.services.clock.advance(seconds=after.total_seconds())
        started = run_due(self.services)
        self.drain()
        return started


class PremiumBills:
    """Africa's Talking's premium billing, at our own port: every bill accepted, its report left to the drill."""

    name, bills_incoming = "africastalking", False
    statuses = {"Success": "succeeded", "Failed": "failed", "Sent": "sent"}

    def __init__(self):
        self.billed: list[str] = []

    def bill(self, to: str, text: str, short_code: str, keyword: str, link_id: str | None) -> str:
        self.billed.append(f"ATPid_drill_{len(self.billed) + 1}")
        return self.billed[-1]


def drill_services(services, **storage):
    """A composition root built by bootstrap.build (real clients, timeouts, pools) on the test's clean storage."""
    settings = replace(services.settings, at_webhook_keys=(KEY,), **storage)
    return bootstrap.build(settings, clock=services.clock, premium_biller=PremiumBills())


@pytest.fixture
def redis_server(tmp_path):
    """A redis-server of the drill's own, to be killed and started again (the shared one is never touched)."""
    if not RedisServer.available():
        pytest.skip("no redis-server binary: the Redis drill starts a server of its own")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_drill(services, redis_server):
    built = drill_services(services, redis_url=redis_server.url)
    yield Drill(built, redis_server=redis_server)
    built.engine.dispose()


@pytest.fixture
def postgres_drill(services, database_url, redis_server):
    """The app reaching PostgreSQL through a proxy the drill cuts and restores."""
    url = make_url(database_url)
    proxy = Proxy(url.host or "127.0.0.1", url.port or 5432)
    built = drill_services(services, database_url=url.set(port=proxy.port).render_as_string(hide_password=False),
                           redis_url=redis_server.url)
    yield Drill(built, proxy=proxy)
    built.engine.dispose()
    proxy.close()


@pytest.fixture
def storm(services, redis_server):
    built = drill_services(services, redis_url=redis_server.url)
    yield Drill(built)
    built.engine.dispose()
