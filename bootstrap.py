"""The composition root: builds the database, Redis, queues and adapters from Settings, once per process."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

import fakeredis
import redis
from rq import Queue, SimpleWorker
from rq.timeouts import TimerDeathPenalty
from sqlalchemy import text

from orders_core.clock import utcnow
from orders_core.db import make_engine, make_session_factory
from orders_core.uow import UnitOfWork
from jobs import conversations as conversations_jobs
from jobs import notifications as notifications_jobs
from jobs import payments as payment_jobs
from jobs import whatsapp as whatsapp_jobs
from settings import Settings
from texts import Catalogs
from web import sandbox

__all__ = ["Services", "build", "current", "install", "QUEUES"]

log = logging.getLogger(__name__)
QUEUES = ("high", "default", "low")  # replies to citizens first, notifications next, reports last
_current: "Services | None" = None
_lock = threading.Lock()


@dataclass
class Services:
    """What entrypoints (web views, RQ jobs, CLI) need, wired once."""

    settings: Settings
    engine: object
    session_factory: object
    redis: redis.Redis
    catalogs: Catalogs
    clock: Callable[[], datetime] = utcnow
    adapters: dict = field(default_factory=dict)  # filled by packages that register senders, NLU, ...
    _worker: "InProcessWorker | None" = None

    def uow(self) -> UnitOfWork:
        """A fresh unit of work: one per request or job, never shared."""
        return UnitOfWork(self.session_factory, self.clock)

    def queue(self, name: str = "default") -> Queue:
        return Queue(name, connection=self.redis, is_async=True)

    def enqueue(self, func, *args, queue: str = "default", **options):
        """Put a job on a queue; in the embedded default an in-process worker picks it up."""
        job = self.queue(queue).enqueue(func, *args, **options)
        if self._worker:
            self._worker.wake()
        return job

    def drain(self) -> None:
        """Run every queued job now, in this thread (tests and the embedded default)."""
        ThreadWorker([self.queue(n) for n in QUEUES], connection=self.redis).work(burst=True, with_scheduler=False)

    def health(self) -> dict:
        """The state of the database and Redis, for /healthz."""
        return {"database": _check(self._ping_database), "redis": _check(self.redis.ping)}

    def _ping_database(self):
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def start_inprocess_worker(self) -> None:
        if self.settings.embedded_redis and self._worker is None:
            self._worker = InProcessWorker(self)
            self._worker.start()


def _check(probe) -> str:
    try:
        probe()
        return "ok"
    except Exception as exc:  # a health check reports any failure rather than raising it
        log.warning("health check failed: %s", type(exc).__name__)
        return "down"


class ThreadWorker(SimpleWorker):
    """An RQ worker that may run outside the main thread: signals stay with the process's main thread."""

    death_penalty_class = TimerDeathPenalty  # job timeouts by timer, not SIGALRM (which needs the main thread)

    def _install_signal_handlers(self):
        pass


class InProcessWorker(threading.Thread):
    """The embedded default's stand-in for `rq worker`: drains the queues whenever a job arrives."""

    def __init__(self, services: Services):
        super().__init__(name="shubbak-inprocess-worker", daemon=True)
        self.services = services
        self._event = threading.Event()

    def wake(self) -> None:
        self._event.set()

    def run(self) -> None:
        while True:
            self._event.wait(timeout=5)
            self._event.clear()
            try:
                self.services.drain()
            except Exception:  # keep the embedded worker alive; the job's failure is recorded by RQ
                log.exception("in-process worker failed a drain")


_FAKE_SERVER = fakeredis.FakeServer()


def _redis(settings: Settings) -> redis.Redis:
    if settings.embedded_redis:
        return fakeredis.FakeRedis(server=_FAKE_SERVER)
    return redis.Redis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=2,
                                health_check_interval=30)


def build(settings: Settings, clock: Callable[[], datetime] = utcnow) -> Services:
    """Wire the services for these settings."""
    engine = make_engine(settings.database_url)
    services = Services(settings, engine, make_session_factory(engine), _redis(settings), Catalogs.load(), clock)
    sandbox.install(services)  # first: where no provider is configured, simulated phones and a sandbox biller
    payment_jobs.install(services)
    conversations_jobs.install(services)
    whatsapp_jobs.install(services)
    notifications_jobs.install(services)
    return services


def install(services: Services) -> Services:
    """Make `services` the process's composition root (what RQ jobs use)."""
    global _current
    _current = services
    return services


def current() -> Services:
    """The process's composition root, built from the environment on first use (in an RQ worker)."""
    global _current
    with _lock:
        if _current is None:
            _current = build(Settings.from_env())
        return _current
