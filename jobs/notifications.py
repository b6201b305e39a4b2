"""RQ jobs of the notifications package, the periodic work, and their wiring into the composition root.

Periodic work rides on RQ's scheduler (`rq worker --with-scheduler`): `tick` schedules the next tick first, then
enqueues whatever periodic job is due (a Redis key per job and time slot lets only one of several workers start
it). The worker class below restarts a broken chain at start-up and with RQ's maintenance (every 10 minutes).
The embedded default has no scheduler: a small thread ticks in-process instead.
"""
from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import redis
import rq
from sqlalchemy.orm import configure_mappers

import bootstrap
import notifications
from channels.registry import build_senders
from dialog.contacts import find_reach
from jobs import payments as payment_jobs
from jobs.conversations import resend_replies
from jobs.inbox import sweep_inbox
from jobs.retention import purge_personal_data
from jobs.whatsapp import sender_of
from notifications import Notifier
from notifications.orm import start_mappers
from orders_core.redaction import code_hash
from orders_core.services import expire_unpaid
from staff.lockout import LoginGuard

__all__ = [
    "dispatch_outbox", "handle_outbox", "send", "sweep", "agent_digests", "late_reports", "expire_orders",
    "expire_charges", "purge_history", "record_delivery_report", "tick", "run_due", "ensure_clock", "install", "notifier",
    "agent_commands", "PERIODIC", "Worker",
]

log = logging.getLogger(__name__)
CLOCK_KEY = "shubbak:periodic:clock"


def notifier(services) -> Notifier:
    """The process's Notifier, built on first use from the settings, the wired SMS senders, the WhatsApp sender
    and the dialog's contacts (who can be reached on WhatsApp, and since when)."""
    if "notifier" not in services.adapters:
        start_mappers()
        senders = services.adapters.setdefault("sms_senders", build_senders(services.settings))
        services.adapters["notifier"] = Notifier.from_settings(services.settings, services.catalogs, senders,
                                                               whatsapp=sender_of(services), reach=find_reach)
    return services.adapters["notifier"]


def agent_commands(services) -> notifications.AgentCommands:
    """The staff SMS router, `(inbound) -> Reply | None`, for the dialog engine's pre-router hook."""
    settings = services.settings
    zone = ZoneInfo(settings.timezone)
    return notifications.AgentCommands(services.uow, services.catalogs, AgentCodeProofs(services),
                                       lambda code: code_hash(settings.secret_key, code),
                                       lambda moment: moment.astimezone(zone).strftime("%H:%M"))


class AgentCodeProofs:
    """Agents who sent their right SMS code lately (for SHUBBAK_AGENT_CODE_HOURS), and wrong codes counted with the
    staff login's lock-out rules, in Redis so that every worker sees them."""

    def __init__(self, services):
        settings = services.settings
        self.redis, self.clock, self.seconds = services.redis, services.clock, settings.agent_code_hours * 3600
        self.guard = LoginGuard(services.redis, services.clock, settings.staff_lockout_failures,
                                settings.staff_lockout_minutes, address="sms")

    def proven(self, user_id: int) -> bool:
        until = self.redis.get(f"shubbak:agent:proven:{user_id}")
        return until is not None and float(until) > self.clock().timestamp()

    def open(self, user_id: int) -> datetime:
        until = self.clock().timestamp() + self.seconds
        self.redis.set(f"shubbak:agent:proven:{user_id}", until, ex=self.seconds + 60)
        self.guard.succeeded(f"sms-code:{user_id}")
        return datetime.fromtimestamp(until, timezone.utc)

    def locked(self, user_id: int) -> bool:
        return self.guard.locked_until(f"sms-code:{user_id}") is not None

    def failed(self, user_id: int) -> None:
        self.guard.failed(f"sms-code:{user_id}")


def _send_each(services, message_ids) -> int:
    for message_id in message_ids:
        services.enqueue(send, message_id)
    return len(message_ids)


def dispatch_outbox() -> int:
    """Claim new outbox rows and enqueue one handling job per row."""
    services = bootstrap.current()
    claimed = notifications.claim_outbox(services.uow())
    for outbox_id in claimed:
        services.enqueue(handle_outbox, outbox_id)
    return len(claimed)


def handle_outbox(outbox_id: int) -> int:
    """Plan and store the messages of one outbox row, then send those due now in this same job: one job per
    notification (a `send` job each cost RQ as much again as the sending itself). A message stored but not sent
    because this job died is due and marked enqueued: the sweeper hands it to a `send` job once it is stale."""
    services = bootstrap.current()
    return notifications.deliver_outbox(services.uow(), notifier(services), outbox_id)


def send(message_id: int) -> str:
    services = bootstrap.current()
    return notifications.send_notification(services.uow(), notifier(services), message_id)


def sweep() -> int:
    """Re-enqueue stuck outbox rows and due messages (retries, the morning after quiet hours, dead workers)."""
    services = bootstrap.current()
    swept = notifications.sweep(services.uow(), notifier(services))
    for outbox_id in swept.outbox_ids:
        services.enqueue(handle_outbox, outbox_id)
    return len(swept.outbox_ids) + _send_each(services, swept.message_ids)


def agent_digests() -> int:
    services = bootstrap.current()
    return _send_each(services, notifications.agent_digests(services.uow(), notifier(services)))


def late_reports() -> int:
    services = bootstrap.current()
    return _send_each(services, notifications.late_reports(services.uow(), notifier(services)))


def expire_orders() -> int:
    return expire_unpaid(bootstrap.current().uow())


def record_delivery_report(provider: str, provider_message_id: str, status: str, detail: str | None = None,
                           outcome: str | None = None) -> bool:
    """The channels' delivery-report hook: add a provider's report to the message's history (`outcome`: what its
    error code means, channels.delivery.Outcome)."""
    services = bootstrap.current()
    return notifications.record_status(services.uow(), notifier(services), provider, provider_message_id, status,
                                       detail, outcome)


def expire_charges() -> int:
    """The payments package's charge expiry (premium charges with no final report), on this clock."""
    return payment_jobs.expire_charges()


def purge_history() -> int:
    """Delete outbox rows and messages older than the retention period (notify_retention_days; 0 keeps all)."""
    services = bootstrap.current()
    days = services.settings.notify_retention_days
    if days <= 0:
        return 0
    purged = notifications.purge_settled(services.uow(), timedelta(days=days))
    return purged.outbox + purged.messages


# Periodic work: (job, at most once every N seconds, queue).
PERIODIC = (
    (dispatch_outbox, 1, "default"),
    (sweep, 5, "default"),
    (agent_digests, 60, "default"),
    (late_reports, 600, "low"),
    (expire_orders, 300, "low"),
    (expire_charges, 300, "low"),
    (sweep_inbox, 15, "default"),  # callbacks stored and acknowledged whose job was lost
    (resend_replies, 60, "default"),  # SMS replies recorded whose sending job was lost
    (purge_personal_data, 3600, "low"),  # message texts, inbox rows and transcripts past SHUBBAK_RETENTION_DAYS
    (purge_history, 3600, "low"),  # each run deletes a bounded number of rows; the next carries on
)


def run_due(services) -> list[str]:
    """Enqueue each periodic job whose time slot no other process has started yet."""
    now, started = time.time(), []
    for job, every, queue in PERIODIC:
        slot = int(now // every)
        if services.redis.set(f"shubbak:periodic:{job.__name__}:{slot}", 1, nx=True, ex=every * 2 + 5):
            services.enqueue(job, queue=queue, result_ttl=0, failure_ttl=24 * 3600)
            started.append(job.__name__)
    return started


def tick() -> list[str]:
    """One beat of the periodic clock: schedule the next beat first (a death here must not end the chain)."""
    services = bootstrap.current()
    _schedule_tick(services.redis, services.settings.notify_tick_seconds)
    return run_due(services)


def _schedule_tick(connection, every: int, delay: int | None = None) -> None:
    at = datetime.now(timezone.utc) + timedelta(seconds=every if delay is None else delay)
    slot = int(at.timestamp() // every)
    # One job id per slot: two chains (after a restart raced a live one) fold into one.
    rq.Queue("high", connection=connection).enqueue_at(at, tick, job_id=f"shubbak-tick-{slot}", result_ttl=0,
                                                       failure_ttl=3600)
    connection.set(CLOCK_KEY, slot, ex=every * 3 + 60)


def ensure_clock(connection, every: int) -> bool:
    """Start the tick chain unless a live one has ticked lately; True when this call started it."""
    if every <= 0 or not connection.set(CLOCK_KEY, "starting", nx=True, ex=every * 3 + 60):
        return False
    _schedule_tick(connection, every, delay=0)
    log.info("periodic clock started (every %d s)", every)
    return True


class Worker(rq.SimpleWorker):
    """`rq worker --worker-class jobs.notifications.Worker`: runs each job in the worker process itself, with the
    composition root (imports, engine and its connection pool, catalogs, senders, notifier) built once, and keeps
    the tick alive.

    Not RQ's default forking worker: a work horse per job rebuilt or re-connected all of that for every job
    (bench.notifications: ×3 to ×20 slower). Nothing is lost by not forking: a job's timeout still stops it
    (RQ's signal-based death penalty runs in this main thread), and a worker that dies mid-job leaves its
    message `sending` under a lease that the sweeper takes back, as it would for a dead work horse.
    """

    def work(self, *args, **kwargs):
        services = bootstrap.current()
        notifier(services)
        # Warm before the first job rather than in it: the mappers configured, one pooled connection open.
        configure_mappers()
        with services.engine.connect():
            pass
        return super().work(*args, **kwargs)

    def run_maintenance_tasks(self):
        super().run_maintenance_tasks()
        try:
            ensure_clock(self.connection, bootstrap.current().settings.notify_tick_seconds)
        except redis.RedisError as exc:
            log.warning("could not check the periodic clock: %s", type(exc).__name__)


class EmbeddedClock(threading.Thread):
    """The embedded default's stand-in for the RQ scheduler's tick: enqueues the due periodic work in-process."""

    def __init__(self, services, every: int):
        super().__init__(name="shubbak-periodic-clock", daemon=True)
        self.services, self.every = services, every

    def run(self) -> None:
        while True:
            time.sleep(self.every)
            try:
                run_due(self.services)
            except Exception:  # keep ticking; the failing job is recorded by RQ or logged here
                log.exception("periodic clock failed a tick")


def install(services) -> None:
    """Wire notifications into a newly built composition root (one line in bootstrap.build)."""
    start_mappers()
    every = services.settings.notify_tick_seconds
    if every <= 0 or services.settings.env == "test":
        return
    if services.settings.embedded_redis:
        EmbeddedClock(services, every).start()
        return
    try:
        ensure_clock(services.redis, every)
    except redis.RedisError as exc:
        log.warning("could not start the periodic clock: %s", type(exc).__name__)
