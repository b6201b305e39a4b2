"""An RQ worker for the benchmarks: a production worker class, a null SMS sender, its figures written to Redis.

    python -m bench.rq_worker --worker procfile|fork|preforked|simple     (drains the queues, then exits)

`procfile` is the Procfile's worker class, `jobs.worker.Worker`. `fork` is RQ's default `rq worker`: it
builds nothing before the first job, so the composition root is built where the job runs, in each forked work
horse. `preforked` builds it (imports, engine, catalogs, notifier) in the
worker before forking, so that horses inherit it; `simple` runs every job in the worker process itself. Each
job records when it started and ended and the peak RSS of the process that ran it, so the figures exclude the
worker's own start-up.
"""
from __future__ import annotations

import argparse
import itertools
import os
import signal
import threading
import time

from rq import Queue, SimpleWorker, Worker

__all__ = ["NullSender", "noop", "main", "WORKERS", "KEYS"]

KEYS = {"first": "bench:jobs:first", "last": "bench:jobs:last", "count": "bench:jobs:count", "rss": "bench:rss",
        "ends": "bench:jobs:ends"}
_numbers = itertools.count(1)


class NullSender:
    """A sender that accepts every message at once: what is left is the cost of our own code."""

    name = "console"

    def send(self, to: str, text: str):  # also installed as ConsoleSender.send: uses only `name`, which both have
        from channels.senders import SendResult

        return SendResult(self.name, f"null-{os.getpid()}-{next(_numbers)}", "sent", 1)


def noop() -> None:
    """The baseline job: RQ's own cost and nothing else."""


def _vmhwm_kb() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))


class _Timed:
    """Records each job's start, end (with its function's name, in order) and the peak RSS of the process that ran
    it."""

    def perform_job(self, job, queue) -> bool:
        self.connection.set(KEYS["first"], time.time(), nx=True)
        try:
            return super().perform_job(job, queue)
        finally:
            pipe = self.connection.pipeline()
            pipe.set(KEYS["last"], time.time())
            pipe.incr(KEYS["count"])
            pipe.rpush(KEYS["ends"], f"{time.time()!r} {job.func_name}")
            pipe.hset(KEYS["rss"], f"job-{os.getpid()}", _vmhwm_kb())
            pipe.execute()


class TimedWorker(_Timed, Worker):
    """The Procfile's `rq worker`: one forked work horse per job."""


class TimedSimpleWorker(_Timed, SimpleWorker):
    """Jobs run in the worker process itself, one after another."""


def _procfile_worker():
    from jobs.worker import Worker as ProcfileWorker

    class TimedProcfileWorker(_Timed, ProcfileWorker):
        """The Procfile's worker class."""

    return TimedProcfileWorker


WORKERS = {"procfile": _procfile_worker, "fork": lambda: TimedWorker, "preforked": lambda: TimedWorker,
           "simple": lambda: TimedSimpleWorker}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", choices=sorted(WORKERS), default="fork")
    parser.add_argument("--max-jobs", type=int, default=None, help="stop after this many jobs")
    parser.add_argument("--seconds", type=float, default=None, help="stop (after the job in hand) after this long")
    args = parser.parse_args()
    import redis

    from bootstrap import QUEUES

    _prepare(args.worker)
    connection = redis.Redis.from_url(os.environ["REDIS_URL"])
    worker = WORKERS[args.worker]()([Queue(name, connection=connection) for name in QUEUES], connection=connection)
    if args.seconds:
        # RQ's warm shutdown: the worker finishes the job in hand, then returns from work().
        threading.Timer(args.seconds, os.kill, (os.getpid(), signal.SIGTERM)).start()
    worker.work(burst=True, with_scheduler=False, logging_level="WARNING", max_jobs=args.max_jobs)
    connection.hset(KEYS["rss"], f"worker-{os.getpid()}", _vmhwm_kb())


def _prepare(kind: str) -> None:
    """The null sender in place of the console one; for `preforked`, the composition root built now."""
    import jobs.notifications  # noqa: F401 - the job modules imported before the fork
    from channels.senders import ConsoleSender

    # Replaced before any job runs, so that forked horses inherit the replacement.
    ConsoleSender.send = NullSender.send
    if kind == "preforked":
        import bootstrap

        # No connection is opened here: a database socket must never be shared by a parent and its horses.
        bootstrap.current()


if __name__ == "__main__":
    main()
