"""Drill: a storm of duplicated webhooks. Every payload arrives three times, interleaved: two copies at the same
moment, the third late, after the citizens' next requests. Orders, charges, payments and messages must come out
exactly as for citizens whose payloads each arrived once.

Two cohorts of citizens go through the same story (a USSD order, paying it by premium SMS, the delivery reports
of the billed messages, the notifications); the second cohort's payloads are tripled. Their counts must match.
"""
from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

import jobs.notifications
from channels.orm import sms_messages
from notifications.orm import notification_messages
from orders_core.orm import orders, payments
from payments_sms.orm import premium_charges

from .phones import KEY, ORDER_INPUTS

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

CITIZENS = 3
_ids = itertools.count(1)


class Storm:
    """Posts each round of requests once per copy: two copies at once, the last one a round later."""

    def __init__(self, drill, copies: int):
        self.drill, self.copies, self.late = drill, copies, []
        self.clients = [drill.app.test_client() for _ in range(2)]

    def round(self, requests: list) -> None:
        late, self.late = self.late, []
        for request in requests:
            self._at_once(request, min(self.copies, 2))
            if self.copies > 2:
                self.late.append(request)
        for request in late:  # the previous round's last copies, after this round's first ones
            _check(request(self.clients[0]))
        self.drill.drain()

    def finish(self) -> None:
        self.round([])

    def _at_once(self, request, copies: int) -> None:
        with ThreadPoolExecutor(copies) as pool:
            for response in pool.map(request, self.clients[:copies]):
                _check(response)


def _check(response) -> None:
    assert response.status_code == 200, (response.status_code, response.get_data(as_text=True)[:200])


def _post(path: str, form: dict):
    return lambda client: client.post(f"{path}?key={KEY}", data=form)


def _ussd_rounds(phones: list[str]) -> list[list]:
    sessions = {phone: f"ATUid_storm_{next(_ids)}" for phone in phones}
    typed = ("",) + ORDER_INPUTS
    return [[_post("/webhooks/africastalking/ussd", {
        "sessionId": sessions[phone], "serviceCode": "*123#", "phoneNumber": phone, "networkCode": "60400",
        "text": "*".join(typed[1:step + 1])}) for phone in phones] for step in range(len(typed))]


def _sms(phone: str, text: str):
    return _post("/webhooks/africastalking/sms", {
        "from": phone, "to": "1919", "text": text, "date": "2026-11-23 09:00:00", "id": f"ATXid_storm_{next(_ids)}",
        "linkId": f"link-storm-{next(_ids)}", "networkCode": "60400"})


def _report(message_id: str, phone: str):
    return _post("/webhooks/africastalking/sms/delivery", {
        "id": message_id, "status": "Success", "phoneNumber": phone, "networkCode": "60400", "retryCount": "0"})


def _references(drill, phones: list[str]) -> dict[str, str]:
    with drill.services.uow() as uow:
        rows = uow.session.execute(select(orders.c.requester_phone, orders.c.reference)
                                   .where(orders.c.requester_phone.in_(phones))).all()
    return dict(rows)


def _awaiting_report(drill, phones: list[str], reported: set) -> list[tuple[str, str]]:
    with drill.services.uow() as uow:
        rows = uow.session.execute(
            select(premium_charges.c.provider_message_id, orders.c.requester_phone)
            .join(orders, orders.c.id == premium_charges.c.order_id)
            .where(orders.c.requester_phone.in_(phones), premium_charges.c.status == "sent")).all()
    return [(message_id, phone) for message_id, phone in rows if message_id not in reported]


def live_the_story(drill, phones: list[str], copies: int) -> None:
    """Order by USSD, pay by premium SMS, get the billing reports and the notifications; each payload `copies` times."""
    storm = Storm(drill, copies)
    for requests in _ussd_rounds(phones):
        storm.round(requests)
    references = _references(drill, phones)
    storm.round([_sms(phone, f"PAYER {references[phone]}") for phone in phones])
    storm.round([_sms(phone, "OUI") for phone in phones])
    reported: set = set()
    for _ in range(6):  # one billed message after another, each waiting for the report of the one before
        due = _awaiting_report(drill, phones, reported)
        reported.update(message_id for message_id, _ in due)
        storm.round([_report(message_id, phone) for message_id, phone in due])
    storm.finish()
    drill.services.enqueue(jobs.notifications.dispatch_outbox)
    drill.drain()


def counts(drill, phones: list[str]) -> dict[str, int]:
    """What the cohort's story left behind."""
    mine = orders.c.requester_phone.in_(phones)
    queries = {
        "orders": select(func.count()).select_from(orders).where(mine),
        "charges": select(func.count()).select_from(premium_charges.join(orders)).where(mine),
        "payments": select(func.count()).select_from(payments.join(orders)).where(mine),
        "sms in": select(func.count()).select_from(sms_messages).where(
            sms_messages.c.contact.in_(phones), sms_messages.c.direction == "in"),
        "sms out": select(func.count()).select_from(sms_messages).where(
            sms_messages.c.contact.in_(phones), sms_messages.c.direction == "out"),
        "notifications": select(func.count()).select_from(notification_messages).where(
            notification_messages.c.recipient.in_(phones)),
    }
    with drill.services.uow() as uow:
        return {name: uow.session.execute(query).scalar() for name, query in queries.items()}


def test_every_payload_three_times_leaves_exactly_what_one_time_leaves(storm):
    once = [f"+2126630000{i:02d}" for i in range(CITIZENS)]
    thrice = [f"+2126640000{i:02d}" for i in range(CITIZENS)]
    live_the_story(storm, once, copies=1)
    live_the_story(storm, thrice, copies=3)
    expected = counts(storm, once)
    assert expected["orders"] == CITIZENS and expected["payments"] == expected["charges"] > 0
    assert expected["sms out"] > 0 and expected["notifications"] > 0
    assert counts(storm, thrice) == expected
