"""Kannel as a provider: SMS in through get-url, out through sendsms (stubbed at the HTTP boundary), delivery
reports through dlr-url; its callbacks checked by key, read strictly, deduplicated, answered. The run through a
real bearerbox, smsbox and fakesmsc is tests/kannel/test_end_to_end.py."""
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

import bootstrap
from channels import kannel, records, registry
from channels.delivery import Outcome
from channels.senders import SendError
from tests.dialog.conftest import drain

from .harness import PHONE, guarded

__all__ = ["guarded"]

KEY = "kannel-key-Zr4Qw8Lp2Xv6Nt0Bm3"
PASSWORD = "kannel-sendsms-password-77"
SENDSMS = "http://kannel.test:13013/cgi-bin/sendsms"
ENV = {"SHUBBAK_KANNEL_SENDSMS_URL": SENDSMS, "SHUBBAK_KANNEL_USERNAME": "shubbak",
       "SHUBBAK_KANNEL_PASSWORD": PASSWORD, "SHUBBAK_KANNEL_FROM": "1919", "SHUBBAK_KANNEL_WEBHOOK_KEYS": KEY}
# The same settings as Settings fields (what the factory reads once from ENV).
KANNEL = {"kannel_sendsms_url": SENDSMS, "kannel_username": "shubbak", "kannel_password": PASSWORD,
          "kannel_from": "1919", "kannel_webhook_keys": (KEY,)}
_ids = iter(range(1, 10_000))


@pytest.fixture
def wired(services):
    services.settings = replace(services.settings, sms_providers=("kannel",), public_base_url="https://shubbak.test",
                                **KANNEL)
    return bootstrap.wire(services, fresh=True)  # the root builds the senders from the changed settings


def sms_in(client, text: str, key: str = KEY, message_id: str | None = None, **extra):
    query = {"key": key, "from": PHONE, "to": "1919", "text": text,
             "id": message_id or f"2f5c0a6e-0000-4000-8000-{next(_ids):012d}", "at": "2026-11-23 09:00:00",
             "smsc": "fake", **extra}
    return client.get("/webhooks/kannel/sms", query_string=query)


def test_kannel_is_registered_with_its_routes_and_keeps_the_contract():
    assert registry.providers()["kannel"] is kannel
    assert registry.route("kannel", "sms")[1].methods == ("GET",) and registry.route("kannel", "delivery")


def test_without_settings_no_sender_is_made_and_every_callback_is_refused(client, services):
    assert "kannel" not in registry.senders(services.settings)
    assert sms_in(client, "AIDE", key="").status_code == 403


def test_kannels_settings_are_read_once_from_the_environment_with_defaults():
    from settings import Settings

    read = Settings.from_env({**ENV, "SHUBBAK_KANNEL_WEBHOOK_KEYS": f"{KEY}, older-kannel-key-Hq2Zt7"})
    assert (read.kannel_sendsms_url, read.kannel_username, read.kannel_password, read.kannel_from) == (
        SENDSMS, "shubbak", PASSWORD, "1919")
    assert read.kannel_webhook_keys == (KEY, "older-kannel-key-Hq2Zt7")
    embedded = Settings.from_env({})
    assert (embedded.kannel_sendsms_url, embedded.kannel_webhook_keys, embedded.kannel_smsc,
            embedded.kannel_dlr_mask) == ("", (), "", 31)


def test_a_callback_is_checked_against_the_settings_not_the_environment_of_the_moment(client, wired, monkeypatch,
                                                                                      guarded):
    guarded.add(responses.GET, SENDSMS, body="0: Accepted for delivery", status=202)
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    assert sms_in(client, "AIDE").status_code == 200
    monkeypatch.setenv("SHUBBAK_KANNEL_WEBHOOK_KEYS", "a-key-set-after-the-start-Vb9")
    assert sms_in(client, "AIDE", key="a-key-set-after-the-start-Vb9").status_code == 403


def test_a_wrong_key_is_403_and_a_post_is_405(client, wired, guarded):
    assert sms_in(client, "AIDE", key="not-the-key").status_code == 403
    assert client.post("/webhooks/kannel/sms", data={"key": KEY}).status_code == 405
    assert records.conversation(wired.uow(), PHONE) == []


def test_missing_fields_are_named_in_a_400(client, wired, guarded):
    answer = client.get("/webhooks/kannel/sms", query_string={"key": KEY, "text": "AIDE"})
    assert answer.status_code == 400 and set(answer.get_json()["fields"]) == {"from", "to", "id"}


def test_an_sms_in_is_answered_through_sendsms_with_a_delivery_report_url(client, wired, guarded):
    guarded.add(responses.GET, SENDSMS, body="0: Accepted for delivery", status=202)
    answer = sms_in(client, "AIDE")
    assert (answer.status_code, answer.get_data(as_text=True)) == (200, "")
    drain(wired)
    [call] = guarded.calls
    sent = parse_qs(urlsplit(call.request.url).query)
    assert (sent["to"], sent["from"], sent["username"], sent["dlr-mask"]) == ([PHONE], ["1919"], ["shubbak"], ["31"])
    dlr = urlsplit(sent["dlr-url"][0])
    assert dlr.path == "/webhooks/kannel/delivery" and "type=%d" in dlr.query and f"key={KEY}" in dlr.query
    [reply] = [m for m in records.conversation(wired.uow(), PHONE) if m["direction"] == "out"]
    assert reply["provider"] == "kannel" and reply["provider_message_id"] in dlr.query and reply["text"]


def test_a_replayed_sms_is_answered_once(client, wired, guarded):
    guarded.add(responses.GET, SENDSMS, body="0: Accepted for delivery", status=202)
    for _ in range(2):
        assert sms_in(client, "AIDE", message_id="same-kannel-id").status_code == 200
    drain(wired)
    assert len(guarded.calls) == 1


def test_delivery_reports_move_the_reply_to_delivered(client, wired, guarded):
    guarded.add(responses.GET, SENDSMS, body="0: Accepted for delivery", status=202)
    sms_in(client, "AIDE")
    drain(wired)
    message_id = parse_qs(urlsplit(parse_qs(urlsplit(guarded.calls[0].request.url).query)["dlr-url"][0]).query)["id"][0]
    for kind, answer in (("8", "ACK/"), ("1", "")):
        report = {"key": KEY, "id": message_id, "type": kind, "answer": answer}
        assert client.get("/webhooks/kannel/delivery", query_string=report).status_code == 200
        drain(wired)
    [reply] = [m for m in records.conversation(wired.uow(), PHONE) if m["direction"] == "out"]
    assert reply["status"] == "delivered"


@pytest.mark.parametrize(("kind", "ours", "final", "outcome"), [
    ("1", "delivered", True, None), ("8", "sent", False, None), ("4", "queued", False, None),
    ("2", "undelivered", True, Outcome.RETRY), ("16", "failed", True, Outcome.OTHER_PROVIDER),
])
def test_report_types_in_our_words(kind, ours, final, outcome):
    report = kannel.status({"id": "abc", "type": kind, "answer": "NACK/0x0000000b/Invalid Destination Address"})
    assert (report.status, report.final, report.outcome) == (ours, final, outcome)


@pytest.mark.parametrize(("status", "body", "outcome"), [
    (400, "Number(s) has/have been denied by white- and/or black-lists.", Outcome.PERMANENT),
    (403, "Authorization failed for sendsms", Outcome.OTHER_PROVIDER),
    (503, "Sending failed.", Outcome.RETRY),
])
def test_a_refused_send_is_classified_by_the_one_table(guarded, status, body, outcome):
    guarded.add(responses.GET, SENDSMS, body=body, status=status)
    with pytest.raises(SendError) as refused:
        kannel.sender(replace_settings()).send(PHONE, "Bonjour")
    assert refused.value.outcome == outcome


def test_an_arabic_text_goes_as_ucs2_and_kannel_unreachable_is_retried(guarded):
    guarded.add(responses.GET, SENDSMS, body="3: Queued for later delivery", status=202)
    result = kannel.sender(replace_settings()).send(PHONE, "مرحبا")
    assert result.status == "queued" and parse_qs(urlsplit(guarded.calls[0].request.url).query)["coding"] == ["2"]
    guarded.add(responses.GET, SENDSMS, body=requests.ConnectionError("down"))
    with pytest.raises(SendError) as down:
        kannel.sender(replace_settings()).send(PHONE, "Bonjour")
    assert down.value.retryable


def test_kannels_secrets_are_redacted_from_logs():
    assert {PASSWORD, KEY} <= set(registry.secrets(replace_settings()))


def replace_settings():
    from settings import Settings
    return Settings(env="test", public_base_url="https://shubbak.test", **KANNEL)


@pytest.mark.parametrize(("query_text", "coding", "charset", "text"), [
    ("%06%37%06%44%06%28%00%20%06%28", "2", "UTF-16BE", "طلب ب"),  # UCS-2 bytes (a space is 00 20), as Kannel passes them
    ("R%C3%A9clamation", "0", "UTF-8", "Réclamation"),
    ("R%E9clamation", "0", "ISO-8859-1", "Réclamation"),
    ("%00%E9", "2", "", "é"),                                 # a UCS-2 byte that is no UTF-8 on its own
])
def test_the_text_is_decoded_by_its_coding_and_charset(client, wired, guarded, query_text, coding, charset, text):
    query = (f"key={KEY}&from=%2B212612345678&to=1919&text={query_text}&coding={coding}&charset={charset}"
             f"&id=kannel-{coding}-{len(query_text)}-{charset}")
    assert client.get(f"/webhooks/kannel/sms?{query}").status_code == 200
    [received] = [m for m in records.conversation(wired.uow(), PHONE) if m["direction"] == "in"]
    assert received["text"] == text
