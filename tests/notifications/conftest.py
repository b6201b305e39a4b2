"""Fixtures for notifications: scripted senders (fakes of our Sender port), a notifier wired to them, helpers."""
from __future__ import annotations

import bootstrap

from dataclasses import replace

import pytest
from sqlalchemy import select

from channels.senders import SendError, SendResult
from jobs import notifications as jobs
from notifications import Notification, Notifier
from orders_core.services import create_user, place_order, record_payment
from texts import count
from web.demo import draft


class ScriptedSender:
    """A fake provider: each call takes the next outcome of its script ("ok", "retry", "permanent"); the last
    outcome repeats."""

    def __init__(self, name: str, *script: str):
        self.name, self.script, self.calls = name, script or ("ok",), []

    def send(self, to: str, text: str) -> SendResult:
        outcome = self.script[min(len(self.calls), len(self.script) - 1)]
        self.calls.append({"to": to, "text": text})
        if outcome == "retry":
            raise SendError(self.name, "HTTP 500", retryable=True)
        if outcome == "permanent":
            raise SendError(self.name, "invalid destination", retryable=False)
        return SendResult(self.name, f"{self.name}-{len(self.calls)}", "sent", count(text).segments)

    @property
    def texts(self) -> list[str]:
        return [call["text"] for call in self.calls]


@pytest.fixture
def senders():
    return {"africastalking": ScriptedSender("africastalking"), "twilio": ScriptedSender("twilio")}


@pytest.fixture
def notifier(services, senders):
    """The notifier the jobs use in this test: both providers, Africa's Talking first."""
    settings = replace(services.settings, sms_providers=("africastalking", "twilio"))
    bootstrap.wire(services, sms_senders=senders, notifier=Notifier.from_settings(settings, services.catalogs, senders))
    return services.notifier


def deliver(services, rounds: int = 3) -> None:
    """What the periodic tick does, run now: dispatch the outbox, sweep, and run every queued job."""
    for _ in range(rounds):
        services.enqueue(jobs.dispatch_outbox)
        services.enqueue(jobs.sweep)
        services.drain()


def messages(services, **where) -> list[Notification]:
    with services.uow() as uow:
        stmt = select(Notification).order_by(Notification.id)
        for column, value in where.items():
            stmt = stmt.where(getattr(Notification, column) == value)
        found = uow.all(stmt)
        for message in found:
            _ = message.events
        return found


def kinds(services, **where) -> list[str]:
    return [m.kind for m in messages(services, **where)]


def paid_order(services, **changes):
    order = place_order(services.uow(), services.settings.prices, draft(**changes))
    record_payment(services.uow(), order.reference, order.total, "card", f"card-{order.reference}")
    return order


def staff_user(services, name: str, role: str, office: str | None = "42101", phone: str | None = None, **extra):
    return create_user(services.uow(), name, name, "x", role, office_code=office, phone=phone, **extra)
