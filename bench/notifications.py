"""Notifications: jobs per second per RQ worker with a null SMS sender, against a bare no-op RQ job.

    .venv/bin/python -m bench.notifications [--orders 500] [--worker procfile fork simple]

Orders are placed first (each leaves an `order.placed` row in the outbox). A phase enqueues one `handle_outbox`
job per row; each plans and stores the citizen's message, then claims it, hands it to the null sender and records
the outcome: one job per notification, so jobs per second are notifications per second. One worker process drains the queues; its jobs record
their start and end, so the worker's own start-up is not counted. The baseline drains as many no-op jobs with
the same worker class. The ratio is taken on the Procfile's worker (`procfile`: jobs.worker.Worker); the
other kinds (see bench/rq_worker.py) show what a different worker set-up would give.
"""
from __future__ import annotations

import argparse
import sys

from rq import Queue
from sqlalchemy import text

from .figures import machine
from .orders import place_orders, services_for
from .rq_worker import KEYS
from .stack import Stack

__all__ = ["main", "drain"]


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=300,
                        help="orders whose notifications each worker kind may handle (default 300)")
    parser.add_argument("--seconds", type=float, default=12, help="time each worker kind works (default 12)")
    parser.add_argument("--worker", nargs="+", choices=("procfile", "fork", "preforked", "simple"),
                        default=["procfile", "fork", "simple"],
                        help="worker kinds to measure (default procfile, fork, simple; the first gives the ratio)")
    return parser.parse_args()


def drain(stack: Stack, worker: str, seconds: float | None = None, **env: str) -> dict:
    """Run one benchmark worker until the queues are empty or `seconds` passed; its jobs, seconds, peak RSS."""
    connection = stack.redis()
    connection.delete(*KEYS.values())
    limit = ["--seconds", str(seconds)] if seconds else []
    proc = stack.start([sys.executable, "-m", "bench.rq_worker", "--worker", worker, *limit], "rq",
                       SHUBBAK_NOTIFY_TICK_SECONDS="0", SHUBBAK_QUIET_HOURS="", **env)
    if proc.wait(timeout=300) != 0:
        raise RuntimeError(f"benchmark worker failed:\n{stack.log_tail('rq')}")
    first, last = float(connection.get(KEYS["first"])), float(connection.get(KEYS["last"]))
    rss = {k.decode(): int(v) / 1024 for k, v in connection.hgetall(KEYS["rss"]).items()}
    return {"jobs": int(connection.get(KEYS["count"])), "seconds": last - first, "rss": rss}


def _noop_phase(stack: Stack, worker: str, count: int) -> dict:
    queue = Queue("default", connection=stack.redis())
    queue.enqueue_many([Queue.prepare_data("bench.rq_worker.noop") for _ in range(count)])
    return drain(stack, worker)


def _empty_queues(stack: Stack) -> None:
    for name in ("high", "default", "low"):
        Queue(name, connection=stack.redis()).empty()


def _notification_phase(stack: Stack, services, worker: str, count: int, seconds: float) -> dict:
    from notifications import claim_outbox

    outbox_ids = claim_outbox(services.uow(), batch=count)
    queue = Queue("low", connection=stack.redis())
    queue.enqueue_many([Queue.prepare_data("jobs.notifications.handle_outbox", (i,)) for i in outbox_ids])
    result = drain(stack, worker, seconds)
    _empty_queues(stack)
    with services.engine.connect() as conn:
        result["sent"] = conn.execute(text("SELECT count(*) FROM notification_messages WHERE status = 'sent'")).scalar()
    return result


def _line(name: str, result: dict) -> float:
    rate = result["jobs"] / result["seconds"]
    horses = [mb for k, mb in result["rss"].items() if k.startswith("job-")]
    worker = [mb for k, mb in result["rss"].items() if k.startswith("worker-")]
    print(f"{name:<34} {rate:8.1f} jobs/s  {result['jobs']} jobs in {result['seconds']:.2f} s  "
          f"peak RSS: job process {max(horses, default=0):.0f} MB, worker {max(worker, default=0):.0f} MB"
          + (f"  messages sent so far {result['sent']}" if "sent" in result else ""))
    return rate


def main() -> float:
    args = options()
    print(machine())
    print(f"{args.orders} orders' notifications per phase; one RQ worker process; null SMS sender")
    with Stack("notify") as stack:
        urls = (stack.database_url, stack.redis_url)
        empty = stack.database_bytes()
        place_orders(urls, args.orders * len(args.worker), 2)
        placed = stack.database_bytes()
        services = services_for(*urls)
        ratios = {worker: _compared(stack, services, worker, args) for worker in args.worker}
        services.engine.dispose()
        sent = stack.count("notification_messages")
        print(f"storage: {(placed - empty) / 1024 / (args.orders * len(args.worker)):.1f} KiB per order placed, "
              f"{(stack.database_bytes() - placed) / 1024 / max(sent, 1):.1f} KiB per notification stored and sent")
    print(f"target ratio >= 0.8 on the Procfile's worker ({args.worker[0]})")
    print(f"ratio={ratios[args.worker[0]]:.2f}")
    return ratios[args.worker[0]]


def _compared(stack: Stack, services, worker: str, args) -> float:
    """Notification jobs, then as many no-op jobs, on one worker kind; the ratio of their rates."""
    project = _notification_phase(stack, services, worker, args.orders, args.seconds)
    baseline = _noop_phase(stack, worker, project["jobs"])
    ratio = _line(f"notification jobs ({worker})", project) / _line(f"baseline no-op jobs ({worker})", baseline)
    print(f"    ratio ({worker}) {ratio:.2f}")
    return ratio


if __name__ == "__main__":
    main()
