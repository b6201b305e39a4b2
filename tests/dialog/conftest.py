"""Phones for the dialog's end-to-end tests: a USSD phone and an SMS phone, both going through the webhooks."""
from __future__ import annotations

import itertools
import uuid

import pytest
from sqlalchemy import select

from app import create_app
from bootstrap import QUEUES
from channels import records
from channels.ussd import octets
from orders_core.model import Complaint, Order
from tests.channels.harness import PHONE, guarded

__all__ = ["guarded", "UssdPhone", "SmsPhone", "drain", "orders", "complaints", "PHONE"]

_run = uuid.uuid4().hex[:8]  # ids unique across test sessions sharing one Redis
_sessions = itertools.count(1)
_messages = itertools.count(1)


def drain(services) -> None:
    """Run every queued job; none may fail."""
    services.drain()
    failed = {name: services.queue(name).failed_job_registry.get_job_ids() for name in QUEUES}
    assert not any(failed.values()), f"failed jobs: {failed}"


class UssdPhone:
    """A basic phone on a USSD session: each answer posts the whole path, as Africa's Talking does."""

    def __init__(self, client, phone: str = PHONE):
        self.client, self.phone = client, phone
        self.session, self.path, self.screens = None, None, []

    def dial(self) -> str:
        self.session, self.path = f"ATUid_{_run}_{next(_sessions)}", None
        return self._post("")

    def press(self, *inputs: str) -> str:
        answer = ""
        for typed in inputs:
            answer = self._post(typed)
        return answer

    def _post(self, typed: str) -> str:
        self.path = typed if self.path in (None, "") else f"{self.path}*{typed}"
        response = self._send({"sessionId": self.session, "serviceCode": "*123#", "phoneNumber": self.phone,
                               "networkCode": "60400", "text": self.path})
        answer = response.get_data(as_text=True)
        assert response.status_code == 200 and answer[:4] in ("CON ", "END ") and octets(answer[4:]) <= 160, answer
        self.screens.append(answer)
        return answer

    def _send(self, form: dict):
        return self.client.post("/webhooks/africastalking/ussd", data=form)


class SmsPhone:
    """A phone texting the short code through Africa's Talking (or Twilio); replies come from the job queue."""

    def __init__(self, client, services, phone: str = PHONE):
        self.client, self.services, self.phone = client, services, phone

    def send(self, text: str) -> str:
        """Send one SMS; return the reply it got ("" when none)."""
        before = len(records.conversation(self.services.uow(), self.phone, limit=500))
        response = self.client.post("/webhooks/africastalking/sms", data={
            "from": self.phone, "to": "1919", "text": text, "id": f"ATXid_{_run}_{next(_messages)}",
            "date": "2026-11-23 09:00:00", "networkCode": "60400"})
        assert response.status_code == 200, response.get_data(as_text=True)
        drain(self.services)
        new = records.conversation(self.services.uow(), self.phone, limit=500)[before:]
        return "\n".join(m["text"] for m in new if m["direction"] == "out")


@pytest.fixture
def client(services):
    return create_app({"services": services}).test_client()


@pytest.fixture
def ussd(client):
    return UssdPhone(client)


@pytest.fixture
def sms(client, services):
    return SmsPhone(client, services)


def orders(services) -> list[Order]:
    with services.uow() as uow:
        found = uow.all(select(Order).order_by(Order.id))
        for order in found:
            _ = (order.lines, order.events, order.payments, order.office)
        return found


def complaints(services) -> list[Complaint]:
    with services.uow() as uow:
        return uow.all(select(Complaint).order_by(Complaint.id))
