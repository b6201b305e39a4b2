"""Card redemptions on PostgreSQL, concurrent: redemptions per second and double spends, against a bare UPDATE.

    .venv/bin/python -m bench.cards [--cards 2000] [--raced 300] [--processes 6]

Two phases. Throughput: `--cards` cards, each paying its own order, redeemed by `--processes` processes at once;
the baseline runs the same number of transactions, with the same processes, each one bare
`UPDATE ... SET spent = spent + x WHERE id = card AND spent + x <= value`. The same processes alternate the two
in four rounds (a quarter of each at a time, their times added up), so that a neighbour's load falls on both
alike. Race: `--raced` cards, each worth exactly one order and tried on two orders at the same moment by two
processes (card i on orders i and i+1), so that every card and every order is fought over. Afterwards no card
may have paid more than its value and no order more than its total: those would be double spends.
"""
from __future__ import annotations

import argparse
import multiprocessing
import time
from collections import Counter

from sqlalchemy import text

from .figures import machine, percentile
from .orders import PHONE, place_orders, services_for
from .stack import Stack

__all__ = ["main"]

ROUNDS = 4
INTERLEAVED = 4  # rounds in which the baseline and the redemptions alternate

def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=2000, help="cards redeemed in the throughput phase")
    parser.add_argument("--raced", type=int, default=300, help="cards fought over in the race phase")
    parser.add_argument("--processes", type=int, default=6, help="concurrent redeeming processes (default 6)")
    return parser.parse_args()


# -- work done in the spawned processes ---------------------------------------------------------------------------
def _redeem(services, task) -> str:
    from orders_core.errors import ShubbakError
    from payments_sms import redeem_card

    pin, reference, contact = task
    try:
        redeem_card(services.uow(), reference, pin, contact, pin_secret=services.settings.card_pin_secret)
        return "paid"
    except ShubbakError as exc:
        return exc.code


def _bare_update(services, task) -> str:
    card_id, amount = task
    with services.engine.begin() as conn:
        changed = conn.execute(text("UPDATE bench_balances SET spent = spent + :amount "
                                    "WHERE id = :id AND spent + :amount <= value"), {"id": card_id, "amount": amount})
    return "paid" if changed.rowcount == 1 else "refused"


KINDS = {"redeem": _redeem, "bare": _bare_update}


def _worker(urls: tuple[str, str], steps: list[tuple[str, list]], ready, go: list, results) -> None:
    """Run this process's tasks of each step when the step's `go` is set; one pool, warmed once, for all steps."""
    services = services_for(*urls)
    with services.engine.connect():  # open one pooled connection before the clock starts
        pass
    for step, (kind, tasks) in enumerate(steps):
        ready.put(step)
        go[step].wait(60)
        outcomes, latencies = Counter(), []
        for task in tasks:
            t0 = time.perf_counter()
            outcomes[KINDS[kind](services, task)] += 1
            latencies.append((time.perf_counter() - t0) * 1000)
        results.put((kind, outcomes, latencies))


def run_steps(urls: tuple[str, str], steps: list[tuple[str, list[list]]]) -> list[tuple[float, list]]:
    """Steps of (kind, one share of tasks per process), run one after another by the same processes, each step's
    shares started together; the wall time and the processes' results of each step."""
    ctx = multiprocessing.get_context("spawn")
    ready, results, go = ctx.Queue(), ctx.Queue(), [ctx.Event() for _ in steps]
    count = len(steps[0][1])
    procs = [ctx.Process(target=_worker, args=(urls, [(kind, shares[n]) for kind, shares in steps], ready, go,
                                               results), daemon=True) for n in range(count)]
    for proc in procs:
        proc.start()
    timed = []
    for step in range(len(steps)):
        for _ in procs:
            ready.get(timeout=60)
        started = time.perf_counter()
        go[step].set()
        gathered = [results.get(timeout=300) for _ in procs]
        timed.append((time.perf_counter() - started, gathered))
    for proc in procs:
        proc.join(10)
    return timed


def run_processes(kind: str, urls: tuple[str, str], shares: list[list]) -> tuple[float, list]:
    """Run one process per share of the tasks, start them together, return the wall time and their results."""
    return run_steps(urls, [(kind, shares)])[0]


# -- the run ------------------------------------------------------------------------------------------------------
def print_cards(services, count: int, value: int) -> list[str]:
    """A batch of active cards worth `value` each; returns their PINs in serial order."""
    from payments_sms import activate_cards, generate_batch

    printed = []
    summary = generate_batch(services.uow(), services.settings.card_pin_secret, value, count, "bench",
                             services.settings.card_validity_days, printed.extend)
    activate_cards(services.uow(), batch_id=summary.batch_id)
    return [card.pin for card in printed]


def dealt(tasks: list, processes: int) -> list[list]:
    """Deal the tasks round-robin to the processes."""
    return [tasks[i::processes] for i in range(processes)]


def contested(pairs: list, processes: int) -> list[list]:
    """Deal the two attempts of each pair to two different processes, at the same position in their lists."""
    shares = [[] for _ in range(processes)]
    for i, (first, second) in enumerate(pairs):
        shares[(2 * i) % processes].append(first)
        shares[(2 * i + 1) % processes].append(second)
    return shares


def double_spends(engine) -> dict:
    """Cards that paid more than their value, orders paid more than their total, credit created by cards."""
    queries = {
        "cards over their value": "SELECT count(*) FROM (SELECT r.card_id FROM card_redemptions r JOIN cards c ON "
                                  "c.id = r.card_id GROUP BY r.card_id, c.value HAVING sum(r.amount) > c.value) x",
        "orders paid twice": "SELECT count(*) FROM (SELECT p.order_id FROM payments p JOIN orders o ON "
                             "o.id = p.order_id GROUP BY p.order_id, o.total HAVING sum(p.amount) > o.total) x",
        "credit from cards": "SELECT count(*) FROM credit_entries",
    }
    with engine.connect() as conn:
        return {name: conn.execute(text(sql)).scalar() for name, sql in queries.items()}


def _line(name: str, elapsed: float, gathered: list) -> tuple[float, Counter]:
    outcomes, latencies = Counter(), []
    for _, counts, lat in gathered:
        outcomes.update(counts)
        latencies.extend(lat)
    rate = outcomes["paid"] / elapsed
    print(f"{name:<28} {rate:8.1f} paid/s  {sum(outcomes.values()) / elapsed:8.1f} attempts/s  "
          f"p50 {percentile(latencies, 50):6.1f} ms  p99 {percentile(latencies, 99):6.1f} ms  "
          f"{elapsed:5.1f} s  outcomes {dict(outcomes)}")
    return rate, outcomes


def main() -> float:
    args = options()
    print(machine())
    print(f"{args.processes} processes redeeming at once, one transaction per attempt, PostgreSQL")
    with Stack("cards") as stack:
        urls = (stack.database_url, stack.redis_url)
        services = services_for(*urls)
        orders, pins, value = _prepare(services, urls, args)
        own = [(pins[i], orders[i][0], PHONE.format(i)) for i in range(args.cards)]
        baseline, rate = _throughput(services, urls, args, value, own)
        raced = _race_pairs(orders[args.cards:], pins[args.cards:])
        _line("redeem_card, raced", *run_processes("redeem", urls, contested(raced, args.processes)))
        spends = double_spends(services.engine)
        services.engine.dispose()
    print("double spends: " + ", ".join(f"{name} {count}" for name, count in spends.items()))
    print(f"redemptions {rate:.0f}/s (target >= 500/s); double spends {sum(spends.values())} (must be 0)")
    ratio = rate / baseline if baseline else 0.0
    print(f"ratio={ratio:.2f}")
    return ratio


def _throughput(services, urls, args, value: int, own: list) -> tuple[float, float]:
    """The baseline's rate and the redemptions', measured in INTERLEAVED alternating rounds (a quarter of each at a
    time, by the same processes), so that both meet the same load from whatever else runs on the machine."""
    with services.engine.begin() as conn:
        conn.execute(text("CREATE TABLE bench_balances (id integer PRIMARY KEY, value integer, spent integer)"))
        conn.execute(text("INSERT INTO bench_balances SELECT g, :v, 0 FROM generate_series(0, :n) g"),
                     {"v": value * ROUNDS, "n": args.cards})
    # Each balance paid from ROUNDS times, so that the baseline runs long enough to be timed.
    bare = [(i, value) for _ in range(ROUNDS) for i in range(args.cards)]
    steps = [(kind, dealt(tasks[round_::INTERLEAVED], args.processes))
             for round_ in range(INTERLEAVED) for kind, tasks in (("bare", bare), ("redeem", own))]
    timed = {"bare": [0.0, []], "redeem": [0.0, []]}
    for (kind, _), (elapsed, gathered) in zip(steps, run_steps(urls, steps)):
        timed[kind][0] += elapsed
        timed[kind][1].extend(gathered)
    baseline, _ = _line("baseline (bare UPDATE)", *timed["bare"])
    rate, _ = _line("redeem_card", *timed["redeem"])
    return baseline, rate


def _prepare(services, urls, args) -> tuple[list, list, int]:
    """Orders for both phases (one spare for the race's ring) and one active card per order but the spare."""
    t0 = time.perf_counter()
    count = args.cards + args.raced + 1
    orders = place_orders(urls, count, 2)
    elapsed = time.perf_counter() - t0
    print(f"placed {len(orders)} orders in {elapsed:.1f} s ({len(orders) / elapsed:.0f} orders/s; setup, not measured)")
    value = orders[0][1]
    return orders, print_cards(services, count - 1, value), value


def _race_pairs(orders: list, pins: list) -> list:
    """Card i tried on order i and on order i+1: every card and every order raced for by two attempts."""
    return [((pin, orders[i][0], PHONE.format(i)), (pin, orders[i + 1][0], PHONE.format(i + 1)))
            for i, pin in enumerate(pins)]


if __name__ == "__main__":
    main()
