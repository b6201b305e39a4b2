"""A webhook benchmark against its baseline, in one run: the same server, load process and concurrency for both."""
from __future__ import annotations

import argparse
from argparse import Namespace
from dataclasses import dataclass

from .figures import Phase, load, machine, percentile
from .load import Plan, measure
from .stack import CpuMeter, Stack, peak_rss_mb, postgres_backends, redis_server

__all__ = ["WebBenchmark", "options", "run"]


@dataclass(frozen=True)
class WebBenchmark:
    """What one webhook benchmark runs: its flow, the baseline flow, the labels of the flow's steps."""

    name: str
    flow: str
    baseline_flow: str
    labels: tuple[str, ...]
    unit: str = "steps"
    per_step: bool = True  # print p50/p99 of each step of the flow


def options(description: str, more=None) -> argparse.Namespace:
    """The options every webhook benchmark takes; `more(parser)` adds a benchmark's own."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--sessions", type=int, default=32, help="concurrent sessions (default 32)")
    parser.add_argument("--seconds", type=float, default=15, help="measured seconds per phase (default 15)")
    parser.add_argument("--warmup", type=float, default=3, help="seconds before measuring (default 3)")
    parser.add_argument("--think", type=float, nargs="+", default=[1.0, 0.2],
                        help="mean pauses between steps, one paced phase each, seconds (default 1.0 0.2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2, as the Procfile)")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker (default 4)")
    if more:
        more(parser)
    return parser.parse_args()


def phase(stack: Stack, args, name: str, base: str, flow: str, think: float = 0.0, seed: int = 0,
          steps: int = 0) -> Phase:
    """One measured phase, with the CPU that the web workers, our PostgreSQL backends and Redis spent on it.

    Paced sessions start spread over one flow's length and are measured once all have started."""
    groups = {"web": stack.web_workers, "postgres": lambda: postgres_backends(stack.name), "redis": redis_server}
    stagger = think * steps
    plan = Plan(name, base, flow, args.sessions, args.seconds, max(args.warmup, stagger), think, seed=seed,
                stagger=stagger)
    with CpuMeter(groups) as cpu:
        result = measure(plan)
    result.cpu_seconds = cpu.used
    return result


def storage(stack: Stack, size_before: int, phases: list[Phase]) -> None:
    """What the requests left in PostgreSQL and Redis: what sizing the storage starts from."""
    requests = sum(result.requests for result in phases[1:])
    with stack.redis() as connection:
        for key in connection.scan_iter("bench:session:*", count=1000):  # the baseline's own keys
            connection.delete(key)
    grown, orders = stack.database_bytes() - size_before, stack.count("orders")
    print(f"storage: {requests} requests placed {orders} orders; PostgreSQL grew {grown / 2**20:.1f} MB "
          f"({grown / max(orders, 1) / 1024:.1f} KiB per order); Redis holds "
          + ", ".join(f"{prefix}: {keys} keys, {size / 2**20:.1f} MB ({size / max(requests, 1):.0f} bytes per request)"
                      for prefix, (keys, size) in sorted(stack.redis_footprint().items())))


def report(bench: WebBenchmark, result: Phase) -> None:
    print(result.line(bench.unit))
    print(result.cpu_line(bench.unit.rstrip("s")))
    for line in result.step_lines(list(bench.labels)) if bench.per_step else ():
        print(line)
    for sample in result.error_samples:
        print("    error:", sample)


def run(bench: WebBenchmark, args, prepare=None, after=None) -> float:
    """Baseline, then the flow back to back, then the flow paced at each --think; print figures and the ratio.

    `prepare(stack, base)` runs before the phases, `after(stack)` after them (figures of the queued work)."""
    print(machine())
    print(f"gunicorn {args.workers} workers x {args.threads} threads; {args.sessions} concurrent sessions; "
          f"{args.seconds:g} s measured per phase after {args.warmup:g} s warm-up; load from a separate process")
    with Stack(bench.name) as stack:
        base = stack.start_web(args.workers, args.threads)
        if prepare:
            prepare(stack, base)
        phases = measured(stack, bench, args, base)
        rss = [peak_rss_mb(pid) for pid in stack.web_workers()]
        print("web workers' peak RSS (VmHWM): " + ", ".join(f"{mb:.0f} MB" for mb in rss))
        if any(result.errors for result in phases.values()):
            print("web log tail:\n" + stack.log_tail("web"))
        if after:
            after(stack)
    return summary(bench, args, phases)


def measured(stack: Stack, bench: WebBenchmark, args, base: str) -> dict:
    """Every phase, reported as it ends, then the storage they left behind."""
    size_before, one = stack.database_bytes(), Namespace(**{**vars(args), "sessions": 1,
                                                            "seconds": min(args.seconds, 8)})
    plans = [("baseline", args, "baseline (GET+SET)", bench.baseline_flow, 0.0, 0),
             ("back to back", args, f"{bench.name} back to back", bench.flow, 0.0, 1_000_000),
             ("alone", one, f"{bench.name} one session", bench.flow, 0.0, 1_500_000)]
    plans += [(think, args, f"{bench.name} paced {think:g}s", bench.flow, think, 2_000_000 * (i + 1))
              for i, think in enumerate(args.think)]
    phases = {}
    for key, options_, name, flow, think, seed in plans:
        phases[key] = phase(stack, options_, name, base, flow, think, seed, len(bench.labels))
        report(bench, phases[key])
    storage(stack, size_before, list(phases.values()))
    return phases


def summary(bench: WebBenchmark, args, phases: dict) -> float:
    """The lines a reader looks for, and the ratio: the flow back to back against the baseline."""
    baseline, flat_out, alone = phases["baseline"], phases["back to back"], phases["alone"]
    for think in args.think:
        print(f"paced {think:g}s: {phases[think].rate:.0f} {bench.unit}/s offered by {args.sessions} sessions, "
              f"p99 {_p99(phases[think]):.1f} ms (target <= 50 ms)")
    print(f"one session alone: p50 {percentile(alone.latencies_ms, 50):.1f} ms, p99 {_p99(alone):.1f} ms per "
          f"{bench.unit.rstrip('s')} (no contention); {load()} at the end")
    print(f"back to back: {flat_out.rate:.0f} {bench.unit}/s against the baseline's {baseline.rate:.0f}; "
          f"errors {sum(result.errors for result in phases.values())}")
    ratio = flat_out.rate / baseline.rate if baseline.rate else 0.0
    print(f"ratio={ratio:.2f}")
    return ratio


def _p99(result: Phase) -> float:
    return percentile(result.latencies_ms, 99)
