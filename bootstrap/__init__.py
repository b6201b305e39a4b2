"""The composition root: builds the database, Redis, queues and every adapter from Settings, once per process.

The one place that wires. `build(settings)` makes a typed `Services` eagerly: the SMS senders of the channel
registry, the WhatsApp sender, the premium biller, the understanding, the dialog (its routers and flows) and the
notifier. It imports nothing from `jobs/` (an import contract says so): where the dialog must queue a job (bill a
charge), it names the job by its dotted path. Entry points (web views, RQ jobs, the CLI) take what they need from
`current()` or the app's `extensions["shubbak"]`, and build nothing themselves.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Callable, Mapping
from zoneinfo import ZoneInfo

import fakeredis
import redis
import requests
from rq import Queue, Retry, SimpleWorker
from rq.timeouts import TimerDeathPenalty
from sqlalchemy import text
from sqlalchemy.orm import configure_mappers

from channels import ussd
from channels.handset import Handset, HandsetSms, HandsetWhatsApp
from channels import registry as providers
from channels.registry import senders as registry_senders
from channels.senders import Sender
from channels.whatsapp import ConsoleWhatsApp, WhatsAppSender
from dialog import Dialog, Ports, SessionStore, Surface, embedded_nlu, registry, understanding
from dialog.agent_commands import AgentCodeProofs, AgentCommands
from dialog.contacts import chosen_language, find_reach
from dialog.flows.pay import PaymentPorts
from dialog.nlu import calibration
from dialog.nlu_client import NluClient
from dialog.ports import Understand
from notifications import Notifier
from notifications.opting import OptOutKeywords
from notifications.orm import start_mappers as map_notifications
from orders_core.clock import utcnow
from orders_core.db import make_engine, make_session_factory
from orders_core.redaction import code_hash
from orders_core.uow import UnitOfWork
from payments_sms import short_codes
from payments_sms.orm import start_mappers as map_payments
from payments_sms.sandbox import SandboxPremiumBiller
from payments_sms.senders import PremiumSender
from payments_sms.wiring import lockout_policy, sender_for
from settings import Settings
from staff.lockout import LoginGuard
from texts import Catalogs

__all__ = ["Services", "build", "wire", "current", "install", "surfaces", "understanding_of", "agent_commands",
           "sandbox_biller", "post_webhook", "QUEUES",
           "BILL_RETRY", "USSD_SECONDS", "CHAT_SECONDS"]

log = logging.getLogger(__name__)
QUEUES = ("high", "default", "low")  # replies to citizens first, notifications next, reports last
USSD_SECONDS = 300  # Africa's Talking closes a session after 180 s; a late step still finds it
CHAT_SECONDS = 30 * 60  # SMS and WhatsApp: a conversation idle for 30 minutes starts again
BILL_RETRY = Retry(max=3, interval=[60, 300, 900])  # provider unreachable: nothing was billed, try again
SANDBOX_REPORT_PATH = "/webhooks/africastalking/sms/delivery"
BILL_JOB = "jobs.payments.bill_charge"  # by name: the root imports no job module
_current: "Services | None" = None
_lock = threading.Lock()
_UNSET: Any = object()


@dataclass
class Services:
    """What entry points (web views, RQ jobs, CLI) need, wired once by `build`."""

    settings: Settings
    engine: Any  # sqlalchemy.Engine
    session_factory: Any  # sqlalchemy.orm.sessionmaker
    redis: redis.Redis
    catalogs: Catalogs
    clock: Callable[[], datetime] = utcnow
    sms_senders: dict[str, Sender] = field(default_factory=dict)  # by name (channels.registry)
    whatsapp_sender: Any = None  # channels.whatsapp.WhatsAppSender, or a stand-in recording what it sends
    premium_biller: PremiumSender | None = None
    understand: Understand | None = None  # free text on SMS and WhatsApp (never USSD); None: keywords only
    agent_commands: AgentCommands | None = None
    dialog: Dialog | None = None
    notifier: Notifier | None = None
    surfaces: Mapping[str, Surface] = field(default_factory=dict)  # by channel
    handset: Handset | None = None  # the simulated phones' messages (the simulator's, when it is on)
    web_app: Any = None  # the web process's Flask app: the sandbox posts provider reports through it
    _worker: "InProcessWorker | None" = None

    def uow(self) -> UnitOfWork:
        """A fresh unit of work: one per request or job, never shared."""
        return UnitOfWork(self.session_factory, self.clock)

    def queue(self, name: str = "default") -> Queue:
        return Queue(name, connection=self.redis, is_async=True)

    def enqueue(self, func, *args, queue: str = "default", **options):
        """Put a job (a function, or its dotted path) on a queue; in the embedded default an in-process worker
        picks it up."""
        job = self.queue(queue).enqueue(func, *args, **options)
        if self._worker:
            self._worker.wake()
        return job

    def drain(self) -> None:
        """Run every queued job now, in this thread (tests and the embedded default)."""
        ThreadWorker([self.queue(n) for n in QUEUES], connection=self.redis).work(burst=True, with_scheduler=False)

    def warm(self) -> None:
        """Before a worker's first job rather than in it: the mappers configured, one pooled connection open, and
        the embedded classifier built (a few seconds) where free text is understood, so that no citizen's first
        free-text message waits for it."""
        configure_mappers()
        with self.engine.connect():
            pass
        if self.understand is not None:
            embedded_nlu.shared().model()

    def health(self) -> dict:
        """The state of the database and Redis, for /healthz."""
        return {"database": _check(self._ping_database), "redis": _check(self.redis.ping)}

    def _ping_database(self):
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def start_inprocess_worker(self) -> None:
        if self.settings.embedded_redis and self._worker is None:
            self._worker = InProcessWorker(self)
            self._worker.start()


def _check(probe) -> str:
    try:
        probe()
        return "ok"
    except Exception as exc:  # a health check reports any failure rather than raising it
        log.warning("health check failed: %s", type(exc).__name__)
        return "down"


class ThreadWorker(SimpleWorker):
    """An RQ worker that may run outside the main thread: signals stay with the process's main thread."""

    death_penalty_class = TimerDeathPenalty  # job timeouts by timer, not SIGALRM (which needs the main thread)

    def _install_signal_handlers(self):
        pass


class InProcessWorker(threading.Thread):
    """The embedded default's stand-in for `rq worker`: drains the queues whenever a job arrives."""

    def __init__(self, services: Services):
        super().__init__(name="shubbak-inprocess-worker", daemon=True)
        self.services = services
        self._event = threading.Event()

    def wake(self) -> None:
        self._event.set()

    def run(self) -> None:
        while True:
            self._event.wait(timeout=5)
            self._event.clear()
            try:
                self.services.drain()
            except Exception:  # keep the embedded worker alive; the job's failure is recorded by RQ
                log.exception("in-process worker failed a drain")


_FAKE_SERVER = fakeredis.FakeServer()


def _redis(settings: Settings) -> redis.Redis:
    if settings.embedded_redis:
        return fakeredis.FakeRedis(server=_FAKE_SERVER)
    return redis.Redis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=2,
                                health_check_interval=30)


def build(settings: Settings, clock: Callable[[], datetime] = utcnow, *, engine=None, redis_client=None,
          understand: Understand | None = _UNSET, **parts) -> Services:
    """Wire the services for these settings; `engine`, `redis_client`, `understand` and any piece of `wire` may be
    given instead (tests)."""
    engine = engine or make_engine(settings.database_url, settings.db_prepare_threshold)
    services = Services(settings, engine, make_session_factory(engine), redis_client or _redis(settings),
                        Catalogs.load(), clock)
    services.understand = understanding_of(settings) if understand is _UNSET else understand
    return wire(services, **parts)


def wire(services: Services, *, fresh: bool = False, routers: list | None = None, flows: tuple = (),
         **parts) -> Services:
    """Give `services` these pieces, build the pieces it lacks (all of them when `fresh`: after its settings
    changed) and build again those made of others (the notifier, the dialog) unless given. `routers` go before the
    default ones, `flows` beside the default ones. The understanding is kept unless given."""
    unknown = set(parts) - _PIECES
    if unknown:
        raise TypeError(f"not a piece of the composition root: {sorted(unknown)!r}")
    map_notifications()
    map_payments()
    for name, value in parts.items():
        setattr(services, name, value)
    for name, make in _LEAVES:
        if name not in parts and (fresh or not getattr(services, name)):
            setattr(services, name, make(services))
    if "notifier" not in parts:
        services.notifier = _notifier(services)
    if "dialog" not in parts:
        services.dialog = _dialog(services, routers or [], flows)
    return services


def _sandboxed(services: Services) -> bool:
    # A sandbox that "bills" premium SMS would let orders be paid for nothing: only where the simulator is on
    # (SHUBBAK_SIMULATOR, which `./dev run` sets; never in production).
    return services.settings.simulator_enabled


def _sms_senders(services: Services) -> dict[str, Sender]:
    senders = registry_senders(services.settings)
    if _sandboxed(services) and "console" in senders:
        senders["console"] = HandsetSms(services.handset)
    return senders


def _whatsapp_sender(services: Services):
    """Twilio's when configured, else the simulated phones', else one that records and logs (embedded default)."""
    made = WhatsAppSender.from_settings(services.settings)
    if made is not None:
        return made
    return HandsetWhatsApp(services.handset) if _sandboxed(services) else ConsoleWhatsApp()


def _premium_biller(services: Services) -> PremiumSender:
    made = sender_for(services.settings, providers.premium_billers())
    if _sandboxed(services) and made.name == "console":
        return sandbox_biller(services)
    return made


def sandbox_biller(services: Services, report_delay: float = 2.0) -> SandboxPremiumBiller:
    """Premium SMS billed by a sandbox whose reports come back through our own webhook, each billed SMS shown on
    the simulated phone: where the simulator is on and no biller is configured. Never in production."""
    handset = services.handset
    return SandboxPremiumBiller(lambda form: post_webhook(services, SANDBOX_REPORT_PATH, form), services.redis,
                                lambda to, text, mid: handset.record(to, "sms", "out", "premium", text, mid),
                                delay=report_delay)


def post_webhook(services: Services, path: str, form: dict, headers: dict | None = None) -> int:
    """Post a provider's callback to our own webhook, with the URL key when keys are configured: in-process in
    the web process, over HTTP to the public base URL from a separate worker. The HTTP status."""
    keys = services.settings.at_webhook_keys
    if keys and "africastalking" in path:
        path += ("&" if "?" in path else "?") + "key=" + keys[0]
    if services.web_app is not None:
        # The test client runs the real request pipeline in this process: no socket, no port to know.
        return services.web_app.test_client().post(path, data=form, headers=headers or {}).status_code
    url = services.settings.public_base_url.rstrip("/") + path
    return requests.post(url, data=form, headers=headers or {}, timeout=10).status_code


def agent_commands(services: Services) -> AgentCommands:
    """The staff SMS router: agents act on orders by SMS from their registered number, once their code proven."""
    settings = services.settings
    zone = ZoneInfo(settings.timezone)
    guard = LoginGuard(services.redis, services.clock, settings.staff_lockout_failures,
                       settings.staff_lockout_minutes, address="sms")
    proofs = AgentCodeProofs(services.redis, services.clock, settings.agent_code_hours * 3600, guard)
    return AgentCommands(services.uow, services.catalogs, proofs, lambda code: code_hash(settings.secret_key, code),
                         lambda moment: moment.astimezone(zone).strftime("%H:%M"))


def _notifier(services: Services) -> Notifier:
    """From the settings, the SMS senders, the WhatsApp sender and the dialog's contacts (who can be reached on
    WhatsApp, and since when)."""
    return Notifier.from_settings(services.settings, services.catalogs, services.sms_senders,
                                  whatsapp=services.whatsapp_sender, reach=find_reach)


def _dialog(services: Services, routers: list, flows: tuple) -> Dialog:
    settings = services.settings
    ports = Ports(services.uow, settings.prices, services.catalogs, services.clock, settings.at_short_code,
                  _payment_ports(services))
    # STOP / START first: they must work in any conversation state, an agent's included.
    opt_outs = OptOutKeywords(services.uow, services.catalogs, lambda contact: chosen_language(services.uow(), contact))
    extra = list(flows)
    if services.understand is not None:
        extra += understanding.flows(services.understand)
    return Dialog(ports, SessionStore(services.redis), registry(extra), [*routers, opt_outs, services.agent_commands],
                  services.understand)


def _payment_ports(services: Services) -> PaymentPorts:
    """What the pay flow needs: premium SMS on the configured short codes, prepaid cards, billing by a job."""
    settings, codes = services.settings, short_codes(services.settings)
    default = settings.at_short_code if settings.at_short_code in codes else next(iter(codes))
    bill = lambda charge_id: services.enqueue(BILL_JOB, charge_id, queue="high", retry=BILL_RETRY)  # noqa: E731
    return PaymentPorts(settings.card_pin_secret, lockout_policy(settings), codes, default, bill, settings.timezone)


def surfaces(size=ussd.DEFAULT_SIZE) -> dict[str, Surface]:
    """How each channel shows replies: USSD screens of this size (SHUBBAK_USSD_*), SMS and WhatsApp chats."""
    ussd_surface = Surface("ussd", pager=ussd.screens, must_answer=True, free_text=False, per_session=True,
                           session_seconds=USSD_SECONDS, latin_until_chosen=True, answers_by_sms=True)
    if size != ussd.DEFAULT_SIZE:
        ussd_surface = replace(ussd_surface, pager=lambda reply, more: ussd.screens(reply, more, size))
    return {"ussd": ussd_surface,
            "sms": Surface("sms", session_seconds=CHAT_SECONDS, answers_by_sms=True, billed_replies=True),
            "whatsapp": Surface("whatsapp", session_seconds=CHAT_SECONDS)}


def understanding_of(settings: Settings) -> Understand:
    """Rasa when SHUBBAK_NLU_URL is set, the embedded classifier answering while it is down; else the embedded one
    alone (its model built when a worker starts, or at the first free text an embedded process sees)."""
    embedded = understanding.understand_with(embedded_nlu.shared().parse, calibration.EMBEDDED_ACCEPT)
    if not settings.nlu_url:
        return embedded
    client = NluClient(settings.nlu_url, timeout=settings.nlu_timeout)
    return understanding.understand_with(client.parse, calibration.RASA_ACCEPT, fallback=embedded)


# Piece -> its builder, in the order a piece's builder may read the pieces before it.
_LEAVES = (
    ("surfaces", lambda services: surfaces(services.settings.ussd_size)),
    ("handset", lambda services: Handset(services.engine, services.clock)),
    ("sms_senders", _sms_senders),
    ("whatsapp_sender", _whatsapp_sender),
    ("premium_biller", _premium_biller),
    ("agent_commands", agent_commands),
)
_PIECES = {name for name, _ in _LEAVES} | {"understand", "notifier", "dialog", "web_app"}


def install(services: Services) -> Services:
    """Make `services` the process's composition root (what RQ jobs use)."""
    global _current
    _current = services
    return services


def current() -> Services:
    """The process's composition root, built from the environment on first use (in an RQ worker)."""
    global _current
    with _lock:
        if _current is None:
            _current = build(Settings.from_env())
        return _current
