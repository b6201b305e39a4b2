"""Closed-loop HTTP load from a separate process: N concurrent sessions, each replaying flows, for a bounded time.

A flow is a generator named "module:function" (so the spawned process can import it): called with the flow's
number, it yields `Step`s and receives each answer's text, so later steps may depend on earlier screens.
The load stops by itself: after `warmup + seconds`, or after `max_requests` requests, whichever comes first.
"""
from __future__ import annotations

import asyncio
import importlib
import itertools
import multiprocessing
import random
import time
from dataclasses import dataclass

from .figures import Phase

__all__ = ["Step", "Plan", "measure", "FlowBroken"]


@dataclass(frozen=True)
class Step:
    """One request of a flow: form-encoded POST (or a GET) to `path`; the answer must have `status` and start
    with `expect`."""

    label: str
    path: str
    form: dict
    expect: str = ""
    method: str = "POST"
    status: int = 200


class FlowBroken(Exception):
    """A flow got an answer it did not expect (raised inside a flow to abandon it)."""


@dataclass(frozen=True)
class Plan:
    name: str
    base_url: str
    flow: str
    sessions: int
    seconds: float
    warmup: float = 2.0
    think: float = 0.0  # mean pause between two steps of a session, seconds (0: back to back)
    max_requests: int = 500_000
    seed: int = 0
    own_cookies: bool = False  # each session its own cookie jar (a browser each), for forms with CSRF tokens
    stagger: float = 0.0  # sessions start at random moments within this many seconds, not all at once


def measure(plan: Plan) -> Phase:
    """Run a plan in a separate process and return what it measured."""
    ctx = multiprocessing.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_run, args=(plan, send), daemon=True)
    proc.start()
    send.close()
    if not receive.poll(plan.warmup + plan.seconds + 60):
        proc.kill()
        raise RuntimeError(f"load process for {plan.name} did not report in time")
    phase = receive.recv()
    proc.join(10)
    return phase


def _run(plan: Plan, send) -> None:
    send.send(asyncio.run(_load(plan)))
    send.close()


async def _load(plan: Plan) -> Phase:
    import aiohttp

    module, name = plan.flow.split(":")
    flow = getattr(importlib.import_module(module), name)
    clock = _Window(plan)
    phase = Phase(plan.name, plan.seconds)
    numbers = itertools.count(plan.seed)
    connector = aiohttp.TCPConnector(limit=plan.sessions, force_close=False)
    timeout = aiohttp.ClientTimeout(total=20)
    async with aiohttp.ClientSession(plan.base_url, connector=connector, timeout=timeout) as shared:
        await asyncio.gather(*(_browser(shared, flow, numbers, clock, phase, plan) for _ in range(plan.sessions)))
    return phase


async def _browser(shared, flow, numbers, clock, phase: Phase, plan: Plan) -> None:
    import aiohttp

    if not plan.own_cookies:
        return await _session(shared, flow, numbers, clock, phase, plan)
    # unsafe=True: keep cookies set by an IP address (127.0.0.1), which aiohttp's jar refuses by default.
    async with aiohttp.ClientSession(plan.base_url, connector=shared.connector, connector_owner=False,
                                     timeout=shared.timeout, cookie_jar=aiohttp.CookieJar(unsafe=True)) as own:
        await _session(own, flow, numbers, clock, phase, plan)


class _Window:
    """When measuring starts and stops, and whether a request may still start."""

    def __init__(self, plan: Plan):
        self.start = time.monotonic() + plan.warmup
        self.end = self.start + plan.seconds
        self.requests_left = plan.max_requests

    def open(self) -> bool:
        return time.monotonic() < self.end and self.requests_left > 0

    def counts(self, t0: float, t1: float) -> bool:
        return t0 >= self.start and t1 <= self.end


async def _session(http, flow, numbers, clock: _Window, phase: Phase, plan: Plan) -> None:
    rng = random.Random(next(numbers))
    # Sessions starting together would step in lockstep, in bursts no real traffic has.
    await asyncio.sleep(rng.uniform(0, plan.stagger))
    while clock.open():
        whole = await _one_flow(http, flow(next(numbers)), rng, clock, phase, plan)
        if whole and clock.counts(clock.start, time.monotonic()):
            phase.flows += 1


async def _one_flow(http, steps, rng, clock: _Window, phase: Phase, plan: Plan) -> bool:
    """Play one flow to its end (True), or until the time is up or an answer breaks it (False)."""
    index = 0
    try:
        step = next(steps)
        while clock.open():
            answer = await _send(http, step, index, clock, phase)
            index += 1
            if plan.think:
                await asyncio.sleep(rng.uniform(0.5, 1.5) * plan.think)
            step = steps.send(answer)
    except StopIteration:
        return True
    except FlowBroken as exc:
        phase.errors += 1
        _sample(phase, str(exc))
    return False


async def _send(http, step: Step, index: int, clock: _Window, phase: Phase) -> str:
    clock.requests_left -= 1
    phase.requests += 1
    t0 = time.monotonic()
    try:
        async with http.request(step.method, step.path, data=step.form or None) as response:
            body = await response.text()
            status = response.status
    except Exception as exc:  # a refused or timed-out request counts as an error, not a crash of the load
        raise FlowBroken(f"{step.label}: {type(exc).__name__} {exc}") from None
    t1 = time.monotonic()
    if status != step.status or not body.startswith(step.expect):
        raise FlowBroken(f"{step.label}: HTTP {status} {body[:160]!r}")
    if clock.counts(t0, t1):
        ms = (t1 - t0) * 1000
        phase.latencies_ms.append(ms)
        phase.by_step.setdefault(index, []).append(ms)
    return body


def _sample(phase: Phase, message: str) -> None:
    if len(phase.error_samples) < 5:
        phase.error_samples.append(message)
