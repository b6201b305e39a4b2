"""The providers this service speaks, and the table of their callbacks: (provider, route) -> (module, Route).

Each provider is one module of channels/ keeping the contract of channels.contract; adding one is that module and
one line in NAMES. Twilio's WhatsApp is a route of Twilio (declared by channels.whatsapp, under Twilio's name).
The composition root reads `senders(settings)` and `premium_billers()`; the log redaction reads `secrets(settings)`;
the web layer reads `route(provider, path)`.
"""
from __future__ import annotations

from importlib import import_module
from types import ModuleType

from .contract import Route
from .senders import ConsoleSender, Sender

__all__ = ["NAMES", "MODULES", "providers", "routes", "route", "senders", "premium_billers", "secrets"]

# One line per provider module of channels/ (a module adding routes to a provider follows that provider's).
NAMES = (
    "africastalking",
    "twilio",
    "whatsapp",
    "kannel",
)
MODULES: tuple[ModuleType, ...] = tuple(import_module(f"{__package__}.{name}") for name in NAMES)


def providers() -> dict[str, ModuleType]:
    """Each provider's own module, by name (the first module of that name in MODULES)."""
    found: dict[str, ModuleType] = {}
    for module in MODULES:
        found.setdefault(module.NAME, module)
    return found


def routes() -> dict[tuple[str, str], tuple[ModuleType, Route]]:
    """Every callback: (provider, route path) -> the module that reads it and its Route."""
    return {(module.NAME, path): (module, declared) for module in MODULES for path, declared in module.ROUTES.items()}


_ROUTES = routes()


def route(provider: str, path: str) -> tuple[ModuleType, Route] | None:
    return _ROUTES.get((provider, path))


def senders(settings) -> dict[str, Sender]:
    """Every SMS sender whose settings are set, by provider name (the console sender always), for the
    composition root: tried in SHUBBAK_SMS_PROVIDERS order."""
    built: dict[str, Sender] = {"console": ConsoleSender()}
    for name, module in providers().items():
        made = module.sender(settings) if hasattr(module, "sender") else None
        if made is not None:
            built[name] = made
    return built


def premium_billers() -> tuple[str, ...]:
    """The modules (outside channels/) that bill premium SMS through a provider, as the providers declare them
    (`PREMIUM_BILLER`), in NAMES order: the composition root builds the first one configured."""
    return tuple(module.PREMIUM_BILLER for module in providers().values() if getattr(module, "PREMIUM_BILLER", None))


def secrets(settings) -> tuple[str, ...]:
    """Every provider's secret values (keys, tokens, passwords) that are set, for the log redaction."""
    return tuple(value for module in providers().values() for value in module.secrets(settings) if value)
