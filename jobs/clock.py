"""The periodic clock: each periodic job at most once per time slot, whatever the number of workers.

Periodic work rides on RQ's scheduler (`rq worker --with-scheduler`): `tick` schedules the next tick first, then
enqueues whatever periodic job is due (a Redis key per job and time slot lets only one of several workers start
it). The worker class (jobs.worker) restarts a broken chain at start-up and with RQ's maintenance (every 10
minutes). The embedded default has no scheduler: a small thread ticks in-process instead (`start`).
"""
from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta, timezone

import redis
import rq

import bootstrap
from jobs.conversations import resend_replies
from jobs.inbox import sweep_inbox
from jobs.notifications import (
    agent_digests, dispatch_outbox, expire_charges, expire_orders, late_reports, purge_history, sweep,
)
from jobs.retention import purge_personal_data

__all__ = ["PERIODIC", "CLOCK_KEY", "run_due", "tick", "ensure_clock", "EmbeddedClock", "start"]

log = logging.getLogger(__name__)
CLOCK_KEY = "shubbak:periodic:clock"

# Periodic work: (job, at most once every N seconds, queue).
PERIODIC = (
    (dispatch_outbox, 1, "default"),
    (sweep, 5, "default"),
    (agent_digests, 60, "default"),
    (late_reports, 600, "low"),
    (expire_orders, 300, "low"),
    (expire_charges, 300, "low"),
    (sweep_inbox, 15, "default"),  # callbacks stored and acknowledged whose job was lost
    (resend_replies, 60, "default"),  # SMS replies recorded whose sending job was lost
    (purge_personal_data, 3600, "low"),  # message texts, inbox rows and transcripts past SHUBBAK_RETENTION_DAYS
    (purge_history, 60, "low"),  # one batch of each a run (~0.15 s), every minute: several national days a day
)


def run_due(services, now: float | None = None) -> list[str]:
    """Enqueue each periodic job whose time slot no other process has started yet (`now`: seconds since the epoch)."""
    now, started = time.time() if now is None else now, []
    for job, every, queue in PERIODIC:
        slot = int(now // every)
        if services.redis.set(f"shubbak:periodic:{job.__name__}:{slot}", 1, nx=True, ex=every * 2 + 5):
            services.enqueue(job, queue=queue, result_ttl=0, failure_ttl=24 * 3600)
            started.append(job.__name__)
    return started


def tick() -> list[str]:
    """One beat of the periodic clock: schedule the next beat first (a death here must not end the chain)."""
    services = bootstrap.current()
    _schedule_tick(services.redis, services.settings.notify_tick_seconds)
    return run_due(services)


def _schedule_tick(connection, every: int, delay: int | None = None) -> None:
    at = datetime.now(timezone.utc) + timedelta(seconds=every if delay is None else delay)
    slot = int(at.timestamp() // every)
    # One job id per slot: two chains (after a restart raced a live one) fold into one.
    rq.Queue("high", connection=connection).enqueue_at(at, tick, job_id=f"shubbak-tick-{slot}", result_ttl=0,
                                                       failure_ttl=3600)
    connection.set(CLOCK_KEY, slot, ex=every * 3 + 60)


def ensure_clock(connection, every: int) -> bool:
    """Start the tick chain unless a live one has ticked lately; True when this call started it."""
    if every <= 0 or not connection.set(CLOCK_KEY, "starting", nx=True, ex=every * 3 + 60):
        return False
    _schedule_tick(connection, every, delay=0)
    log.info("periodic clock started (every %d s)", every)
    return True


class EmbeddedClock(threading.Thread):
    """The embedded default's stand-in for the RQ scheduler's tick: enqueues the due periodic work in-process."""

    def __init__(self, services, every: int):
        super().__init__(name="shubbak-periodic-clock", daemon=True)
        self.services, self.every = services, every

    def run(self) -> None:
        while True:
            time.sleep(self.every)
            try:
                run_due(self.services)
            except Exception:  # keep ticking; the failing job is recorded by RQ or logged here
                log.exception("periodic clock failed a tick")


def start(services) -> None:
    """Start the periodic clock of a web process: a thread in the embedded default, else the tick chain."""
    every = services.settings.notify_tick_seconds
    if every <= 0 or services.settings.env == "test":
        return
    if services.settings.embedded_redis:
        EmbeddedClock(services, every).start()
        return
    try:
        ensure_clock(services.redis, every)
    except redis.RedisError as exc:
        log.warning("could not start the periodic clock: %s", type(exc).__name__)
