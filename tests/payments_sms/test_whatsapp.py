"""Paying from WhatsApp through the signed Twilio webhook: a card in one message or through the pay menu, in each
language; premium SMS is explained (it needs an SMS to the short code), never billed from WhatsApp."""
import bootstrap
import pytest

from payments_sms.africastalking import AfricasTalkingPremium
from tests.whatsapp.conftest import WhatsAppPhone, client, guarded  # noqa: F401 - fixtures used by name

from .conftest import AfricasTalkingStub, place, reload

__all__ = ["guarded"]


@pytest.fixture
def whatsapp(client, services, guarded):  # noqa: F811 - the fixtures imported above, by name
    bootstrap.wire(services, premium_biller=AfricasTalkingPremium("shubbak", "at-api-key-for-tests"))
    phone = WhatsAppPhone(client, services)
    phone.premium = AfricasTalkingStub(guarded)
    return phone


@pytest.mark.parametrize(("card", "balance"), [
    ("CARTE", "Solde de la carte : 30 MAD"), ("CARD", "Card balance: 30 MAD"), ("بطاقة", "رصيد البطاقة: 30 درهم"),
    ("karta", "Solde de la carte : 30 MAD")], ids=["fr", "en", "ar", "darija"])
def test_a_card_in_one_whatsapp_message_pays_in_each_language(whatsapp, services, make_batch, card, balance):
    order = place(services)
    _, (printed, *_) = make_batch(value=5000)
    assert balance in whatsapp.send(f"{card} {order.reference} {printed.pin}")
    assert reload(services, order.reference).status == "received"


@pytest.mark.parametrize(("pay", "paid"), [("PAYER", "Demande"), ("PAY", "Order"), ("ادفع", "الطلب")],
                         ids=["fr", "en", "ar"])
def test_the_whatsapp_pay_menu_takes_a_card_in_each_language(whatsapp, services, make_batch, pay, paid):
    order = place(services)
    _, (printed, *_) = make_batch()
    listed = whatsapp.send(pay)
    assert order.reference[:3] in listed
    method = whatsapp.send("1")
    assert "1" in method and "2" in method
    whatsapp.send("1")
    answer = whatsapp.send(printed.pin)
    assert paid in answer and reload(services, order.reference).status == "received"


def test_sms_payment_chosen_on_whatsapp_is_explained_not_billed(whatsapp, services):
    order = place(services)
    whatsapp.send(f"PAYER {order.reference}")
    how = whatsapp.send("2")
    assert "1919" in how and f"PAYER {order.reference[:3]}" in how
    assert whatsapp.premium.forms == [] and reload(services, order.reference).amount_due == 2000


def test_a_whatsapp_user_without_a_phone_number_pays_by_card(client, services, guarded, make_batch):  # noqa: F811
    order = place(services)
    _, (printed, *_) = make_batch()
    phone = WhatsAppPhone(client, services, address="whatsapp:ext-user-3c9f", ExternalUserId="ext-user-3c9f")
    answer = phone.send(f"CARTE {order.reference} {printed.pin}")
    assert "Solde de la carte : 0 MAD" in answer
    assert reload(services, order.reference).status == "received"
