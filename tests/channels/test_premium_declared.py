"""A provider module declares its optional premium biller in the channel contract (`PREMIUM_BILLER`, the module
outside channels/ whose `biller(settings)` bills through it), and the composition root builds the first one that is
configured: adding a premium biller is that module, one line in the provider's module, and the README."""
from dataclasses import dataclass, replace

import bootstrap
from channels import registry
from payments_sms.africastalking import AfricasTalkingPremium
from payments_sms.console import ConsolePremiumSender


@dataclass
class AggregatorBiller:  # an incoming-billing aggregator, declared by a provider module through this test module
    name: str = "aggregator"
    bills_incoming: bool = True
    statuses: dict = None

    def bill(self, to, text, short_code, keyword, link_id):
        return link_id


def biller(settings):  # configured whatever the settings, for this test
    return AggregatorBiller()


def rebuilt(services):
    services.premium_biller = None
    return bootstrap.wire(services).premium_biller


def test_africas_talking_declares_its_premium_biller():
    assert registry.premium_billers() == ("payments_sms.africastalking",)


def test_the_root_builds_the_declared_biller_that_is_configured(services, monkeypatch):
    monkeypatch.setattr(registry, "premium_billers", lambda: ("payments_sms.africastalking", __name__))
    services.settings = replace(services.settings, at_username="", at_api_key="", simulator="")
    assert isinstance(rebuilt(services), AggregatorBiller)  # Africa's Talking, declared first, is not configured
    services.settings = replace(services.settings, at_username="shubbak", at_api_key="k")
    assert isinstance(rebuilt(services), AfricasTalkingPremium)


def test_with_no_biller_configured_the_console_one_bills_nothing(services):
    services.settings = replace(services.settings, at_username="", at_api_key="", simulator="")
    assert isinstance(rebuilt(services), ConsolePremiumSender)
