"""A WhatsApp phone for the tests: signed Twilio callbacks in, the replies the console sender recorded out."""
from __future__ import annotations

import bootstrap

import itertools
from dataclasses import replace

import pytest
from sqlalchemy import select

from app import create_app
from bootstrap import QUEUES
from orders_core.model import Complaint, Escalation, Order
from tests.channels.harness import TOKEN, Endpoint, guarded, post, queued, secured

__all__ = ["guarded", "WHATSAPP", "WhatsAppPhone", "whatsapp_form", "drain", "orders", "complaints",
           "escalations", "BUSINESS", "ACCOUNT", "TOKEN"]

ACCOUNT = "AC" + "1" * 32
BUSINESS = "whatsapp:+14155238886"  # the service's WhatsApp sender
_ids = itertools.count(1)


def whatsapp_form(address: str = "whatsapp:+212612345678", body: str = "AIDE", **more) -> dict:
    """An incoming WhatsApp message as Twilio posts it (fresh MessageSid)."""
    sid = f"SM{next(_ids):032x}"
    bare = address.removeprefix("whatsapp:")
    form = {"MessageSid": sid, "SmsMessageSid": sid, "SmsSid": sid, "AccountSid": ACCOUNT,
            "MessagingServiceSid": "", "From": address, "To": BUSINESS, "Body": body, "NumMedia": "0",
            "NumSegments": "1", "ReferralNumMedia": "0", "MessageType": "text", "SmsStatus": "received",
            "ProfileName": "Salma", "ApiVersion": "2010-04-01"}
    if bare.startswith("+"):
        form["WaId"] = bare[1:]
    form.update(more)
    return form


WHATSAPP = Endpoint("twilio-whatsapp", "twilio", "/webhooks/twilio/whatsapp", "signature", whatsapp_form,
                    ("MessageSid", "From", "To", "Body"), effect=queued)


def drain(services) -> None:
    """Run every queued job; none may fail."""
    services.drain()
    failed = {name: services.queue(name).failed_job_registry.get_job_ids() for name in QUEUES}
    assert not any(failed.values()), f"failed jobs: {failed}"


class WhatsAppPhone:
    """A WhatsApp user writing to the service; `send` returns the replies it got (the console sender's record)."""

    def __init__(self, client, services, address: str = "whatsapp:+212612345678", **fields):
        self.client, self.services, self.address, self.fields = client, services, address, fields

    def send(self, text: str = "", media: tuple = ()) -> str:
        form = whatsapp_form(self.address, text, **self.fields, **_media_fields(media))
        before = len(self.sent())
        response = post(self.client, WHATSAPP, form)
        assert response.status_code == 200, response.get_data(as_text=True)
        drain(self.services)
        return "\n".join(m.get("text", "") for m in self.sent()[before:])

    def sent(self) -> list[dict]:
        """What the service sent this phone on WhatsApp so far."""
        return [m for m in self.services.whatsapp_sender.sent if m["to"] == self.address]


def _media_fields(media: tuple) -> dict:
    fields = {"NumMedia": str(len(media))} if media else {}
    for n, (url, kind) in enumerate(media):
        fields.update({f"MediaUrl{n}": url, f"MediaContentType{n}": kind})
    return fields


@pytest.fixture
def client(services):
    return create_app({"services": secured(services)}).test_client()


@pytest.fixture
def phone(client, services):
    return WhatsAppPhone(client, services)


@pytest.fixture
def nlu(services):
    """Wire an NLU port into the dialog: `nlu(understand)`."""
    return lambda understand: bootstrap.wire(services, understand=understand)


def with_settings(services, **changes):
    services.settings = replace(services.settings, **changes)
    return bootstrap.wire(services, fresh=True)


def orders(services) -> list[Order]:
    with services.uow() as uow:
        found = uow.all(select(Order).order_by(Order.id))
        for order in found:
            _ = (order.lines, order.events)
        return found


def complaints(services) -> list[Complaint]:
    with services.uow() as uow:
        return uow.all(select(Complaint).order_by(Complaint.id))


def escalations(services) -> list[Escalation]:
    with services.uow() as uow:
        return uow.all(select(Escalation).order_by(Escalation.id))
