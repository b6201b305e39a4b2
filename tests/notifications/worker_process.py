"""A real RQ worker process for the tests: the service's own wiring and worker class, with file-backed fake
providers in place of Africa's Talking and Twilio.

Run as `python -m tests.notifications.worker_process` with DATABASE_URL, REDIS_URL and SHUBBAK_* set, plus
NOTIFY_TEST_SENDERS (JSON: provider -> script of outcomes) and NOTIFY_TEST_LOG (a JSON-lines file).
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import bootstrap
from channels.senders import SendError, SendResult
from jobs.worker import Worker
from settings import Settings
from texts import count

PAUSE_SECONDS = 60


class FileSender:
    """A provider whose every call is appended to a shared file, so outcomes survive a killed process.

    Outcomes: "ok" (accepted), "retry" (an HTTP 500), "permanent" (refused), "pause" (hang, then accept: a
    process killed during the pause never got the provider's acceptance). The n-th call of a provider, across
    every process, takes the n-th outcome of its script; the last one repeats.
    """

    def __init__(self, name: str, script: list[str], log: Path):
        self.name, self.script, self.log = name, script, log

    def _write(self, **entry) -> None:
        with self.log.open("a", encoding="utf-8") as out:
            out.write(json.dumps({"provider": self.name, "pid": os.getpid(), **entry}) + "\n")
            out.flush()
            os.fsync(out.fileno())

    def _calls(self) -> int:
        if not self.log.exists():
            return 0
        lines = [json.loads(line) for line in self.log.read_text(encoding="utf-8").splitlines()]
        return sum(1 for line in lines if line["provider"] == self.name and line["event"] == "call")

    def send(self, to: str, text: str) -> SendResult:
        outcome = self.script[min(self._calls(), len(self.script) - 1)]
        self._write(event="call", outcome=outcome, text=text)
        if outcome == "retry":
            raise SendError(self.name, "HTTP 500", retryable=True)
        if outcome == "permanent":
            raise SendError(self.name, "invalid destination", retryable=False)
        if outcome == "pause":
            self._write(event="paused", text=text)
            time.sleep(PAUSE_SECONDS)
        message_id = f"{self.name}-{os.getpid()}-{time.monotonic_ns()}"
        self._write(event="accepted", id=message_id, text=text)
        return SendResult(self.name, message_id, "sent", count(text).segments)


def main() -> None:
    log = Path(os.environ["NOTIFY_TEST_LOG"])
    scripts = json.loads(os.environ["NOTIFY_TEST_SENDERS"])
    services = bootstrap.build(Settings.from_env(),
                               sms_senders={name: FileSender(name, script, log) for name, script in scripts.items()})
    bootstrap.install(services)
    # The forked work horses inherit these services, fake providers included.
    Worker(["high", "default", "low"], connection=services.redis).work(with_scheduler=True)


if __name__ == "__main__":
    main()
