"""Citizens' phones for the journeys, through the webhooks only: USSD and SMS (Africa's Talking, with the webhook
key) and WhatsApp (Twilio, signed); replies read from what the service recorded or sent."""
from __future__ import annotations

import itertools
import uuid

import pytest

from app import create_app
from channels import records
from tests.channels.harness import guarded, post, secured
from tests.dialog.conftest import UssdPhone, drain

__all__ = ["guarded", "Ussd", "Sms", "WhatsApp", "number"]

_run = uuid.uuid4().hex[:6]
_ids = itertools.count(1)
_numbers = itertools.count(100001)


def number() -> str:
    """A fresh Moroccan mobile number (each journey its own citizen)."""
    return f"+2126{next(_numbers):08d}"


class _Endpoint:
    def __init__(self, path: str, scheme: str):
        self.path, self.scheme = path, scheme


AT_USSD = _Endpoint("/webhooks/africastalking/ussd", "key")
AT_SMS = _Endpoint("/webhooks/africastalking/sms", "key")
TWILIO_WHATSAPP = _Endpoint("/webhooks/twilio/whatsapp", "signature")


class Ussd(UssdPhone):
    """A basic phone dialling the USSD code, its requests carrying the webhook key as a provider's would."""

    def _send(self, form: dict):
        return post(self.client, AT_USSD, form)


class Sms:
    """A phone texting the short code; `send` returns the reply; `replies` keeps every reply text."""

    def __init__(self, client, services, phone: str):
        self.client, self.services, self.phone, self.replies = client, services, phone, []

    def send(self, text: str) -> str:
        before = len(records.conversation(self.services.uow(), self.phone, limit=500))
        form = {"from": self.phone, "to": "1919", "text": text, "id": f"ATXid_j{_run}_{next(_ids)}",
                "linkId": f"link-{_run}-{next(_ids)}", "date": "2026-11-23 09:00:00", "networkCode": "60400"}
        assert post(self.client, AT_SMS, form).status_code == 200
        drain(self.services)
        new = records.conversation(self.services.uow(), self.phone, limit=500)[before:]
        replies = [m["text"] for m in new if m["direction"] == "out"]
        self.replies.extend(replies)
        return "\n".join(replies)


class WhatsApp:
    """A WhatsApp user; `send` returns what the service sent them on WhatsApp in answer."""

    def __init__(self, client, services, phone: str):
        self.client, self.services, self.address = client, services, f"whatsapp:{phone}"

    def send(self, text: str) -> str:
        sid = f"SM{_run}{next(_ids):026x}"
        form = {"MessageSid": sid, "SmsMessageSid": sid, "AccountSid": "AC" + "1" * 32, "From": self.address,
                "To": "whatsapp:+14155238886", "Body": text, "NumMedia": "0", "NumSegments": "1",
                "WaId": self.address.removeprefix("whatsapp:+"), "ProfileName": "Salma", "ApiVersion": "2010-04-01"}
        before = len(self.sent())
        assert post(self.client, TWILIO_WHATSAPP, form).status_code == 200
        drain(self.services)
        return "\n".join(m.get("text", "") for m in self.sent()[before:])

    def sent(self) -> list[dict]:
        return [m for m in self.services.whatsapp_sender.sent if m["to"] == self.address]


@pytest.fixture
def client(services):
    return create_app({"services": secured(services)}).test_client()
