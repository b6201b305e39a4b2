"""The channel contract and its registry: one table of (provider, route), WhatsApp a route of Twilio, every
provider's secrets known to the log redaction, its senders built from settings."""
import logging

import pytest

from channels import registry, twilio, whatsapp
from channels.contract import KINDS, Route, dedup_key
from channels.message import Inbound
from logs import configure_logging
from settings import Settings

CONTRACT = ("NAME", "ROUTES", "authentic", "acknowledge", "secrets")


@pytest.mark.parametrize("module", registry.providers().values(), ids=lambda m: m.NAME)
def test_every_provider_keeps_the_contract(module):
    assert all(hasattr(module, name) for name in CONTRACT)
    assert all(isinstance(route, Route) and route.kind in KINDS for route in module.ROUTES.values())
    body, content_type = module.acknowledge()
    assert isinstance(body, str) and content_type


def test_whatsapp_is_a_route_of_twilio_in_the_one_table():
    module, route = registry.route("twilio", "whatsapp")
    assert module is whatsapp and route.kind == "message" and route.read is whatsapp.receive
    assert registry.route("twilio", "sms")[0] is twilio and registry.providers()["twilio"] is twilio
    assert registry.route("whatsapp", "whatsapp") is None  # no provider of that name


def test_the_dedup_key_is_the_providers_own_or_its_message_id():
    sms = Inbound("sms", "twilio", "+212612345678", "AIDE", provider_message_id="SM1")
    assert dedup_key(twilio, sms) == ("twilio", "sms", "SM1")
    step = Inbound("ussd", "africastalking", "+212612345678", "2", session_id="s1", inputs=("1", "2"))
    assert dedup_key(registry.providers()["africastalking"], step) == ("ussd", "africastalking", "s1", "1*2")


def test_senders_are_built_for_the_providers_whose_settings_are_set():
    assert set(registry.senders(Settings(env="test"))) == {"console"}
    wired = Settings(env="test", at_username="sandbox", at_api_key="at-key-123456", twilio_account_sid="AC" + "1" * 32,
                     twilio_auth_token="twilio-token-123456", twilio_sms_from="+15005550006")
    assert set(registry.senders(wired)) == {"console", "africastalking", "twilio"}


def test_the_log_redaction_hides_every_providers_secret(caplog):
    settings = Settings(env="test", at_webhook_keys=("at-hook-key-1",), at_api_key="at-api-key-2",
                        twilio_auth_token="twilio-token-3")
    assert {"at-hook-key-1", "at-api-key-2", "twilio-token-3"} <= set(registry.secrets(settings))
    redactor = configure_logging(settings)
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "keys %s %s %s",
                               ("at-hook-key-1", "at-api-key-2", "twilio-token-3"), None)
    redactor.filter(record)
    assert record.getMessage() == "keys [redacted] [redacted] [redacted]"
