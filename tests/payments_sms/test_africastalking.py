"""The Africa's Talking premium adapter at its HTTP boundary: the request it makes, how it reads each answer."""
import json
from urllib.parse import parse_qs

import pytest
import requests
import responses

from payments_sms import BillingError
from payments_sms.africastalking import AfricasTalkingPremium
from payments_sms.console import ConsolePremiumSender
from payments_sms.senders import report_status

from .conftest import AT_PREMIUM_URL, PHONE

SANDBOX_URL = "https://api.sandbox.africastalking.com/version1/messaging"


def answer(code=101, status="Success", message_id="ATPid_SampleTxnId1"):
    return {"SMSMessageData": {"Message": "Sent to 1/1 Total Cost: MAD 10.0000", "Recipients": [
        {"statusCode": code, "number": PHONE, "status": status, "cost": "MAD 10.0000", "messageId": message_id}]}}


@pytest.fixture
def http():
    with responses.RequestsMock() as mock:
        yield mock


def bill(adapter=None):
    adapter = adapter or AfricasTalkingPremium("shubbak", "key-123", retry_hours=2)
    return adapter.bill(PHONE, "Shubbak : paiement 1/2", "1919", "PAYER", "link-77")


def test_a_billed_reply_posts_the_premium_fields_with_the_api_key(http):
    http.add(responses.POST, AT_PREMIUM_URL, json=answer(), status=201)
    assert bill() == "ATPid_SampleTxnId1"
    request = http.calls[0].request
    form = {k: v[0] for k, v in parse_qs(request.body).items()}
    assert form == {"username": "shubbak", "to": PHONE, "from": "1919", "message": "Shubbak : paiement 1/2",
                    "bulkSMSMode": "0", "linkId": "link-77", "keyword": "PAYER", "retryDurationInHours": "2"}
    assert request.headers["apiKey"] == "key-123" and request.headers["Accept"] == "application/json"


def test_the_sandbox_username_bills_through_the_sandbox(http):
    http.add(responses.POST, SANDBOX_URL, json=answer(), status=201)
    assert bill(AfricasTalkingPremium("sandbox", "key")) == "ATPid_SampleTxnId1"


def test_an_answer_that_is_json_under_another_content_type_is_still_read(http):
    http.add(responses.POST, AT_PREMIUM_URL, body=json.dumps(answer()), status=201,
             content_type="application/json; charset=utf-8")
    assert bill() == "ATPid_SampleTxnId1"


@pytest.mark.parametrize(("code", "status", "retryable"), [
    (406, "UserInBlacklist", False), (403, "InvalidPhoneNumber", False), (405, "InsufficientBalance", True),
    (500, "InternalServerError", True), (501, "GatewayError", True), (502, "RejectedByGateway", True),
    # No other biller exists and AT refuses these again on every try: the charge fails, the citizen is told.
    (401, "RiskHold", False), (402, "InvalidSenderId", False), (407, "CouldNotRoute", False)])
def test_a_refused_recipient_is_a_billing_error_saying_whether_to_retry(http, code, status, retryable):
    http.add(responses.POST, AT_PREMIUM_URL, json=answer(code, status, "None"), status=201)
    with pytest.raises(BillingError) as refused:
        bill()
    assert (refused.value.reason, refused.value.retryable) == (status, retryable)


@pytest.mark.parametrize(("reply", "reason", "retryable"), [
    (dict(body=requests.ConnectionError("refused")), "unreachable: ConnectionError", True),
    (dict(body=requests.ReadTimeout("slow")), "ProviderTimeout", False),
    (dict(body="The supplied authentication is invalid", status=401), "http error", True),
    (dict(body="<html>oops</html>", status=200), "unreadable answer", False),
    (dict(json={"SMSMessageData": {"Message": "InvalidSenderId", "Recipients": []}}, status=201), "InvalidSenderId",
     False),
])
def test_network_and_answer_troubles_are_classified_once(http, reply, reason, retryable):
    http.add(responses.POST, AT_PREMIUM_URL, **reply)
    with pytest.raises(BillingError) as refused:
        bill()
    assert refused.value.reason.startswith(reason) and refused.value.retryable is retryable


@pytest.mark.parametrize(("word", "ours"), [
    ("Success", "succeeded"), ("Failed", "failed"), ("Rejected", "failed"), ("Expired", "failed"), ("Sent", "sent"),
    ("Submitted", "sent"), ("Buffered", "sent"), ("delivered", "succeeded"), ("undelivered", "failed"),
    ("Mystery", None)])
def test_report_words_map_to_ours_through_one_table(word, ours):
    assert report_status(AfricasTalkingPremium("shubbak", "k"), word) == ours
    # The console sender speaks Africa's Talking's words too: from the same table, not a copy of its own.
    assert report_status(ConsolePremiumSender(), word) == ours


def test_the_console_sender_bills_nothing_and_logs_a_masked_number(caplog):
    console = ConsolePremiumSender()
    with caplog.at_level("INFO"):
        first, second = (console.bill(PHONE, "text", "1919", "PAY", "link") for _ in range(2))
    assert first.startswith("console-premium-") and first != second and len(console.billed) == 2
    assert PHONE not in caplog.text and "+2126****5678" in caplog.text
