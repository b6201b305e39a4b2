"""Fixtures of the payment tests: orders to pay, card batches, the premium provider stubbed at HTTP."""
from __future__ import annotations

import bootstrap

import itertools
import os
import json
from dataclasses import replace
from urllib.parse import parse_qs

import pytest
import responses
from sqlalchemy import select

from orders_core.model import OutboxMessage
from orders_core.services import order_for_reference, place_order
from payments_sms import activate_cards, generate_batch
from payments_sms.africastalking import AfricasTalkingPremium
from web.demo import draft

PHONE = "+212612345678"
OTHER_PHONE = "+212698765432"
AT_PREMIUM_URL = "https://content.africastalking.com/version1/messaging"


def place(services, phone: str = PHONE, **changes):
    """Place an order from `phone`; one extract in Morocco is 20 MAD, each further copy 5 MAD more."""
    changes.setdefault("lines", {"extract": 1})
    return place_order(services.uow(), services.settings.prices, draft(phone=phone, **changes))


def reload(services, reference):
    with services.uow() as uow:
        order = order_for_reference(uow, reference)
        _ = (order.payments, order.events)
        return order


def outbox(services, topic: str) -> list[dict]:
    with services.uow() as uow:
        rows = uow.all(select(OutboxMessage).where(OutboxMessage.topic == topic).order_by(OutboxMessage.id))
        return [row.payload for row in rows]


@pytest.fixture
def pin_secret(services):
    return services.settings.card_pin_secret


@pytest.fixture
def make_batch(services, pin_secret):
    """Generate (and by default activate) a batch; returns (summary, printed cards with their PINs)."""
    def make(value=2000, size=3, activate=True):
        printed = []
        summary = generate_batch(services.uow(), pin_secret, value, size, "finance-test",
                                 services.settings.card_validity_days, printed.extend)
        if activate:
            activate_cards(services.uow(), batch_id=summary.batch_id)
        return summary, printed
    return make


class AfricasTalkingStub:
    """Africa's Talking's premium endpoint at HTTP: answers like the real one, counts and keeps each request."""

    def __init__(self, mock: responses.RequestsMock):
        self.mock, self.ids = mock, itertools.count(1)
        self.refusal: tuple[int, str] | None = None
        mock.add_callback(responses.POST, AT_PREMIUM_URL, callback=self._answer)

    def _answer(self, request):
        form = {k: v[0] for k, v in parse_qs(request.body).items()}
        code, status = self.refusal or (101, "Success")
        message_id = f"ATPid_{next(self.ids)}" if code == 101 else "None"
        body = {"SMSMessageData": {"Message": "Sent to 1/1 Total Cost: MAD 10.0000", "Recipients": [
            {"statusCode": code, "number": form["to"], "status": status, "cost": "MAD 10.0000" if code == 101
             else "0", "messageId": message_id}]}}
        return 201, {"Content-Type": "application/json"}, json.dumps(body)

    @property
    def forms(self) -> list[dict]:
        return [{k: v[0] for k, v in parse_qs(call.request.body).items()} for call in self.mock.calls]


@pytest.fixture
def at_premium(services):
    """Bill through the real Africa's Talking adapter, its HTTP endpoint stubbed; any other request fails."""
    bootstrap.wire(services, premium_biller=AfricasTalkingPremium("shubbak", "at-api-key-for-tests"))
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield AfricasTalkingStub(mock)


@pytest.fixture
def short_code(services):
    from payments_sms import short_code as configured
    return configured(services.settings, "1919")


@pytest.fixture
def with_settings(services):
    """Change settings for one test: with_settings(card_alarm_failures=3)."""
    def change(**values):
        services.settings = replace(services.settings, **values)
        return services.settings
    return change


def unknown_pin(body: str = "12345678901234") -> str:
    """A well-formed PIN (its check digit right) that no generated card is likely to have."""
    from orders_core.references import check_digit
    return body + check_digit(body)


ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
