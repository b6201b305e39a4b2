"""The SMS senders with HTTP stubbed at the socket boundary (`responses`), in the providers' exact shapes."""
import json

import pytest
import requests
import responses

from channels.africastalking import AfricasTalkingSender
from channels.registry import senders as build_senders
from channels.senders import SendError
from channels.twilio import TwilioSender
from settings import Settings

from .harness import PHONE, guarded

__all__ = ["guarded"]

AT_URL = "https://api.africastalking.com/version1/messaging"
AT_SANDBOX_URL = "https://api.sandbox.africastalking.com/version1/messaging"
ACCOUNT = "AC" + "1" * 32
TWILIO_URL = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Messages.json"


def at_answer(code: int, status: str, message_id: str = "ATXid_1", parts: int = 1) -> dict:
    return {"SMSMessageData": {"Message": "Sent to 1/1 Total Cost: MAD 0.5000", "Recipients": [
        {"statusCode": code, "number": PHONE, "status": status, "cost": "MAD 0.5000", "messageId": message_id,
         "messageParts": parts}]}}


@pytest.fixture
def at():
    return AfricasTalkingSender("shubbak", "at-api-key-for-tests", sender_id="SHUBBAK")


def test_africas_talking_accepts_and_gives_its_message_id_and_parts(at, guarded):
    guarded.add(responses.POST, AT_URL, json=at_answer(101, "Success", "ATXid_42", parts=2))
    result = at.send(PHONE, "Demande 261 148 273 5 enregistrée.")
    assert (result.provider, result.provider_message_id, result.segments) == ("africastalking", "ATXid_42", 2)
    body = guarded.calls[0].request.body
    assert "username=shubbak" in body and "from=SHUBBAK" in body and "to=%2B212612345678" in body
    assert guarded.calls[0].request.headers["apiKey"] == "at-api-key-for-tests"


def test_the_sandbox_username_talks_to_the_sandbox(guarded):
    guarded.add(responses.POST, AT_SANDBOX_URL, json=at_answer(100, "Success"))
    assert AfricasTalkingSender("sandbox", "key").send(PHONE, "x").provider_message_id == "ATXid_1"


def test_a_json_answer_with_another_content_type_is_still_read(at, guarded):
    guarded.add(responses.POST, AT_URL, body=json.dumps(at_answer(102, "Queued")),
                content_type="application/json; charset=utf-8")
    assert at.send(PHONE, "x").provider_message_id == "ATXid_1"


@pytest.mark.parametrize(("code", "status", "retryable"), [
    (405, "InsufficientBalance", True), (406, "UserInBlacklist", False), (403, "InvalidPhoneNumber", False),
    (500, "InternalServerError", True), (502, "RejectedByGateway", True), (409, "DoNotDisturbRejection", False),
])
def test_africas_talking_refusals_are_classified_once(at, guarded, code, status, retryable):
    guarded.add(responses.POST, AT_URL, json=at_answer(code, status, "None"))
    with pytest.raises(SendError) as refused:
        at.send(PHONE, "x")
    assert (refused.value.reason, refused.value.retryable) == (status, retryable)


@pytest.mark.parametrize(("answer", "retryable"), [
    ({"status": 500, "body": "Internal error"}, True),
    ({"body": requests.ConnectionError("down")}, True),
    ({"body": requests.ReadTimeout("slow")}, True),
    ({"status": 200, "body": "not json at all", "content_type": "text/plain"}, True),
])
def test_africas_talking_http_trouble_is_retryable(at, guarded, answer, retryable):
    guarded.add(responses.POST, AT_URL, **answer)
    with pytest.raises(SendError) as refused:
        at.send(PHONE, "x")
    assert refused.value.retryable is retryable


def test_a_number_the_sdk_refuses_is_a_permanent_failure(at, guarded):
    with pytest.raises(SendError) as refused:
        at.send("0612345678", "x")
    assert not refused.value.retryable and not guarded.calls


@pytest.fixture
def twilio_sender():
    return TwilioSender(ACCOUNT, "twilio-auth-token-for-tests-0123456789", "+15005550006",
                        "https://shubbak.example.ma/webhooks/twilio/status")


def test_twilio_creates_the_message_with_a_status_callback(twilio_sender, guarded):
    guarded.add(responses.POST, TWILIO_URL, status=201, json={
        "sid": "SM" + "a" * 32, "status": "queued", "num_segments": "1", "price": None, "to": PHONE,
        "from": "+15005550006", "body": "x", "account_sid": ACCOUNT, "direction": "outbound-api"})
    result = twilio_sender.send(PHONE, "Réclamation 912 345 678 9 enregistrée.")
    assert (result.provider, result.provider_message_id, result.status) == ("twilio", "SM" + "a" * 32, "queued")
    body = guarded.calls[0].request.body
    assert "StatusCallback=https" in body and "To=%2B212612345678" in body and "From=%2B15005550006" in body


@pytest.mark.parametrize(("status", "code", "retryable"), [
    (400, 21211, False), (400, 21610, False), (429, 20429, True), (500, 20500, True), (503, 20503, True),
])
def test_twilio_refusals_are_classified_once(twilio_sender, guarded, status, code, retryable):
    guarded.add(responses.POST, TWILIO_URL, status=status, json={
        "code": code, "message": "refused", "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status})
    with pytest.raises(SendError) as refused:
        twilio_sender.send(PHONE, "x")
    assert refused.value.retryable is retryable and str(code) in refused.value.reason


def test_twilio_unreachable_is_retryable(twilio_sender, guarded):
    guarded.add(responses.POST, TWILIO_URL, body=requests.ConnectionError("down"))
    with pytest.raises(SendError) as refused:
        twilio_sender.send(PHONE, "x")
    assert refused.value.retryable


def test_the_registry_builds_the_senders_whose_credentials_are_set():
    assert set(build_senders(Settings())) == {"console"}
    configured = Settings(at_username="shubbak", at_api_key="k", twilio_account_sid=ACCOUNT,
                          twilio_auth_token="t", twilio_sms_from="+15005550006")
    assert set(build_senders(configured)) == {"console", "africastalking", "twilio"}
