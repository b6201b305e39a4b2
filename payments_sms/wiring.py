"""How the composition root gets this package's adapters: the premium sender chosen from the settings."""
from __future__ import annotations

from .africastalking import AfricasTalkingPremium
from .lockout import LockoutPolicy
from .orm import start_mappers
from .senders import ConsolePremiumSender, PremiumSender

__all__ = ["install", "premium_sender", "lockout_policy", "ADAPTER"]

ADAPTER = "premium_sender"


def _sender_for(settings) -> PremiumSender:
    """Africa's Talking when its credentials are set; otherwise the console stand-in, which bills nothing."""
    if settings.at_username and settings.at_api_key:
        return AfricasTalkingPremium(settings.at_username, settings.at_api_key, settings.premium_retry_hours)
    return ConsolePremiumSender()


def install(services) -> None:
    """Map the payment tables and register the premium sender in `services.adapters` (called by bootstrap.build)."""
    start_mappers()
    services.adapters.setdefault(ADAPTER, _sender_for(services.settings))


def premium_sender(services) -> PremiumSender:
    """The registered premium sender (registering the default one on first use)."""
    install(services)
    return services.adapters[ADAPTER]


def lockout_policy(settings) -> LockoutPolicy:
    return LockoutPolicy.from_settings(settings)
