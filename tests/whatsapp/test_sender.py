"""The WhatsApp sender with Twilio's HTTP stubbed at the socket boundary (`responses`), in Twilio's exact shapes."""
import json
from urllib.parse import parse_qs

import pytest
import requests
import responses

from channels.senders import SendError
from channels.whatsapp import WhatsAppSender
from settings import Settings

from .conftest import ACCOUNT, TOKEN

MESSAGES_URL = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Messages.json"
CALLBACK = "https://shubbak.example.ma/webhooks/twilio/status"


def twilio_message(sid: str = "SM" + "b" * 32, to: str = "whatsapp:+33612345678", status: str = "queued") -> dict:
    """Twilio's answer to a created message (the fields the SDK reads)."""
    return {"sid": sid, "status": status, "num_segments": "1", "num_media": "0", "price": None, "price_unit": "USD",
            "to": to, "from": "whatsapp:+14155238886", "body": "", "account_sid": ACCOUNT,
            "direction": "outbound-api", "api_version": "2010-04-01", "date_created": "Mon, 23 Nov 2026 09:00:00 +0000",
            "error_code": None, "error_message": None, "messaging_service_sid": None,
            "uri": f"/2010-04-01/Accounts/{ACCOUNT}/Messages/{sid}.json"}


def sent_form(call) -> dict:
    return {name: values[0] for name, values in parse_qs(call.request.body).items()}


@pytest.fixture
def sender():
    return WhatsAppSender(ACCOUNT, TOKEN, "+14155238886", CALLBACK)


def test_a_free_form_message_goes_from_the_whatsapp_sender_to_the_address(sender, guarded):
    guarded.add(responses.POST, MESSAGES_URL, status=201, json=twilio_message())
    result = sender.send("whatsapp:+33612345678", "Demande 261 148 273 5 enregistrée. Reçu.")
    assert (result.provider, result.provider_message_id, result.status) == ("twilio", "SM" + "b" * 32, "queued")
    assert sent_form(guarded.calls[0]) == {"To": "whatsapp:+33612345678", "From": "whatsapp:+14155238886",
                                           "Body": "Demande 261 148 273 5 enregistrée. Reçu.",
                                           "StatusCallback": CALLBACK}


def test_a_template_carries_its_content_sid_and_variables_and_no_body(sender, guarded):
    guarded.add(responses.POST, MESSAGES_URL, status=201, json=twilio_message())
    sender.send_template("+33612345678", "HX" + "c" * 32, {"1": "261 148 273 5", "2": "RR123456785MA"})
    form = sent_form(guarded.calls[0])
    assert "Body" not in form and form["To"] == "whatsapp:+33612345678" and form["ContentSid"] == "HX" + "c" * 32
    assert json.loads(form["ContentVariables"]) == {"1": "261 148 273 5", "2": "RR123456785MA"}


@pytest.mark.parametrize(("status", "code", "retryable"), [
    (400, 63016, False),  # free-form outside the window
    (400, 21211, False), (429, 20429, True), (500, 20500, True), (503, 20503, True),
])
def test_twilio_refusals_are_classified_once(sender, guarded, status, code, retryable):
    guarded.add(responses.POST, MESSAGES_URL, status=status, json={
        "code": code, "message": "refused", "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status})
    with pytest.raises(SendError) as refused:
        sender.send("whatsapp:+33612345678", "x")
    assert refused.value.retryable is retryable and str(code) in refused.value.reason


def test_twilio_unreachable_is_retryable(sender, guarded):
    guarded.add(responses.POST, MESSAGES_URL, body=requests.ConnectionError("down"))
    with pytest.raises(SendError) as refused:
        sender.send("whatsapp:+33612345678", "x")
    assert refused.value.retryable


def test_the_sender_is_made_only_with_credentials_and_a_whatsapp_number():
    assert WhatsAppSender.from_settings(Settings()) is None
    configured = Settings(twilio_account_sid=ACCOUNT, twilio_auth_token=TOKEN, twilio_whatsapp_from="+14155238886",
                          public_base_url="https://shubbak.example.ma/")
    made = WhatsAppSender.from_settings(configured)
    assert (made.from_, made.status_callback) == ("whatsapp:+14155238886", CALLBACK)
