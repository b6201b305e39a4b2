"""Reading providers' callbacks: the neutral message, the status tables, the authenticity checks."""
from datetime import datetime, timezone

import pytest
from twilio.request_validator import RequestValidator

from channels import africastalking, twilio
from channels.callbacks import Callback, key_matches
from channels.message import SessionState
from orders_core.errors import InvalidInput
from settings import Settings

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


def test_a_ussd_step_becomes_an_inbound_with_every_input_of_its_path():
    inbound = africastalking.receive_ussd({"sessionId": "ATUid_1", "serviceCode": "*123#",
                                           "phoneNumber": "+212612345678", "text": "1*2*rabat"}, NOW)
    assert (inbound.channel, inbound.contact, inbound.text, inbound.session_id) == ("ussd", "+212612345678",
                                                                                    "rabat", "ATUid_1")
    assert inbound.inputs == ("1", "2", "rabat") and inbound.state == SessionState.RESUME


def test_the_first_ussd_request_is_a_new_session():
    inbound = africastalking.receive_ussd({"sessionId": "s", "serviceCode": "*1#", "phoneNumber": "0612345678",
                                           "text": ""}, NOW)
    assert inbound.state == SessionState.NEW and inbound.text == "" and inbound.phone == "+212612345678"
    assert inbound.inputs == ()


@pytest.mark.parametrize(("written", "moment"), [
    ("2017-05-03T06:04:45Z", datetime(2017, 5, 3, 6, 4, 45, tzinfo=timezone.utc)),
    ("2017-05-03 06:04:45", datetime(2017, 5, 3, 6, 4, 45, tzinfo=timezone.utc)),
])
def test_both_date_forms_of_africas_talking_are_read(written, moment):
    inbound = africastalking.receive_sms({"from": "+212612345678", "to": "1919", "text": "AIDE", "id": "x",
                                          "date": written, "linkId": "L1"}, NOW)
    assert inbound.received_at == moment and inbound.extra["link_id"] == "L1"


def test_a_malformed_date_and_missing_fields_are_all_named():
    with pytest.raises(InvalidInput) as bad:
        africastalking.receive_sms({"from": "+212612345678", "date": "yesterday"}, NOW)
    assert set(bad.value.problems) == {"to", "text", "id", "date"}


@pytest.mark.parametrize(("word", "ours", "final"), [
    ("Success", "delivered", True), ("Failed", "failed", True), ("Rejected", "rejected", True),
    ("Buffered", "queued", False), ("Sent", "sent", False), ("Expired", "expired", True),
])
def test_africas_talking_report_words_map_to_ours(word, ours, final):
    report = africastalking.status({"id": "ATXid_1", "status": word, "failureReason": "InsufficientCredit"})
    assert (report.status, report.final, report.detail, report.provider_status) == (
        ours, final, "InsufficientCredit", word)


@pytest.mark.parametrize(("word", "ours"), [("delivered", "delivered"), ("undelivered", "undelivered"),
                                            ("sending", "sent"), ("queued", "queued"), ("read", "read")])
def test_twilio_status_words_map_to_ours(word, ours):
    assert twilio.status({"MessageSid": "SM1", "MessageStatus": word}).status == ours


def test_a_status_word_new_to_us_is_kept_not_refused():
    report = twilio.status({"MessageSid": "SM1", "MessageStatus": "partially_delivered"})
    assert (report.status, report.provider_status) == (None, "partially_delivered")


def test_keys_are_compared_against_each_configured_key():
    assert key_matches("new", ("new", "old")) and key_matches("old", ("new", "old"))
    assert not key_matches("", ("new",)) and not key_matches(None, ("new",)) and not key_matches("x", ())


def test_a_twilio_signature_made_for_another_url_is_refused():
    settings = Settings(twilio_auth_token="token-1234567", public_base_url="https://shubbak.example.ma")
    form = {"From": "+212612345678", "Body": "hi"}
    public = "https://shubbak.example.ma/webhooks/twilio/sms"
    signature = RequestValidator("token-1234567").compute_signature(public, form)
    assert twilio.authentic(Callback(public, {}, form, {"X-Twilio-Signature": signature}), settings)
    behind_proxy = "http://10.0.0.5:8000/webhooks/twilio/sms"
    assert not twilio.authentic(Callback(behind_proxy, {}, form, {"X-Twilio-Signature": signature}), settings)
