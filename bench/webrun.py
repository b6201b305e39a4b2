"""A webhook benchmark against its baseline, in one run: the same server, load process and concurrency for both."""
from __future__ import annotations

import argparse
from dataclasses import dataclass

from .figures import Phase, machine
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
    parser.add_argument("--think", type=float, default=0.2,
                        help="mean pause between steps in the paced phase, seconds (default 0.2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2, as the Procfile)")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker (default 4)")
    if more:
        more(parser)
    return parser.parse_args()


def phase(stack: Stack, args, name: str, base: str, flow: str, think: float = 0.0, seed: int = 0) -> Phase:
    """One measured phase, with the CPU that the web workers, our PostgreSQL backends and Redis spent on it."""
    groups = {"web": stack.web_workers, "postgres": lambda: postgres_backends(stack.name), "redis": redis_server}
    plan = Plan(name, base, flow, args.sessions, args.seconds, args.warmup, think, seed=seed)
    with CpuMeter(groups) as cpu:
        result = measure(plan)
    result.cpu_seconds = cpu.used
    return result


def report(bench: WebBenchmark, result: Phase) -> None:
    print(result.line(bench.unit))
    print(result.cpu_line(bench.unit.rstrip("s")))
    for line in result.step_lines(list(bench.labels)) if bench.per_step else ():
        print(line)
    for sample in result.error_samples:
        print("    error:", sample)


def run(bench: WebBenchmark, args, prepare=None, after=None) -> float:
    """Baseline, then the flow back to back, then the flow paced; print the figures and the ratio line.

    `prepare(stack, base)` runs before the phases, `after(stack)` after them (figures of the queued work)."""
    print(machine())
    print(f"gunicorn {args.workers} workers x {args.threads} threads; {args.sessions} concurrent sessions; "
          f"{args.seconds:g} s measured per phase after {args.warmup:g} s warm-up; load from a separate process")
    with Stack(bench.name) as stack:
        base = stack.start_web(args.workers, args.threads)
        if prepare:
            prepare(stack, base)
        baseline = phase(stack, args, "baseline (GET+SET)", base, bench.baseline_flow)
        report(bench, baseline)
        flat_out = phase(stack, args, f"{bench.name} back to back", base, bench.flow, seed=1_000_000)
        report(bench, flat_out)
        paced = phase(stack, args, f"{bench.name} paced {args.think:g}s", base, bench.flow, args.think, 2_000_000)
        report(bench, paced)
        rss = {pid: peak_rss_mb(pid) for pid in stack.web_workers()}
        print("web workers' peak RSS (VmHWM): " + ", ".join(f"{mb:.0f} MB" for mb in rss.values()))
        if flat_out.errors or paced.errors:
            print("web log tail:\n" + stack.log_tail("web"))
        if after:
            after(stack)
    ratio = flat_out.rate / baseline.rate if baseline.rate else 0.0
    print(f"paced p99 {_p99(paced):.1f} ms at {args.sessions} sessions (target <= 50 ms); "
          f"errors {flat_out.errors + paced.errors}")
    print(f"ratio={ratio:.2f}")
    return ratio


def _p99(result: Phase) -> float:
    from .figures import percentile

    return percentile(result.latencies_ms, 99)
