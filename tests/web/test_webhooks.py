"""Every provider webhook through the shared harness, then what each one answers and does."""
import bootstrap
import logging
from dataclasses import replace

import pytest
import responses

from app import create_app
from channels import records
from tests.channels.harness import (
    ENDPOINTS, KEY, PHONE, USSD, Case, cases, guarded, odd_phones, post, secured,
)

__all__ = ["guarded"]  # the harness's fixtures, used by name

TABLE = [pytest.param(endpoint, case, id=f"{endpoint.name}: {case.name}")
         for endpoint in ENDPOINTS for case in cases(endpoint)]


@pytest.fixture
def client(services):
    return create_app({"services": secured(services)}).test_client()


@pytest.mark.parametrize(("endpoint", "case"), TABLE)
def test_each_webhook_case(client, services, guarded, endpoint, case: Case):
    form = case.form(endpoint.form())
    endpoint.prepare(client, form)
    before = endpoint.effect(services, form)
    response = post(client, endpoint, form, case.auth)
    assert response.status_code == case.status, response.get_data(as_text=True)
    assert (endpoint.effect(services, form) != before) == case.changes
    if case.missing:
        assert case.missing in response.get_json()["fields"]


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.dedup], ids=lambda e: e.name)
def test_a_duplicate_gets_the_same_answer_and_changes_nothing(client, services, guarded, endpoint):
    form = endpoint.form()
    endpoint.prepare(client, form)
    first = post(client, endpoint, form)
    after_first = endpoint.effect(services, form)
    again = post(client, endpoint, form)
    assert (again.status_code, again.get_data()) == (first.status_code, first.get_data())
    assert endpoint.effect(services, form) == after_first


def test_ussd_answers_a_screen_that_waits_for_input(client, guarded):
    response = post(client, USSD, USSD.form())
    body = response.get_data(as_text=True)
    assert response.content_type.startswith("text/plain")
    assert body.startswith("CON ") and len(body) <= 182 and "Francais" in body


def test_a_ussd_step_replayed_by_the_provider_does_not_move_the_session_twice(client, services, guarded):
    form = USSD.form()
    post(client, USSD, form)
    chose = post(client, USSD, {**form, "text": "1"}).get_data(as_text=True)
    assert post(client, USSD, {**form, "text": "1"}).get_data(as_text=True) == chose
    # the next real step is read against the session as it was after the first "1": the main menu
    assert "Quel document" in post(client, USSD, {**form, "text": "1*1"}).get_data(as_text=True)


def test_twilio_gets_empty_twiml_and_the_reply_goes_out_later(client, services, guarded):
    endpoint = next(e for e in ENDPOINTS if e.name == "twilio-sms")
    response = post(client, endpoint, endpoint.form())
    assert response.content_type.startswith("text/xml")
    assert response.get_data(as_text=True).endswith("<Response />")
    assert records.recent(services.uow(), direction="out") == []
    services.drain()
    sent = records.recent(services.uow(), direction="out")
    assert [(m["contact"], m["status"], m["provider"]) for m in sent] == [(PHONE, "sent", "console")]


@pytest.mark.parametrize("written", odd_phones())
def test_an_sms_from_an_oddly_written_number_is_answered_at_its_e164_form(client, services, guarded, written):
    endpoint = next(e for e in ENDPOINTS if e.name == "at-sms")
    post(client, endpoint, {**endpoint.form(), "from": written})
    services.drain()
    assert [m["contact"] for m in records.conversation(services.uow(), PHONE)] == [PHONE, PHONE]


AT_SEND = "https://api.africastalking.com/version1/messaging"
AT_ACCEPTED = {"SMSMessageData": {"Message": "Sent to 1/1 Total Cost: MAD 0.5000", "Recipients": [
    {"statusCode": 101, "number": PHONE, "status": "Success", "cost": "MAD 0.5000", "messageId": "ATXid_out1",
     "messageParts": 1}]}}


def test_a_reply_goes_out_through_africas_talking_and_its_delivery_report_marks_it_delivered(client, services,
                                                                                               guarded):
    services.settings = replace(services.settings, at_username="shubbak", at_api_key="at-api-key-for-tests",
                                sms_providers=("africastalking", "console"))
    bootstrap.wire(services, fresh=True)  # the senders of these settings
    guarded.add(responses.POST, AT_SEND, json=AT_ACCEPTED)
    at_sms = next(e for e in ENDPOINTS if e.name == "at-sms")
    post(client, at_sms, at_sms.form())
    services.drain()
    sent = records.recent(services.uow(), direction="out")[0]
    assert (sent["provider"], sent["provider_message_id"], sent["status"]) == ("africastalking", "ATXid_out1", "sent")
    report = next(e for e in ENDPOINTS if e.name == "at-delivery")
    post(client, report, {**report.form(), "id": "ATXid_out1", "status": "Success"})
    services.drain()
    assert records.recent(services.uow(), direction="out")[0]["status"] == "delivered"
    assert "Shubbak" in guarded.calls[0].request.body and "to=%2B212612345678" in guarded.calls[0].request.body


def test_an_unknown_route_or_provider_is_404_and_get_is_405(client, guarded):
    assert client.post("/webhooks/africastalking/voice").status_code == 404
    assert client.post("/webhooks/nowhere/sms").status_code == 404
    assert client.get("/webhooks/africastalking/sms").status_code == 405


def test_a_json_body_is_a_400_naming_every_missing_field(client, guarded):
    response = client.post("/webhooks/twilio/sms", json={"Body": "hi"},
                           headers={"X-Twilio-Signature": "x"})
    assert response.status_code == 403  # a signature over nothing the form holds
    at = client.post(f"/webhooks/africastalking/sms?key={KEY}", json={"text": "hi"})
    assert at.status_code == 400 and set(at.get_json()["fields"]) == {"from", "to", "text", "id"}


@pytest.mark.parametrize(("logger", "message", "args"), [
    ("werkzeug", '%s - - [%s] "%s" %s -', ("127.0.0.1", "23/Nov/2026 09:00:00",
                                           f"POST /webhooks/africastalking/sms?key={KEY} HTTP/1.1", "200")),
    ("gunicorn.access", '%(h)s "%(r)s" %(s)s', {"h": "10.0.0.1", "r": f"POST /webhooks/africastalking/ussd?key={KEY}"
                                                                         f"&x=1 HTTP/1.1", "s": "200"}),
])
def test_access_log_lines_never_show_the_webhook_key(client, caplog, logger, message, args):
    with caplog.at_level(logging.INFO, logger=logger):
        logging.getLogger(logger).info(message, *(args if isinstance(args, tuple) else (args,)))
    assert KEY not in caplog.text and "key=[redacted]" in caplog.text


def test_an_unexpected_failure_answers_ussd_politely_and_logs_no_citizen_data(client, guarded, monkeypatch,
                                                                                 caplog):
    from dialog.engine import Dialog

    def broken(self, inbound, surface, **options):
        raise RuntimeError(f"boom for {inbound.contact}: {inbound.text}")
    monkeypatch.setattr(Dialog, "handle", broken)
    response = post(client, USSD, {**USSD.form(), "text": ""})
    assert response.status_code == 200 and response.get_data(as_text=True).startswith("END ")
    # the exception's message holds the number; the log names only its type and place (`guarded` checks the rest)
    assert "RuntimeError at test_webhooks.py" in caplog.text


def test_an_sms_that_cannot_be_stored_anywhere_is_503_and_its_retry_goes_through(client, services, guarded,
                                                                                  monkeypatch):
    from redis import ConnectionError as RedisDown
    from sqlalchemy.exc import OperationalError

    from channels.dedup import Once
    endpoint = next(e for e in ENDPOINTS if e.name == "at-sms")
    form = endpoint.form()

    def down(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("no database"))
    monkeypatch.setattr("channels.inbox.record_message", down)
    monkeypatch.setattr(Once, "claim", lambda self, *key: (_ for _ in ()).throw(RedisDown("redis is down")))
    assert post(client, endpoint, form).status_code == 503  # neither PostgreSQL nor Redis: AT sends it again
    monkeypatch.undo()
    assert post(client, endpoint, form).status_code == 200 and services.queue("high").count == 1


@pytest.mark.parametrize("request_line", [
    "GET /staff/lookup?q=%2B212612345678 HTTP/1.1", "GET /staff/lookup?q=0612345678 HTTP/1.1",
    "GET /simulator/messages?phone=%2B212612345678&x=1 HTTP/1.1",
])
def test_access_log_lines_never_show_a_phone_number_searched_for(client, caplog, request_line):
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logging.getLogger("werkzeug").info('%s - - [%s] "%s" %s -', "127.0.0.1", "03/Dec/2026 10:00:00",
                                           request_line, "200")
    assert "612345678" not in caplog.text and "=[redacted]" in caplog.text
