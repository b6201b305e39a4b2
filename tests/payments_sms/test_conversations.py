"""Paying end to end, through the real webhooks: SMS to the premium short code, USSD menus, in every language.

Africa's Talking is stubbed at HTTP (its premium endpoint); no other network call is allowed, and no log line may
hold a whole phone number or a secret (the channels' harness checks both).
"""
import bootstrap
import itertools

import pytest

from app import create_app
from channels import records
from payments_sms.africastalking import AfricasTalkingPremium
from tests.channels.harness import PHONE, USSD, guarded, post, secured

from .conftest import AfricasTalkingStub, place, reload

__all__ = ["guarded"]  # the harness's fixture, used by name

SMS_PATH = "/webhooks/africastalking/sms"
REPORT_PATH = "/webhooks/africastalking/sms/delivery"
_ids = itertools.count(1)


class Endpoint:
    """An Africa's Talking endpoint as the harness posts to it (with the webhook key in the URL)."""

    scheme = "key"

    def __init__(self, path):
        self.path = path


@pytest.fixture
def phone(services, guarded):
    """The citizen's phone, talking to the app through the webhooks; AT's premium endpoint stubbed."""
    bootstrap.wire(services, premium_biller=AfricasTalkingPremium("shubbak", "at-api-key-for-tests"))
    return Phone(services, create_app({"services": secured(services)}).test_client(), AfricasTalkingStub(guarded))


class Phone:
    def __init__(self, services, client, premium):
        self.services, self.client, self.premium = services, client, premium
        self.session = f"ATUid_pay_{next(_ids)}"

    def sms(self, text: str, to: str = "1919") -> str:
        """Send an SMS to the short code; return the bot's answer."""
        self.link_id = f"link-{next(_ids)}"
        form = {"from": PHONE, "to": to, "text": text, "date": "2026-11-23 09:00:00", "id": f"ATXid_p{next(_ids)}",
                "linkId": self.link_id, "networkCode": "60400"}
        assert post(self.client, Endpoint(SMS_PATH), form).status_code == 200
        self.services.drain()
        return records.conversation(self.services.uow(), PHONE)[-1]["text"]

    def report(self, message_id: str, status: str, reason: str = "") -> None:
        """Africa's Talking's delivery report of a billed message."""
        form = {"id": message_id, "status": status, "phoneNumber": PHONE, "networkCode": "60400",
                "failureReason": reason, "retryCount": "0"}
        assert post(self.client, Endpoint(REPORT_PATH), form).status_code == 200
        self.services.drain()

    def dial(self, *inputs: str) -> str:
        """One USSD step: every input of the session so far; return the screen."""
        form = {"sessionId": self.session, "serviceCode": "*123#", "phoneNumber": PHONE, "networkCode": "60400",
                "text": "*".join(inputs)}
        return post(self.client, USSD, form).get_data(as_text=True)


LANGUAGES = [  # (keyword to pay, yes, card keyword, words the quote holds, words the card answer holds)
    pytest.param("PAYER", "OUI", "CARTE", "2 SMS à 10 MAD", "Solde de la carte : 30 MAD", id="fr"),
    pytest.param("PAY", "YES", "CARD", "2 SMS at 10 MAD", "Card balance: 30 MAD", id="en"),
    pytest.param("ادفع", "نعم", "بطاقة", "2 رسائل بـ10 درهم", "رصيد البطاقة: 30 درهم", id="ar"),
    pytest.param("khlles", "ah", "karta", "2 SMS à 10 MAD", "Solde de la carte : 30 MAD", id="darija"),
]


@pytest.mark.parametrize(("pay", "yes", "card", "quoted", "balance"), LANGUAGES)
def test_paying_by_premium_sms_in_each_language(phone, services, pay, yes, card, quoted, balance):
    order = place(services)  # 20 MAD: two billed messages
    quote = phone.sms(f"{pay} {order.reference}")
    assert quoted in quote and phone.premium.forms == []  # nothing billed before YES
    phone.sms(yes)
    (first,) = phone.premium.forms
    assert (first["to"], first["from"], first["linkId"]) == (PHONE, "1919", phone.link_id)  # the YES's linkId
    phone.report("ATPid_1", "Success")
    assert len(phone.premium.forms) == 2
    phone.report("ATPid_2", "Success")
    stored = reload(services, order.reference)
    assert stored.status == "received" and [p.means for p in stored.payments] == ["premium_sms"] * 2


@pytest.mark.parametrize(("pay", "yes", "card", "quoted", "balance"), LANGUAGES)
def test_paying_by_card_in_one_sms_in_each_language(phone, services, make_batch, pay, yes, card, quoted, balance):
    order = place(services)
    _, (printed, *_) = make_batch(value=5000)
    answer = phone.sms(f"{card} {order.reference} {printed.pin}")
    assert balance in answer
    assert reload(services, order.reference).status == "received"
    stored = records.conversation(services.uow(), PHONE)[0]["text"]
    assert stored == f"{card} {order.reference} [PIN]"  # what the citizen wrote, without the PIN


def test_a_pin_sent_after_the_card_command_pays_and_is_stored_nowhere(phone, services, make_batch):
    order = place(services)
    _, (printed, *_) = make_batch()
    asked = phone.sms(f"CARTE {order.reference}")
    assert asked == services.catalogs.text("fr", "payments.flow.pin")
    answer = phone.sms(f"{printed.pin[:4]} {printed.pin[4:8]} {printed.pin[8:12]} {printed.pin[12:]}")
    assert reload(services, order.reference).status == "received", answer
    texts = " ".join(m["text"] for m in records.conversation(services.uow(), PHONE))
    assert printed.pin[:8] not in texts.replace(" ", "") and "[PIN]" in texts
    keys_and_values = " ".join(f"{k}{services.redis.dump(k)}" for k in services.redis.scan_iter())
    assert printed.pin[:8] not in keys_and_values


def test_a_pin_typed_in_the_ussd_menu_is_in_no_redis_key_or_value(phone, services, make_batch):
    order = place(services)
    _, (printed, *_) = make_batch()
    for inputs in ((), ("1",), ("1", "4"), ("1", "4", "1"), ("1", "4", "1", "1")):
        phone.dial(*inputs)
    assert phone.dial("1", "4", "1", "1", printed.pin).startswith("END ")
    assert reload(services, order.reference).status == "received"
    keys = [k.decode() for k in services.redis.scan_iter()]
    assert any(k.startswith("shubbak:once") for k in keys)  # the USSD dedup marks were read
    stored = " ".join(k + str(services.redis.dump(k)) for k in keys)
    assert printed.pin[:8] not in stored and printed.pin[-8:] not in stored


def test_a_no_to_the_quote_bills_nothing(phone, services):
    order = place(services)
    phone.sms(f"PAYER {order.reference}")
    assert "rien n'a été facturé" in phone.sms("NON")
    assert phone.premium.forms == [] and reload(services, order.reference).amount_due == 2000


def test_a_failed_billed_message_stops_the_payment_and_the_citizen_is_told_how_else_to_pay(phone, services):
    order = place(services, lines={"extract": 5})  # 40 MAD
    phone.sms(f"PAY {order.reference}")
    phone.sms("YES")
    phone.report("ATPid_1", "Success")
    phone.report("ATPid_2", "Failed", "InsufficientCredit")
    assert len(phone.premium.forms) == 2
    (stopped,) = [row for row in _outbox(services) if row.topic == "payment.premium_stopped"]
    text = services.catalogs.text(stopped.payload["language"], stopped.payload["template"],
                                  **stopped.payload["values"])
    assert "Paid: 10 MAD, left: 30 MAD" in text and "CARD" in text


def _outbox(services):
    from sqlalchemy import select

    from orders_core.model import OutboxMessage
    with services.uow() as uow:
        return uow.all(select(OutboxMessage).order_by(OutboxMessage.id))


def test_a_mistyped_card_number_by_sms_is_told_to_check_it(phone, services, make_batch):
    order = place(services)
    _, (printed, *_) = make_batch()
    typo = printed.pin[:-1] + str((int(printed.pin[-1]) + 1) % 10)
    assert "15 chiffres" in phone.sms(f"CARTE {order.reference} {typo}")
    assert reload(services, order.reference).amount_due == 2000


def test_sms_to_a_number_that_cannot_bill_says_how_to_pay_by_sms(phone, services):
    order = place(services)
    answer = phone.sms(f"PAYER {order.reference}", to="+212522000000")
    assert "20 MAD à payer" in answer and "Carte prépayée" in answer
    how = phone.sms("2", to="+212522000000")
    assert f"PAYER {order.reference[:3]}" in how and "1919" in how and phone.premium.forms == []


@pytest.mark.parametrize(("language", "paid_words"), [("1", "Demande"), ("2", "Order"), ("3", "Order")],
                         ids=["fr", "ar", "en"])
def test_paying_by_card_from_the_ussd_menu_in_each_language(phone, services, make_batch, language, paid_words):
    order = place(services)
    _, (printed, *_) = make_batch()
    screens = [phone.dial(*inputs) for inputs in (
        (), (language,), (language, "4"), (language, "4", "1"), (language, "4", "1", "1"),
        (language, "4", "1", "1", printed.pin))]
    assert all(s.startswith("CON ") for s in screens[:-1]) and screens[-1].startswith("END ")
    assert all(len(s) <= 182 for s in screens)
    assert order.reference[:3] in screens[2]  # the unpaid order is listed
    assert reload(services, order.reference).status == "received"


def test_the_ussd_menu_tells_how_to_pay_by_sms(phone, services):
    order = place(services)
    screens = [phone.dial(*inputs) for inputs in ((), ("1",), ("1", "4"), ("1", "4", "1"), ("1", "4", "1", "2"))]
    assert screens[-1].startswith("END ") and f"PAYER {order.reference[:3]}" in screens[-1]
    assert "1919" in screens[-1]
