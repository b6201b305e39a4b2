"""The WhatsApp callback through the shared webhook harness, then what only WhatsApp carries: files, ids."""
import pytest
from sqlalchemy import select

from channels.whatsapp import receive
from dialog.orm import contacts
from orders_core.errors import InvalidInput
from tests.channels.harness import Case, cases, post

from .conftest import WHATSAPP, drain, whatsapp_form

TABLE = [pytest.param(case, id=case.name) for case in cases(WHATSAPP)] + [
    pytest.param(Case("a photo with its caption", lambda f: {**f, "NumMedia": "1", "MessageType": "image",
                                                             "MediaUrl0": "https://api.twilio.com/m/ME1",
                                                             "MediaContentType0": "image/jpeg"}), id="media"),
    pytest.param(Case("a file without text", lambda f: {**f, "Body": "", "NumMedia": "1", "MessageType": "document",
                                                        "MediaUrl0": "https://api.twilio.com/m/ME2",
                                                        "MediaContentType0": "application/pdf"}),
                 id="media without text"),
    pytest.param(Case("an ExternalUserId and no phone number",
                      lambda f: {**{k: v for k, v in f.items() if k != "WaId"},
                                 "From": "whatsapp:MA.13491208655302741918",
                                 "ExternalUserId": "MA.13491208655302741918"}), id="ExternalUserId without a phone"),
    pytest.param(Case("a file announced but missing", lambda f: {**f, "NumMedia": "1"}, status=400, changes=False,
                      missing="MediaUrl0"), id="missing media url"),
    # Courier's "Receive Prefixless URN" fixture: a WhatsApp message whose From lacks the whatsapp: prefix.
    pytest.param(Case("a WhatsApp number without its prefix", lambda f: {**f, "From": "+212612345678"}),
                 id="prefixless address"),
    pytest.param(Case("not a WhatsApp address at all", lambda f: {**f, "From": "whatsapp:"}, status=400,
                      changes=False, missing="From"), id="empty address"),
]


@pytest.mark.parametrize("case", TABLE)
def test_each_whatsapp_webhook_case(client, services, guarded, case: Case):
    form = case.form(WHATSAPP.form())
    before = WHATSAPP.effect(services, form)
    response = post(client, WHATSAPP, form, case.auth)
    assert response.status_code == case.status, response.get_data(as_text=True)
    assert (WHATSAPP.effect(services, form) != before) == case.changes
    if case.missing:
        assert case.missing in response.get_json()["fields"]
    if case.status == 200:
        assert response.content_type.startswith("text/xml")
        assert response.get_data(as_text=True).endswith("<Response />")


def test_a_duplicate_gets_the_same_answer_and_changes_nothing(client, services, guarded):
    form = WHATSAPP.form()
    first = post(client, WHATSAPP, form)
    queued_after_first = WHATSAPP.effect(services, form)
    again = post(client, WHATSAPP, form)
    assert (again.status_code, again.get_data()) == (first.status_code, first.get_data())
    assert WHATSAPP.effect(services, form) == queued_after_first == 1


def test_a_bad_signature_changes_nothing_even_later(client, services, guarded):
    post(client, WHATSAPP, WHATSAPP.form(), auth="bad")
    drain(services)
    with services.uow() as uow:
        assert uow.session.execute(select(contacts)).all() == []


def test_the_signature_is_checked_against_the_public_url_not_the_host_header(client, guarded):
    form = WHATSAPP.form()
    response = post(client, WHATSAPP, form)  # signed for https://shubbak.example.ma, posted to http://localhost
    assert response.status_code == 200


def test_an_unexpected_failure_is_answered_503_never_500(client, services, guarded, monkeypatch):
    monkeypatch.setattr("channels.inbox.record_message", lambda uow, inbound: 1 / 0)
    response = post(client, WHATSAPP, WHATSAPP.form())
    assert response.status_code == 503
    assert post(client, WHATSAPP, WHATSAPP.form()).status_code == 503  # nothing half-remembered


def test_a_message_reads_into_the_neutral_message_with_its_files_and_ids(services):
    form = whatsapp_form("whatsapp:+33612345678", "ma réclamation", NumMedia="2",
                         MediaUrl0="https://api.twilio.com/m/ME1", MediaContentType0="image/jpeg",
                         MediaUrl1="https://api.twilio.com/m/ME2", MediaContentType1="application/pdf",
                         ExternalUserId="FR.99", Latitude="48.85", Foo="new parameter")
    inbound = receive(form, services.clock())
    assert (inbound.channel, inbound.provider, inbound.contact, inbound.phone) == (
        "whatsapp", "twilio", "+33612345678", "+33612345678")
    assert inbound.extra["media"] == [{"url": "https://api.twilio.com/m/ME1", "type": "image/jpeg"},
                                      {"url": "https://api.twilio.com/m/ME2", "type": "application/pdf"}]
    assert (inbound.extra["wa_id"], inbound.extra["external_user_id"]) == ("33612345678", "FR.99")


def test_a_contact_without_a_phone_number_is_keyed_on_its_external_id(services):
    form = whatsapp_form("whatsapp:MA.1349", "salam", ExternalUserId="MA.1349")
    inbound = receive(form, services.clock())
    assert (inbound.contact, inbound.phone) == ("whatsapp:ext:MA.1349", None)


def test_missing_fields_are_all_named_at_once(services):
    with pytest.raises(InvalidInput) as refused:
        receive({"Body": "x", "NumMedia": "two"}, services.clock())
    assert set(refused.value.problems) == {"MessageSid", "From", "To", "NumMedia"}
