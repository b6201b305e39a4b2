"""Card redemptions: CPU per redemption in one process (client and its PostgreSQL backend), against a bare UPDATE.

    .venv/bin/python -m bench.cards_cpu [--cards 600] [--mixed]

No concurrency: one process alternates a redemption (each card paying its own order) and a bare
`UPDATE ... SET spent = spent + x` transaction on the same pooled connection, and adds up, for each, the
process's CPU (`time.process_time_ns`) and its backend's (`/proc/PID/schedstat`, nanoseconds on a CPU). Taking
turns, both meet the same load, so the CPU ratio holds on a busy machine where `bench.cards`' rates do not.
`--mixed`: a read-only unit of work (ended by a rollback, as every one that does not commit) before each
redemption, as in a worker with mixed traffic: psycopg then forgets what it prepared. A development aid for the
hot path, not one of the README's benchmarks (it prints no `ratio=`).
"""
from __future__ import annotations

import argparse
import time

from sqlalchemy import text

from .cards import print_cards
from .orders import PHONE, place_orders, services_for
from .figures import machine
from .stack import Stack

__all__ = ["main"]

WARM_UP = 20  # turns of each left out: the first statements of a connection are not prepared yet


def _backend_ns(pid: int) -> int:
    with open(f"/proc/{pid}/schedstat") as stat:
        return int(stat.read().split()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=600)
    parser.add_argument("--mixed", action="store_true", help="a read-only unit of work before each redemption")
    args = parser.parse_args()
    print(machine())
    with Stack("cards_cpu") as stack:
        urls = (stack.database_url, stack.redis_url)
        services = services_for(*urls)
        orders = place_orders(urls, args.cards, 2)
        pins = print_cards(services, args.cards, orders[0][1])
        with services.engine.begin() as conn:
            conn.execute(text("CREATE TABLE bench_balances (id integer PRIMARY KEY, value integer, spent integer)"))
            conn.execute(text("INSERT INTO bench_balances SELECT g, 1000000000, 0 FROM generate_series(0, :n) g"),
                         {"n": args.cards})
        services.engine.dispose()  # one connection from here on, whose backend is measured
        spent = _turns(services_for(*urls), orders, pins, args.mixed)
    _print(spent, args.cards - WARM_UP)


def _turns(services, orders: list, pins: list, mixed: bool) -> dict:
    """Redemption and bare UPDATE in turns; the CPU (client, backend) of each kind after the warm-up."""
    from payments_sms import redeem_card

    def redeem(i):
        if mixed:
            with services.uow() as uow:
                uow.scalar(text("SELECT 1"))
        redeem_card(services.uow(), orders[i][0], pins[i], PHONE.format(i),
                    pin_secret=services.settings.card_pin_secret)

    def bare(i):
        with services.engine.begin() as conn:
            conn.execute(text("UPDATE bench_balances SET spent = spent + :x WHERE id = :id AND spent + :x <= value"),
                         {"id": i, "x": 5})

    with services.engine.connect() as conn:
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    spent = {"redeem_card": [0, 0], "bare UPDATE": [0, 0]}
    for i in range(len(orders)):
        for name, turn in (("redeem_card", redeem), ("bare UPDATE", bare)):
            backend, client = _backend_ns(pid), time.process_time_ns()
            turn(i)
            if i >= WARM_UP:
                spent[name][0] += time.process_time_ns() - client
                spent[name][1] += _backend_ns(pid) - backend
    services.engine.dispose()
    return spent


def _print(spent: dict, count: int) -> None:
    totals = {name: (client + backend) / count / 1e6 for name, (client, backend) in spent.items()}
    for name, (client, backend) in spent.items():
        print(f"{name:<14} client {client / count / 1e6:6.3f} ms  PostgreSQL {backend / count / 1e6:6.3f} ms  "
              f"total {totals[name]:6.3f} ms  (n={count})")
    print(f"CPU ratio (bare UPDATE / redemption): {totals['bare UPDATE'] / totals['redeem_card']:.3f}")


if __name__ == "__main__":
    main()
