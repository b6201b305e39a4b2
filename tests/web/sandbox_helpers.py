"""The embedded default's wiring for simulator tests: the sandbox in place of the console adapters, wired as
bootstrap.build wires them, and a worker thread standing in for `rq worker` and its tick."""
from __future__ import annotations

import threading
import time
from dataclasses import replace

import bootstrap
from jobs import notifications as notification_jobs

__all__ = ["wire_sandbox", "BackgroundWorker", "wait_for"]


def wire_sandbox(services, report_delay: float = 0.2):
    """What bootstrap.build wires for the embedded default with the simulator on, on the test's services."""
    services.settings = replace(services.settings, simulator="1")  # the opt-in flag (SHUBBAK_SIMULATOR=1)
    # The settings changed: every piece again, the simulated phones in place of the console ones.
    bootstrap.wire(services, fresh=True, understand=bootstrap.understanding_of(services.settings))
    return bootstrap.wire(services, premium_biller=bootstrap.sandbox_biller(services, report_delay))


class BackgroundWorker(threading.Thread):
    """Runs queued jobs and hands the outbox over, every `every` seconds, until stopped."""

    def __init__(self, services, every: float = 0.25):
        super().__init__(name="simulator-test-worker", daemon=True)
        self.services, self.every, self.stopped = services, every, threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.every):
            self.services.enqueue(notification_jobs.dispatch_outbox)
            self.services.drain()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=10)


def wait_for(condition, seconds: float = 20, every: float = 0.1):
    """The first true value of `condition()` within `seconds` (else the last value, false)."""
    deadline, value = time.monotonic() + seconds, None
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    return value
