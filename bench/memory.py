"""Memory: peak RSS (VmHWM) of a web worker and of an RQ worker under load, against the 150 MB target.

    .venv/bin/python -m bench.memory [--seconds 12] [--sessions 32] [--worker-seconds 10] [--arena-max N]

Web: gunicorn as in the Procfile (2 workers x 4 threads). Each worker's VmHWM is read after start-up, then reset
(/proc/PID/clear_refs) and read again after USSD orders and SMS conversations back to back from 32 concurrent
sessions, then reset and read after staff logins from 8 browsers at once (unknown names: each login checks the
password against a decoy argon2 hash, as a wrong name must cost what a wrong password costs). RQ: the orders' notifications and the SMS
answers those phases queued are worked through by a `simple` worker (every job in one long-lived process) and
by the Procfile's forking worker (a parent and one work horse per job); each reports its VmHWM. `--arena-max`
sets MALLOC_ARENA_MAX for the servers (glibc's per-thread malloc arenas are what threads cost in memory).
The last line is `ratio=target/peak`: 1.0 or more means every process stayed within the target.
"""
from __future__ import annotations

import argparse

from rq import Queue

from .figures import machine
from .load import Plan, measure
from .notifications import drain
from .orders import services_for
from .stack import Stack, peak_rss_mb

__all__ = ["main", "TARGET_MB"]

TARGET_MB = 150


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=12, help="seconds of each web load (default 12)")
    parser.add_argument("--sessions", type=int, default=32, help="concurrent sessions (default 32)")
    parser.add_argument("--worker-seconds", type=float, default=10,
                        help="how long each RQ worker kind works (default 10)")
    parser.add_argument("--arena-max", type=int, default=0, help="MALLOC_ARENA_MAX for the servers (0: unset)")
    return parser.parse_args()


def rss_now_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024


def reset_peak(pid: int) -> None:
    """Start a process's VmHWM again from its current RSS (Linux: "5" in /proc/PID/clear_refs)."""
    with open(f"/proc/{pid}/clear_refs", "w") as refs:
        refs.write("5")


def _peaks(stack: Stack, what: str) -> list[float]:
    peaks = [peak_rss_mb(pid) for pid in stack.web_workers()]
    print(f"web workers' peak RSS (VmHWM) {what}: " + ", ".join(f"{mb:.0f} MB" for mb in peaks))
    for pid in stack.web_workers():
        reset_peak(pid)
    return peaks


def staff_login_flow(n: int):
    """A browser opening the login form and posting an unknown name (a decoy password check)."""
    import re

    from .load import Step

    page = yield Step("login form", "/staff/login", {}, method="GET")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    yield Step("login", "/staff/login", {"csrf_token": token.group(1) if token else "", "username": f"bench-{n}",
                                         "password": "not the password"}, status=401)


def settled(stack: Stack, timeout: float = 20) -> None:
    """Wait until every web worker has finished booting: its RSS unchanged for a second."""
    import time

    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        now = [(pid, round(rss_now_mb(pid))) for pid in sorted(stack.web_workers())]
        if now == last:
            return
        last = now
        time.sleep(1)


def web_peaks(stack: Stack, args, env: dict) -> dict[str, list[float]]:
    base = stack.start_web(2, 4, **env)
    settled(stack)
    peaks = {"start-up": _peaks(stack, "after start-up")}
    for flow in ("bench.ussd:order_flow", "bench.sms:order_flow"):
        result = measure(Plan(flow, base, flow, args.sessions, args.seconds, 1.0))
        print(f"    load {flow}: {result.rate:.0f} requests/s, {result.errors} errors")
    peaks["USSD and SMS"] = _peaks(stack, "serving USSD and SMS")
    logins = measure(Plan("staff logins", base, "bench.memory:staff_login_flow", 8, 5, 0.5, own_cookies=True))
    print(f"    staff logins: {logins.rate:.1f} requests/s, {logins.errors} errors "
          + (logins.error_samples[0] if logins.errors else ""))
    peaks["staff logins"] = _peaks(stack, "serving 8 staff logins at once")
    return peaks


def rq_peaks(stack: Stack, args, env: dict) -> list[float]:
    from notifications import claim_outbox

    services = services_for(stack.database_url, stack.redis_url)
    outbox = claim_outbox(services.uow(), batch=10_000)
    Queue("default", connection=stack.redis()).enqueue_many(
        [Queue.prepare_data("jobs.notifications.handle_outbox", (i,)) for i in outbox])
    services.engine.dispose()
    print(f"queued: {len(outbox)} outbox rows to handle, {stack.redis().llen('rq:queue:high')} SMS to answer")
    peaks = []
    for worker in ("simple", "fork"):
        result = drain(stack, worker, args.worker_seconds, **env)
        line = ", ".join(f"{name.split('-')[0]} {mb:.0f} MB" for name, mb in _largest(result["rss"]).items())
        print(f"RQ {worker} worker, {result['jobs']} jobs: peak RSS (VmHWM) {line}")
        peaks += list(result["rss"].values())
    return peaks


def _largest(rss: dict) -> dict:
    """The largest VmHWM of each kind of process (the worker, its job processes)."""
    out = {}
    for name, mb in rss.items():
        kind = name.split("-")[0]
        out[kind] = max(out.get(kind, 0.0), mb)
    return out


def main() -> float:
    args = options()
    print(machine())
    env = {"MALLOC_ARENA_MAX": str(args.arena_max)} if args.arena_max else {}
    print(f"target {TARGET_MB} MB per process; " + (f"MALLOC_ARENA_MAX={args.arena_max}" if env else
                                                     "MALLOC_ARENA_MAX unset (glibc default)"))
    with Stack("memory") as stack:
        web = web_peaks(stack, args, env)
        rq = rq_peaks(stack, args, env)
    worst = max(max(values) for values in web.values())
    print("largest web peak: " + ", ".join(f"{what} {max(values):.0f} MB" for what, values in web.items())
          + f"; largest RQ peak {max(rq):.0f} MB (target <= {TARGET_MB} MB each)")
    worst = max(worst, max(rq))
    print(f"ratio={TARGET_MB / worst:.2f}")
    return TARGET_MB / worst


if __name__ == "__main__":
    main()
