"""The Procfile's worker class: `rq worker --worker-class jobs.worker.Worker`."""
from __future__ import annotations

import logging

import redis
import rq

import bootstrap
from jobs.clock import ensure_clock

__all__ = ["Worker"]

log = logging.getLogger(__name__)


class Worker(rq.SimpleWorker):
    """Runs each job in the worker process itself, with the composition root (imports, engine and its connection
    pool, catalogs, senders, notifier) built once, and keeps the tick alive.

    Not RQ's default forking worker: a work horse per job rebuilt or re-connected all of that for every job
    (bench.notifications: ×3 to ×20 slower). Nothing is lost by not forking: a job's timeout still stops it
    (RQ's signal-based death penalty runs in this main thread), and a worker that dies mid-job leaves its
    message `sending` under a lease that the sweeper takes back, as it would for a dead work horse.
    """

    def work(self, *args, **kwargs):
        services = bootstrap.current()  # built here, once, before the first job
        services.warm()
        self._keep_clock(services.settings.notify_tick_seconds)
        return super().work(*args, **kwargs)

    def run_maintenance_tasks(self):
        super().run_maintenance_tasks()
        self._keep_clock(bootstrap.current().settings.notify_tick_seconds)

    def _keep_clock(self, every: int) -> None:
        try:
            ensure_clock(self.connection, every)
        except redis.RedisError as exc:
            log.warning("could not check the periodic clock: %s", type(exc).__name__)
