"""A notification: one message to one person, from planned to delivered, with its status history."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

__all__ = ["Notification", "NotificationEvent", "AgentNotice", "Planned", "Status", "Audience", "RetryPlan",
           "WHATSAPP"]

# The provider of a citizen message going on WhatsApp (free-form or template, decided at each send). The SMS
# providers of the retry plan come after it: a message WhatsApp cannot carry fails over to SMS.
WHATSAPP = "whatsapp"


def _same(moment: datetime) -> datetime:
    return moment


class Status:
    PENDING = "pending"          # waiting to be sent (now, after a retry delay, or after quiet hours)
    SENDING = "sending"          # claimed by a send job; the lease says until when the claim holds
    SENT = "sent"                # a provider accepted it
    DELIVERED = "delivered"      # the provider's delivery report says it arrived
    UNDELIVERED = "undelivered"  # accepted, then reported lost by the last provider
    FAILED = "failed"            # refused for good, or every provider's retries used up
    UNREACHABLE = "unreachable"  # no channel reaches this person (e.g. a WhatsApp id with no phone yet)
    SUPPRESSED = "suppressed"    # not sent: the person opted out of this channel (STOP), not a failure

    CLAIMABLE = frozenset({PENDING, SENDING})
    # Never sent again (a late delivery report may still move it, touching `updated_at`): what retention deletes.
    SETTLED = frozenset({SENT, DELIVERED, UNDELIVERED, FAILED, UNREACHABLE, SUPPRESSED})


class Audience:
    CITIZEN = "citizen"
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    INSPECTOR = "inspector"


@dataclass(frozen=True)
class Planned:
    """A message decided by a handler, not stored yet; `key` makes storing it twice impossible."""

    key: str
    audience: str
    kind: str
    template: str
    language: str
    values: dict
    contact: str | None
    phone: str | None
    urgent: bool = False
    order_id: int | None = None
    user_id: int | None = None
    notices: tuple = field(default=())  # order ids an agent digest tells about
    # "sms": an answer to what the citizen asked by SMS or USSD goes back by SMS, never on WhatsApp.
    channel: str | None = None
    # The channels its person is opted out of, when read with what the message tells (None: not read, ask).
    opted_out_of: frozenset | None = None


@dataclass(frozen=True)
class RetryPlan:
    """How sends are retried: delays (seconds) after each failure on one provider, then the next provider."""

    providers: tuple[str, ...]
    delays: tuple[int, ...]
    lease: timedelta

    def next_provider(self, current: str | None) -> str | None:
        """The provider after `current` in the configured order, or None when it was the last."""
        if current not in self.providers:
            return self.providers[0] if self.providers else None
        rest = self.providers[self.providers.index(current) + 1:]
        return rest[0] if rest else None


class Notification:
    """One stored message; its methods move it through the statuses and record each move as an event."""

    def __init__(self, **fields):
        for name, value in fields.items():
            setattr(self, name, value)

    def __repr__(self):
        return f"<Notification {self.id!r} {self.kind} {self.status}>"

    def note(self, status: str, at: datetime, detail: str | None = None) -> None:
        """Record a step of the history without changing the status."""
        self.events.append(NotificationEvent(status=status, provider=self.provider, at=at,
                                             detail=(detail or None) and detail[:200]))

    def move(self, status: str, at: datetime, detail: str | None = None) -> None:
        self.status, self.updated_at = status, at
        self.note(status, at, detail)

    def claimable(self, now: datetime) -> bool:
        """Pending and due, or sending under a lease that ran out (its worker died)."""
        if self.status == Status.PENDING:
            return self.next_attempt_at is None or self.next_attempt_at <= now
        return self.status == Status.SENDING and self.lease_until is not None and self.lease_until <= now

    def claim(self, now: datetime, plan: RetryPlan) -> None:
        """Take the message for one send attempt on its current provider."""
        if self.status == Status.SENDING:
            # The previous attempt's worker died after claiming: the provider may or may not have it.
            self.note("abandoned", now, "lease ran out before the outcome was recorded")
        self.provider = self.provider or plan.next_provider(None)
        self.attempts += 1
        self.provider_attempts += 1
        self.lease_until, self.enqueued_at = now + plan.lease, None
        self.move(Status.SENDING, now)

    def accepted(self, provider_message_id: str, segments: int, now: datetime) -> None:
        self.provider_message_id, self.segments, self.sent_at = provider_message_id, segments, now
        self.lease_until, self.last_error = None, None
        self.move(Status.SENT, now)

    def refused(self, reason: str, now: datetime) -> None:
        """A permanent error: recorded, never retried."""
        self.lease_until, self.last_error = None, reason[:200]
        self.move(Status.FAILED, now, reason)

    def suppress(self, reason: str, now: datetime) -> None:
        """Not sent, and never retried: the person opted out of the channel it would go on."""
        self.lease_until, self.next_attempt_at, self.enqueued_at = None, None, None
        self.last_error = reason[:200]
        self.move(Status.SUPPRESSED, now, reason)

    def retry_later(self, reason: str, now: datetime, plan: RetryPlan, shift: Callable = _same) -> None:
        """A retryable error: the same provider after the next delay, then the next provider, then give up.

        `shift` moves a due time out of hours in which this message may not go (quiet hours).
        """
        self.lease_until, self.last_error = None, reason[:200]
        if self.provider_attempts <= len(plan.delays):
            self.next_attempt_at = shift(now + timedelta(seconds=plan.delays[self.provider_attempts - 1]))
            self.enqueued_at = None
            self.move(Status.PENDING, now, f"retry: {reason}")
            return
        self.fail_over(reason, now, plan, shift)

    def fail_over(self, reason: str, now: datetime, plan: RetryPlan, shift: Callable = _same,
                  lost: str = Status.FAILED) -> None:
        """Hand the message to the next provider, or end it as `lost` when none is left."""
        following = plan.next_provider(self.provider)
        if following is None or not self.recipient:  # every provider left is an SMS one: it needs a number
            self.lease_until = None
            self.move(lost if following is None else Status.UNREACHABLE, now,
                      reason if following is None else f"{reason}; no phone number for SMS")
            return
        self.note("failover", now, f"{self.provider} -> {following}: {reason}")
        self.channel = "sms"
        self.provider, self.provider_attempts, self.provider_message_id = following, 0, None
        self.next_attempt_at, self.enqueued_at, self.lease_until = shift(now), None, None
        self.move(Status.PENDING, now)


class NotificationEvent:
    """One step of a message's history: our own moves and the providers' delivery reports."""

    def __init__(self, **fields):
        for name, value in fields.items():
            setattr(self, name, value)


class AgentNotice:
    """An agent was told about an order (by a digest), so the next digest leaves it out."""

    def __init__(self, **fields):
        for name, value in fields.items():
            setattr(self, name, value)
