"""Notifications: jobs per second per RQ worker with a null SMS sender, against a bare no-op RQ job.

    .venv/bin/python -m bench.notifications [--orders 300] [--block 25] [--worker procfile fork simple] [--sequential]

Orders are placed first (each leaves an `order.placed` row in the outbox). One `handle_outbox` job per row plans
and stores the citizen's message, then claims it, hands it to the null sender and records the outcome: one job
per notification, so jobs per second are notifications per second. The baseline is as many no-op jobs on the same
worker class. One worker process drains the queue; each job records when it ended, so the worker's own start-up is
not counted, and each job's time is the gap since the job before it ended (RQ's dequeue and bookkeeping included).

Rounds: the jobs are enqueued in alternating blocks (`--block` notification jobs, as many no-op jobs, again) on
the queue production uses for them (`default`), so that a change of the machine's load during the run weighs on
both sides alike. The ratio is that of the mean times of a no-op job and of a notification job over all rounds
(the median of the rounds' own ratios is printed beside it). `--sequential` is the measure used before: all the
notification jobs (on `low`), then, in a second worker process, the no-op jobs; load moving between the two
phases moved that ratio. The ratio is taken on the Procfile's worker (`procfile`: jobs.worker.Worker); the other
kinds (see bench/rq_worker.py) show what a different worker set-up would give.
"""
from __future__ import annotations

import argparse
import os
import statistics
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
    parser.add_argument("--seconds", type=float, default=30,
                        help="time each worker kind works at most, start-up included (default 30)")
    parser.add_argument("--block", type=int, default=25, help="jobs of one kind in a row (default 25)")
    parser.add_argument("--sequential", action="store_true",
                        help="the former measure: the notification phase, then the no-op phase")
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
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"target ratio >= 0.8 on the Procfile's worker ({args.worker[0]})")
    print(f"ratio={ratios[args.worker[0]]:.2f}")
    return ratios[args.worker[0]]


def _compared(stack: Stack, services, worker: str, args) -> float:
    """The ratio of the rates of notification jobs and no-op jobs on one worker kind."""
    if not args.sequential:
        return _alternated(stack, services, worker, args)
    project = _notification_phase(stack, services, worker, args.orders, args.seconds)
    baseline = _noop_phase(stack, worker, project["jobs"])
    ratio = _line(f"notification jobs ({worker})", project) / _line(f"baseline no-op jobs ({worker})", baseline)
    print(f"    ratio ({worker}) {ratio:.2f}")
    return ratio


def _alternated(stack: Stack, services, worker: str, args) -> float:
    """Blocks of notification jobs and of no-op jobs, alternating on one queue, drained by one worker process."""
    from notifications import claim_outbox

    outbox_ids = claim_outbox(services.uow(), batch=args.orders)
    jobs = []
    for start in range(0, len(outbox_ids), args.block):
        block = outbox_ids[start:start + args.block]
        jobs += [Queue.prepare_data("jobs.notifications.handle_outbox", (i,)) for i in block]
        jobs += [Queue.prepare_data(NOOP) for _ in block]
    connection = stack.redis()
    connection.delete(KEYS["ends"])
    Queue("default", connection=connection).enqueue_many(jobs)
    drained = drain(stack, worker, args.seconds)
    _empty_queues(stack)
    rounds = _rounds([line.decode().split() for line in connection.lrange(KEYS["ends"], 0, -1)])
    with services.engine.connect() as conn:
        sent = conn.execute(text("SELECT count(*) FROM notification_messages WHERE status = 'sent'")).scalar()
    project, baseline = ({"jobs": sum(r[kind][0] for r in rounds), "seconds": sum(r[kind][1] for r in rounds),
                          "rss": drained["rss"]} for kind in (HANDLE, NOOP))
    ratio = (_line(f"notification jobs ({worker})", {**project, "sent": sent})
             / _line(f"baseline no-op jobs ({worker})", baseline))
    per_round = [(r[HANDLE][0] / r[HANDLE][1]) / (r[NOOP][0] / r[NOOP][1]) for r in rounds
                 if r[HANDLE][0] and r[NOOP][0]]
    spread = (f"; per round: median {statistics.median(per_round):.2f}, from {min(per_round):.2f} to "
              f"{max(per_round):.2f}" if per_round else "")
    print(f"    ratio ({worker}) {ratio:.2f} over {len(rounds)} rounds of up to {args.block} jobs of each kind{spread}")
    return ratio


HANDLE, NOOP = "jobs.notifications.handle_outbox", "bench.rq_worker.noop"


def _rounds(ends: list) -> list[dict]:
    """Per round (a block of notification jobs and the no-op block after it): each kind's (jobs, seconds), a job's
    seconds being the gap since the previous job ended (the first job of all, which has none, is left out)."""
    rounds, previous = [], None
    for at, name in ends:
        at = float(at)
        if name == HANDLE and (not rounds or rounds[-1][NOOP][0]):
            rounds.append({HANDLE: [0, 0.0], NOOP: [0, 0.0]})
        if previous is not None and rounds:
            rounds[-1][name][0] += 1
            rounds[-1][name][1] += at - previous
        previous = at
    return rounds


if __name__ == "__main__":
    main()
