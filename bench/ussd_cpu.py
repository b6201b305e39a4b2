"""USSD: in-process CPU per step (Flask test client, PostgreSQL + Redis, the national directory), against the baseline.

    .venv/bin/python -m bench.ussd_cpu [--orders 150] [--runs 6] [--sql]

No HTTP server and no concurrency: each run places `--orders` complete orders (the steps of `bench.ussd`) and
posts as many forms to the baseline endpoint, timing the process's CPU (`time.process_time`). The minimum over
runs is printed, since a loaded machine only adds to it. `--sql` also counts the SQL statements of one order.
A development aid for the hot path, not one of the README's benchmarks (it prints no `ratio=`).
"""
from __future__ import annotations

import argparse
import os
import time

from .stack import Stack
from .ussd import baseline_flow, order_flow


def _client(stack: Stack):
    os.environ.update({k: v for k, v in stack.env().items() if k.startswith("SHUBBAK_")
                       or k in ("DATABASE_URL", "REDIS_URL")})
    from app import create_app
    return create_app().test_client()


def _post_all(client, flow, first: int, count: int) -> int:
    steps = 0
    for n in range(first, first + count):
        for step in flow(n):
            reply = client.post(step.path, data=step.form).get_data(as_text=True)
            assert reply.startswith(step.expect), (step.label, reply[:200])
            steps += 1
    return steps


def _cpu_ms_per_step(client, flow, first: int, count: int) -> float:
    start = time.process_time()
    steps = _post_all(client, flow, first, count)
    return 1000 * (time.process_time() - start) / steps


def _statements_of_one_order(client, first: int) -> int:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    seen = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731  (conn, cursor, statement, ...)
    event.listen(Engine, "before_cursor_execute", listener)
    try:
        _post_all(client, order_flow, first, 1)
    finally:
        event.remove(Engine, "before_cursor_execute", listener)
    for statement in seen:
        print("   ", " ".join(statement.split())[:150])
    return len(seen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=150)
    parser.add_argument("--runs", type=int, default=6)
    parser.add_argument("--sql", action="store_true")
    args = parser.parse_args()
    with Stack("ussdcpu") as stack:
        client = _client(stack)
        _post_all(client, order_flow, 900_000, 20)  # warm-up: imports, pools, caches
        flow, base = [], []
        for run in range(args.runs):
            first = 100_000 * (run + 1)
            flow.append(_cpu_ms_per_step(client, order_flow, first, args.orders))
            base.append(_cpu_ms_per_step(client, baseline_flow, first, args.orders))
        print(f"ussd step CPU {min(flow):.2f} ms (runs {', '.join(f'{x:.2f}' for x in flow)})")
        print(f"baseline      {min(base):.2f} ms (runs {', '.join(f'{x:.2f}' for x in base)})")
        print(f"in-process ratio {min(base) / min(flow):.2f}; load average {os.getloadavg()}")
        if args.sql:
            print("SQL statements in one order:", _statements_of_one_order(client, 990_000))


if __name__ == "__main__":
    main()
