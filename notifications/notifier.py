"""What the notification functions need from outside: texts, senders, and the rules read from settings."""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta

from channels.senders import Sender
from texts import Catalogs

from .model import RetryPlan
from .policy import QuietHours

__all__ = ["Notifier"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notifier:
    """The notifications package's ports and rules, built once from settings by the composition root."""

    catalogs: Catalogs
    senders: Mapping[str, Sender]
    plan: RetryPlan
    quiet: QuietHours
    short_code: str = "1919"
    stuck: timedelta = timedelta(minutes=5)
    digest_spacing: timedelta = timedelta(minutes=15)
    late_report_at: time = time(8, 30)
    # WhatsApp for citizens: the sender (send, send_template), `reach(uow, contact)` -> the contact's WhatsApp
    # address and last message time (None: SMS only), and the approved templates by "kind.lang".
    whatsapp: object | None = None
    reach: Callable | None = None
    templates: Mapping = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings, catalogs: Catalogs, senders: Mapping[str, Sender], whatsapp=None,
                      reach: Callable | None = None) -> "Notifier":
        """Read the notification settings; providers are tried in the configured order, among those wired."""
        providers = tuple(p for p in settings.sms_providers if p in senders)
        unknown = sorted(set(settings.sms_providers) - set(senders))
        if unknown:
            log.warning("SMS providers configured but not wired, skipped: %s", ", ".join(unknown))
        plan = RetryPlan(providers, tuple(int(d) for d in settings.notify_retry_delays),
                         timedelta(seconds=settings.notify_send_lease_seconds))
        return cls(catalogs, senders, plan, QuietHours.parse(settings.quiet_hours, settings.timezone),
                   settings.at_short_code, timedelta(seconds=settings.notify_stuck_seconds),
                   timedelta(minutes=settings.agent_digest_minutes), time.fromisoformat(settings.late_report_at),
                   whatsapp, reach if whatsapp is not None else None, dict(settings.twilio_templates))
