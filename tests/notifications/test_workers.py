"""Real Redis, real worker processes (the service's worker class, forking per job, with RQ's scheduler):
nothing lost, nothing sent twice, even with `kill -9`."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
import rq

from jobs import notifications as jobs
from orders_core.services import place_order
from tests.notifications.conftest import messages
from web.demo import draft

pytestmark = [pytest.mark.redis, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
LEASE = 2


class Workers:
    """Starts worker processes for one test and makes sure none outlives it."""

    def __init__(self, settings, tmp_path: Path):
        self.settings, self.tmp_path, self.running = settings, tmp_path, []
        self.log = tmp_path / "providers.jsonl"
        # The Redis database the workers listen on (the session's own number, taken from the settings).
        self.redis = redis.Redis.from_url(settings.redis_url)
        self.redis.flushdb()

    def enqueue(self, func, *args) -> None:
        rq.Queue("default", connection=self.redis).enqueue(func, *args)

    def start(self, scripts: dict, tick: int = 1) -> subprocess.Popen:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": self.settings.database_url,
               "REDIS_URL": self.settings.redis_url, "SHUBBAK_SMS_PROVIDERS": "africastalking,twilio",
               "SHUBBAK_NOTIFY_RETRY_DELAYS": "1,1", "SHUBBAK_NOTIFY_SEND_LEASE_SECONDS": str(LEASE),
               "SHUBBAK_NOTIFY_TICK_SECONDS": str(tick), "SHUBBAK_QUIET_HOURS": "",
               "SHUBBAK_INSTANCE_PATH": str(self.tmp_path),
               "NOTIFY_TEST_SENDERS": json.dumps(scripts), "NOTIFY_TEST_LOG": str(self.log)}
        with (self.tmp_path / f"worker-{len(self.running)}.log").open("w") as output:
            # A session of its own: `kill -9` then takes the worker and the work horse it forked, as a crash would.
            process = subprocess.Popen([sys.executable, "-m", "tests.notifications.worker_process"], cwd=ROOT,
                                       env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
        self.running.append(process)
        return process

    def kill(self, process: subprocess.Popen) -> None:
        """`kill -9` the worker and the work horse it forked (RQ puts horses in a session of their own), as when
        the machine or container running them dies."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        for pid in self._horses():
            os.kill(pid, signal.SIGKILL)

    def _horses(self) -> set[int]:
        """Work horses of this test still alive: the processes that called a provider, still running our code."""
        pids = {line["pid"] for line in self.entries("call")}
        return {pid for pid in pids if _runs_worker_process(pid)}

    def stop_all(self) -> None:
        for process in self.running:
            if process.poll() is None:
                self.kill(process)
        for pid in self._horses():
            os.kill(pid, signal.SIGKILL)
        self.redis.close()

    def entries(self, event: str) -> list[dict]:
        if not self.log.exists():
            return []
        lines = [json.loads(line) for line in self.log.read_text(encoding="utf-8").splitlines()]
        return [line for line in lines if line["event"] == event]

    def output(self) -> str:
        return "\n".join(path.read_text() for path in sorted(self.tmp_path.glob("worker-*.log")))


def _runs_worker_process(pid: int) -> bool:
    try:
        return b"tests.notifications.worker_process" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


@pytest.fixture
def workers(services, tmp_path):
    started = Workers(services.settings, tmp_path)
    yield started
    started.stop_all()


def wait_until(check, workers, seconds: float = 45, what: str = "the workers to get there"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}; worker output:\n{workers.output()[-4000:]}")


def the_message(services):
    found = messages(services)
    return found[0] if len(found) == 1 else None


def test_a_worker_killed_in_the_middle_of_a_send_leaves_the_message_sent_exactly_once(services, workers):
    place_order(services.uow(), services.settings.prices, draft())
    first = workers.start({"africastalking": ["pause", "ok"]}, tick=0)
    workers.enqueue(jobs.dispatch_outbox)
    wait_until(lambda: workers.entries("paused"), workers, what="the provider call to hang")
    workers.kill(first)
    assert the_message(services).status == "sending" and workers.entries("accepted") == []

    workers.start({"africastalking": ["pause", "ok"]}, tick=0)
    time.sleep(LEASE + 0.5)  # the dead worker's lease runs out
    workers.enqueue(jobs.sweep)
    sent = wait_until(lambda: (m := the_message(services)) and m.status == "sent" and m, workers,
                      what="the message to be sent again")
    workers.enqueue(jobs.sweep)  # a late sweep and a duplicate job change nothing
    workers.enqueue(jobs.send, sent.id)
    time.sleep(3)
    accepted = workers.entries("accepted")
    assert len(accepted) == 1 and accepted[0]["id"] == the_message(services).provider_message_id
    assert [e.status for e in the_message(services).events] == ["pending", "sending", "abandoned", "sending", "sent"]


def test_a_provider_answering_500_then_200_sends_once_after_a_retry(services, workers):
    place_order(services.uow(), services.settings.prices, draft())
    workers.start({"africastalking": ["retry", "ok"]})
    sent = wait_until(lambda: (m := the_message(services)) and m.status == "sent" and m, workers,
                      what="the retried send")
    assert [line["outcome"] for line in workers.entries("call")] == ["retry", "ok"]
    assert len(workers.entries("accepted")) == 1 and (sent.attempts, sent.provider) == (2, "africastalking")


def test_a_provider_failing_every_time_hands_over_to_the_other_provider(services, workers):
    place_order(services.uow(), services.settings.prices, draft())
    workers.start({"africastalking": ["retry"], "twilio": ["ok"]})
    sent = wait_until(lambda: (m := the_message(services)) and m.status == "sent" and m, workers, seconds=60,
                      what="the failover")
    calls = [line["provider"] for line in workers.entries("call")]
    assert calls == ["africastalking"] * 3 + ["twilio"]  # one try and two retries, then the other provider
    assert sent.provider == "twilio" and len(workers.entries("accepted")) == 1


def test_a_permanent_error_is_recorded_and_never_retried(services, workers):
    place_order(services.uow(), services.settings.prices, draft())
    workers.start({"africastalking": ["permanent"], "twilio": ["ok"]})
    failed = wait_until(lambda: (m := the_message(services)) and m.status == "failed" and m, workers,
                        what="the refusal to be recorded")
    time.sleep(7)  # more than a sweep: nobody tries again
    assert failed.last_error == "invalid destination"
    assert [line["provider"] for line in workers.entries("call")] == ["africastalking"]
    assert the_message(services).status == "failed"
