"""The phone simulator, driven over HTTP: it goes through the real webhooks and shows what was sent."""
from dataclasses import replace
from pathlib import Path

import pytest

from app import create_app
from tests.channels.harness import PHONE, guarded, secured
from tests.dialog.conftest import drain, orders

__all__ = ["guarded"]


@pytest.fixture
def client(services):
    return create_app({"services": opted_in(services)}).test_client()


def opted_in(services):
    services.settings = replace(services.settings, simulator="1")
    return services


def dial(client, session=None, path=""):
    return client.post("/simulator/ussd", json={"phone": "0612345678", "session": session, "path": path}).get_json()


def test_the_page_offers_the_ussd_code_and_the_short_code(client, guarded):
    page = client.get("/simulator/")
    assert page.status_code == 200 and "*123#" in page.get_data(as_text=True)
    with client.get("/simulator/static/simulator.js") as script:
        assert script.status_code == 200 and b"/simulator/ussd" in script.data


def test_a_whole_ussd_order_through_the_simulator(client, services, guarded):
    first = dial(client)
    assert first["status"] == 200 and first["answer"].startswith("CON ")
    path = ""
    for typed in ("1", "1", "1", "rabat", "1", "1234 1990", "El Amrani, Salma", "1", "Rabat, 12 rue Oued Sebou, Agdal",
                  "1"):
        path = typed if not path else f"{path}*{typed}"
        answer = dial(client, first["session"], path)["answer"]
    assert answer.startswith("END ") and orders(services)[0].reference[:3] in answer


@pytest.mark.parametrize("provider", ["africastalking", "twilio"])
def test_an_sms_sent_from_the_simulator_gets_its_reply_listed(client, services, guarded, provider):
    sent = client.post("/simulator/sms", json={"phone": PHONE, "text": "AIDE", "provider": provider}).get_json()
    assert sent["status"] == 200
    drain(services)
    shown = client.get(f"/simulator/messages?phone={PHONE}").get_json()
    assert [m["direction"] for m in shown["conversation"]] == ["in", "out"]
    assert shown["conversation"][1]["text"].startswith("Shubbak") and shown["outgoing"][0]["status"] == "sent"


def test_with_secrets_configured_the_simulator_adds_the_key_and_the_signature(services, guarded):
    client = create_app({"services": secured(opted_in(services))}).test_client()
    assert dial(client)["status"] == 200
    assert client.post("/simulator/sms", json={"phone": PHONE, "text": "AIDE", "provider": "twilio"}
                       ).get_json()["status"] == 200
    assert client.post("/webhooks/twilio/sms", data={"From": PHONE}).status_code == 403


def test_there_is_no_simulator_unless_opted_in(services):
    client = create_app({"services": services}).test_client()
    assert services.settings.simulator == ""
    assert client.get("/simulator/").status_code == 404
    assert client.post("/simulator/sms", json={"phone": PHONE, "text": "PRENDRE 2611482735"}).status_code == 404
    assert client.get("/simulator/messages").status_code == 404


def test_the_simulator_is_opted_in_by_its_variable_and_by_dev_run(tmp_path):
    from settings import Settings
    assert Settings.from_env({"SHUBBAK_SIMULATOR": "1"}).simulator_enabled
    assert not Settings.from_env({}).simulator_enabled
    assert "export SHUBBAK_SIMULATOR=1" in Path("dev").read_text(encoding="utf-8")


def test_there_is_no_simulator_in_production(services):
    services.settings = replace(services.settings, env="production", simulator="1")
    client = create_app({"services": services}).test_client()
    assert client.get("/simulator/").status_code == 404
    assert client.post("/simulator/sms", json={"text": "AIDE"}).status_code == 404
