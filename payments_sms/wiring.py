"""What the composition root (bootstrap) needs of this package: the premium sender chosen from the settings."""
from __future__ import annotations

from .africastalking import AfricasTalkingPremium
from .lockout import LockoutPolicy
from .senders import ConsolePremiumSender, PremiumSender

__all__ = ["sender_for", "lockout_policy"]


def sender_for(settings) -> PremiumSender:
    """Africa's Talking when its credentials are set; otherwise the console stand-in, which bills nothing."""
    if settings.at_username and settings.at_api_key:
        return AfricasTalkingPremium(settings.at_username, settings.at_api_key, settings.premium_retry_hours)
    return ConsolePremiumSender()


def lockout_policy(settings) -> LockoutPolicy:
    return LockoutPolicy.from_settings(settings)
