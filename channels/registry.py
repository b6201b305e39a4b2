"""The providers this service speaks, by name. Adding one (a local aggregator) is a module in channels/ with the
same shape (NAME, ROUTES, authentic, acknowledge, receive_*, status, a sender) and one line in each table here."""
from __future__ import annotations

from types import ModuleType

from . import africastalking, twilio
from .senders import ConsoleSender, Sender

__all__ = ["PROVIDERS", "SENDERS", "provider", "build_senders"]

# Name in the webhook path -> the provider's module.
PROVIDERS: dict[str, ModuleType] = {
    africastalking.NAME: africastalking,
    twilio.NAME: twilio,
}
# Name in SHUBBAK_SMS_PROVIDERS -> builds its SMS sender from the settings (None when its credentials are unset).
SENDERS = {
    "console": lambda settings: ConsoleSender(),
    africastalking.NAME: africastalking.AfricasTalkingSender.from_settings,
    twilio.NAME: twilio.TwilioSender.from_settings,
}


def provider(name: str) -> ModuleType | None:
    return PROVIDERS.get(name)


def build_senders(settings) -> dict[str, Sender]:
    """Every sender whose credentials are configured, by name (the console sender always)."""
    built = {name: make(settings) for name, make in SENDERS.items()}
    return {name: sender for name, sender in built.items() if sender is not None}
