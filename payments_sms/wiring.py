"""What the composition root (bootstrap) needs of this package: the premium sender chosen from the settings."""
from __future__ import annotations

from importlib import import_module

from .lockout import LockoutPolicy
from .console import ConsolePremiumSender
from .senders import PremiumSender

__all__ = ["sender_for", "lockout_policy"]


def sender_for(settings, billers: tuple[str, ...]) -> PremiumSender:
    """The first of the `billers` modules (as the providers declare them: channels.registry.premium_billers) whose
    `biller(settings)` is configured; otherwise the console stand-in, which bills nothing."""
    for name in billers:
        made = import_module(name).biller(settings)
        if made is not None:
            return made
    return ConsolePremiumSender()


def lockout_policy(settings) -> LockoutPolicy:
    return LockoutPolicy.from_settings(settings)
