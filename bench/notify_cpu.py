"""Notifications: one `handle_outbox` job's CPU, wall time and statements in one process, without RQ.

    .venv/bin/python -m bench.notify_cpu [--orders 400]

Orders are placed (each leaves an `order.placed` row), then their rows are handed one by one to the job function
itself, in this process, with the composition root built once and the null SMS sender (bench.rq_worker), as the
Procfile's worker runs it. Printed: the median and lower quartile of each job's CPU time (`time.process_time`; a
loaded machine adds to it far less than to wall time or to `bench.notifications`' ratio), the median wall time,
and the SQL statements of one job as SQLAlchemy sends them (psycopg's BEGINs and the statements sent past
SQLAlchemy are not among them). A development aid for the hot path, not one of the README's benchmarks (it
prints no `ratio=`).
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

from sqlalchemy import event, text

from .figures import machine
from .orders import place_orders, services_for
from .rq_worker import NullSender
from .stack import Stack

__all__ = ["main"]

WARM_UP = 20  # the first jobs fill SQLAlchemy's statement cache: left out of the figures


def _timed(services, outbox_ids) -> tuple[list, list, list]:
    import jobs.notifications as jobs

    cpu, wall, statements = [], [], []
    note = lambda conn, cursor, statement, *rest: statements[-1].append(statement.split()[0])  # noqa: E731
    event.listen(services.engine, "before_cursor_execute", note)
    for outbox_id in outbox_ids:
        statements.append([])
        started, used = time.perf_counter(), time.process_time()
        jobs.handle_outbox(outbox_id)
        cpu.append(time.process_time() - used)
        wall.append(time.perf_counter() - started)
    event.remove(services.engine, "before_cursor_execute", note)
    return cpu[WARM_UP:], wall[WARM_UP:], statements[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=400, help="orders placed, one job each (default 400)")
    args = parser.parse_args()
    print(machine())
    with Stack("notifycpu") as stack:
        place_orders((stack.database_url, stack.redis_url), args.orders, 2)
        services = services_for(stack.database_url, stack.redis_url, quiet_hours="")
        import bootstrap
        from channels.senders import ConsoleSender
        from notifications import claim_outbox

        bootstrap.install(services)
        ConsoleSender.send = NullSender.send
        services.warm()
        cpu, wall, statements = _timed(services, claim_outbox(services.uow(), batch=args.orders))
        with services.engine.connect() as conn:
            sent = conn.execute(text("SELECT count(*) FROM notification_messages WHERE status = 'sent'")).scalar()
        services.engine.dispose()
    quartile = statistics.quantiles(cpu, n=4)[0]
    print(f"{len(cpu)} jobs (after {WARM_UP} to warm up), {sent} messages sent: CPU median "
          f"{1000 * statistics.median(cpu):.2f} ms, lower quartile {1000 * quartile:.2f} ms; wall median "
          f"{1000 * statistics.median(wall):.2f} ms")
    print(f"statements of one job through SQLAlchemy: {len(statements)} {statements}")
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
