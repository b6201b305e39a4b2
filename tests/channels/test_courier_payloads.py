"""The payloads RapidPro's courier sees from Twilio and Africa's Talking (its handler_test.go fixtures, byte for
byte), replayed through Shubbak's webhooks: what is stored, and what the citizen gets back."""
from datetime import datetime, timezone
from urllib.parse import parse_qsl

import pytest
from sqlalchemy import update

from app import create_app
from channels import africastalking, records, twilio, whatsapp
from channels.inbox import claim_message
from channels.orm import sms_messages as t
from notifications.optouts import opt_outs_of
from tests.channels.harness import ENDPOINTS, guarded, post, queued, secured  # noqa: F401 (fixture)
from tests.whatsapp.conftest import WHATSAPP

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=timezone.utc)
SENDER = "+14133881111"
# nyaruka/courier handlers/twiml/handlers_test.go
RECEIVE_MEDIA = ("ToCountry=US&ToState=District+Of+Columbia&SmsMessageSid=SMe287d7109a5a925f182f0e07fe5b223b&NumMedia=2"
                 "&ToCity=&FromZip=01022&SmsSid=SMe287d7109a5a925f182f0e07fe5b223b&FromState=MA&SmsStatus=received"
                 "&FromCity=CHICOPEE&FromCountry=US&To=%2B12028831111&ToZip=&NumSegments=1"
                 "&MessageSid=SMe287d7109a5a925f182f0e07fe5b223b&AccountSid=acctid&From=%2B14133881111"
                 "&ApiVersion=2010-04-01&MediaUrl0=cat.jpg&MediaUrl1=dog.jpg")
RECEIVE_MEDIA_WITH_MSG = RECEIVE_MEDIA.replace("&ToCity=&", "&ToCity=&Body=Msg&")
RECEIVE_BASE64 = ("ToCountry=US&ToState=District+Of+Columbia&SmsMessageSid=SMe287d7109a5a925f182f0e07fe5b223b"
                  "&NumMedia=0&ToCity=&FromZip=01022&SmsSid=SMe287d7109a5a925f182f0e07fe5b223b&FromState=MA"
                  "&SmsStatus=received&FromCity=CHICOPEE"
                  "&Body=QmFubm9uIEV4cGxhaW5zIFRoZSBXb3JsZCAuLi4K4oCcVGhlIENhbXAgb2YgdGhlIFNhaW50c%2BKA"
                  "&FromCountry=US&To=%2B12028831111&ToZip=&NumSegments=1"
                  "&MessageSid=SMe287d7109a5a925f182f0e07fe5b223b&AccountSid=acctid&From=%2B14133881111"
                  "&ApiVersion=2010-04-01")
RECEIVE_BUTTON_IGNORED = ("ToCountry=US&ToState=District+Of+Columbia&SmsMessageSid=SMe287d7109a5a925f182f0e07fe5b223b"
                          "&NumMedia=0&ToCity=&FromZip=01022&SmsSid=SMe287d7109a5a925f182f0e07fe5b223b&FromState=MA"
                          "&SmsStatus=received&FromCity=CHICOPEE&Body=Msg&ButtonText=Confirm&FromCountry=US"
                          "&To=%2B12028831111&ToZip=&NumSegments=1&MessageSid=SMe287d7109a5a925f182f0e07fe5b223b"
                          "&AccountSid=acctid&From=%2B14133881111&ApiVersion=2010-04-01")
WA_RECEIVE_BUTTON = RECEIVE_BUTTON_IGNORED.replace("To=%2B1", "To=whatsapp:%2B1").replace("From=%2B1",
                                                                                        "From=whatsapp:%2B1")
WA_RECEIVE_PREFIXLESS = ("ToCountry=US&ToState=CA&SmsMessageSid=SM681a1f26d9ec591431ce406e8f399525&NumMedia=0"
                         "&ToCity=&FromZip=60625&SmsSid=SM681a1f26d9ec591431ce406e8f399525&FromState=IL"
                         "&SmsStatus=received&FromCity=CHICAGO&Body=Msg&FromCountry=US&To=%2B12028831111&ToZip="
                         "&NumSegments=1&MessageSid=SM681a1f26d9ec591431ce406e8f399525&AccountSid=acctid"
                         "&From=%2B14133881111&ApiVersion=2010-04-01")
WA_RECEIVE_FROM_BSUID = ("ToCountry=US&ToState=District+Of+Columbia&SmsMessageSid=SMe287d7109a5a925f182f0e07fe5b223b"
                         "&NumMedia=0&ToCity=&FromZip=01022&SmsSid=SMe287d7109a5a925f182f0e07fe5b223b&FromState=MA"
                         "&SmsStatus=received&FromCity=CHICOPEE&Body=Msg&FromCountry=US&To=whatsapp:%2B12028831111"
                         "&ToZip=&NumSegments=1&MessageSid=SMe287d7109a5a925f182f0e07fe5b223b&AccountSid=acctid"
                         "&From=whatsapp:US.1234&ExternalUserId=whatsapp:US.1234&ApiVersion=2010-04-01")
STATUS_STOP = "ErrorCode=21610&MessageSid=SMe287d7109a5a925f182f0e07fe5b223b&MessageStatus=failed&To=%2B12028831111"
STATUS_RATE_LIMIT = "MessageSid=SMe287d7109a5a925f182f0e07fe5b223b&MessageStatus=failed&ErrorCode=63018"
STATUS_INVALID = "MessageSid=SMe287d7109a5a925f182f0e07fe5b223b&MessageStatus=huh"
# nyaruka/courier handlers/africastalking/handler_test.go
AT_RECEIVE = ("linkId=03090445075804249226&text=Msg&to=21512&id=ec9adc86-51d5-4bc8-8eb0-d8ab0bb53dc3"
              "&date=2017-05-03T06%3A04%3A45Z&from=%2B254791541111")
AT_RECEIVE_SPACED_DATE = AT_RECEIVE.replace("2017-05-03T06%3A04%3A45Z", "2017-05-03+06%3A04%3A45")
AT_STATUS_SUCCESS = "id=ATXid_dda018a640edfcc5d2ce455de3e4a6e7&status=Success"
AT_STATUS_EXPIRED = "id=ATXid_dda018a640edfcc5d2ce455de3e4a6e7&status=Expired"


def form(query: str) -> dict:
    return dict(parse_qsl(query, keep_blank_values=True))


@pytest.fixture
def client(services):
    return create_app({"services": secured(services)}).test_client()


def endpoint(name: str):
    return next(e for e in ENDPOINTS if e.name == name)


def test_twilio_media_without_body_is_a_message_with_its_files_not_a_400(client, services, guarded):
    inbound = twilio.receive_sms(form(RECEIVE_MEDIA), NOW)
    assert (inbound.text, inbound.contact) == ("", SENDER)
    assert [m["url"] for m in inbound.extra["media"]] == ["cat.jpg", "dog.jpg"]
    assert post(client, endpoint("twilio-sms"), form(RECEIVE_MEDIA)).status_code == 200
    services.drain()
    conversation = records.conversation(services.uow(), SENDER)
    assert conversation[0]["direction"] == "in" and conversation[-1]["direction"] == "out"  # answered, not lost


def test_twilio_media_with_a_body_keeps_both(services):
    inbound = twilio.receive_sms(form(RECEIVE_MEDIA_WITH_MSG), NOW)
    assert inbound.text == "Msg" and len(inbound.extra["media"]) == 2


def test_a_base64_body_is_read_as_the_text_it_encodes(client, services, guarded):
    assert post(client, endpoint("twilio-sms"), form(RECEIVE_BASE64)).status_code == 200
    stored = records.conversation(services.uow(), SENDER)[0]
    assert stored["text"] == "Bannon Explains The World ...\n“The Camp of the Saints"


@pytest.mark.parametrize("text", ["SUIVI 2611482735", "TEST", "QmFubm9u", "A" * 64])
def test_a_short_or_unlikely_body_is_never_taken_for_base64(text):
    assert twilio.receive_sms({**form(RECEIVE_BASE64), "Body": text}, NOW).text == text


def test_button_text_is_ignored_on_sms_as_courier_does(services):
    assert twilio.receive_sms(form(RECEIVE_BUTTON_IGNORED), NOW).text == "Msg"


def test_button_text_wins_over_body_on_whatsapp(client, services, guarded):
    assert whatsapp.receive(form(WA_RECEIVE_BUTTON), NOW).text == "Confirm"
    assert post(client, WHATSAPP, form(WA_RECEIVE_BUTTON)).status_code == 200
    [row] = [job for job in services.queue("high").jobs]
    assert claim_message(services.uow(), row.args[0]).text == "Confirm"


def test_a_whatsapp_sender_without_the_prefix_or_without_a_phone_is_accepted(client, services, guarded):
    prefixless = whatsapp.receive(form(WA_RECEIVE_PREFIXLESS), NOW)
    assert (prefixless.contact, prefixless.extra["address"]) == (SENDER, "whatsapp:" + SENDER)
    no_phone = whatsapp.receive(form(WA_RECEIVE_FROM_BSUID), NOW)
    assert no_phone.phone is None and "US.1234" in no_phone.contact
    for query in (WA_RECEIVE_PREFIXLESS, WA_RECEIVE_FROM_BSUID):
        assert post(client, WHATSAPP, form(query)).status_code == 200


def test_twilio_21610_and_63018_are_classified_as_courier_treats_them():
    stop, throttled = twilio.status(form(STATUS_STOP)), twilio.status(form(STATUS_RATE_LIMIT))
    assert (stop.status, stop.final, stop.detail, stop.outcome) == ("failed", True, "21610", "opted_out")
    assert (throttled.detail, throttled.outcome) == ("63018", "retry")


def test_a_status_callback_without_any_status_is_acknowledged_and_ignored(client, services, guarded):
    response = post(client, endpoint("twilio-status"), {})
    assert response.status_code == 200 and queued(services) == 0


def test_a_status_word_new_to_us_is_kept_for_support_not_refused(client, services, guarded):
    report = twilio.status(form(STATUS_INVALID))
    assert (report.status, report.provider_status) == (None, "huh")
    assert post(client, endpoint("twilio-status"), form(STATUS_INVALID)).status_code == 200


@pytest.mark.parametrize("query", [AT_RECEIVE, AT_RECEIVE_SPACED_DATE])
def test_africas_talking_sms_with_either_date_form(client, services, guarded, query):
    inbound = africastalking.receive_sms(form(query), NOW)
    assert inbound.received_at == datetime(2017, 5, 3, 6, 4, 45, tzinfo=timezone.utc)
    assert (inbound.contact, inbound.text, inbound.extra["link_id"]) == ("+254791541111", "Msg",
                                                                         "03090445075804249226")
    assert post(client, endpoint("at-sms"), form(query)).status_code == 200


def test_africas_talking_sms_without_a_date_is_received_now(services):
    without = {k: v for k, v in form(AT_RECEIVE).items() if k != "date"}
    assert africastalking.receive_sms(without, NOW).received_at == NOW


@pytest.mark.parametrize(("query", "ours", "final"), [(AT_STATUS_SUCCESS, "delivered", True),
                                                      (AT_STATUS_EXPIRED, "expired", True)])
def test_africas_talking_reports_as_courier_maps_them(query, ours, final):
    report = africastalking.status(form(query))
    assert (report.status, report.final) == (ours, final)


@pytest.mark.parametrize(("word", "ours", "final"), [
    ("success", "delivered", True), ("SUCCESS", "delivered", True), ("failed", "failed", True),
    ("buffered", "queued", False), ("Submitted", "sent", False), ("rejected", "rejected", True),
])
def test_africas_talking_words_are_read_in_any_case_and_keep_at_s_spelling(word, ours, final):
    report = africastalking.status({"id": "ATXid_1", "status": word})
    assert (report.status, report.final, report.provider_status) == (ours, final, word.strip().capitalize())


def test_a_lowercase_success_marks_a_reply_delivered(client, services, guarded):
    at_sms, at_report = endpoint("at-sms"), endpoint("at-delivery")
    post(client, at_sms, at_sms.form())
    services.drain()
    with services.uow() as uow:  # as if Africa's Talking had carried the reply
        uow.session.execute(update(t).where(t.c.direction == "out").values(provider="africastalking",
                                                                          provider_message_id="ATXid_out1"))
        uow.commit()
    post(client, at_report, {**at_report.form(), "id": "ATXid_out1", "status": "success"})
    services.drain()
    assert records.recent(services.uow(), direction="out")[0]["status"] == "delivered"


def test_a_whatsapp_voice_note_without_body_is_received_with_its_file(client, services, guarded):
    voice = {k: v for k, v in form(WA_RECEIVE_BUTTON).items() if k not in ("Body", "ButtonText")}
    voice.update(NumMedia="1", MediaUrl0="https://api.twilio.com/m/ME1", MediaContentType0="audio/ogg")
    inbound = whatsapp.receive(voice, NOW)
    assert inbound.text == "" and inbound.extra["media"] == [{"url": "https://api.twilio.com/m/ME1",
                                                               "type": "audio/ogg"}]
    assert post(client, WHATSAPP, voice).status_code == 200


def test_courier_s_stop_contact_status_on_a_reply_opts_its_recipient_out(client, services, guarded):
    twilio_sms = endpoint("twilio-sms")
    post(client, twilio_sms, twilio_sms.form())
    services.drain()
    with services.uow() as uow:  # as if Twilio had carried the reply, under courier's fixture id
        uow.session.execute(update(t).where(t.c.direction == "out").values(
            provider="twilio", provider_message_id="SMe287d7109a5a925f182f0e07fe5b223b"))
        uow.commit()
    assert post(client, endpoint("twilio-status"), form(STATUS_STOP)).status_code == 200
    services.drain()
    with services.uow() as uow:
        [standing] = opt_outs_of(uow, [twilio_sms.form()["From"]])
    assert standing.opted_out and standing.channel == "sms" and standing.how == "twilio:21610"
    assert records.recent(services.uow(), direction="out")[0]["status"] == "failed"
