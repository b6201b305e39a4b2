"""Conversations with citizens, whatever the channel: flows, sessions, keywords, and the hooks others plug into.

The public names are loaded on first use (PEP 562), so that `dialog.nlu` and `dialog.embedded_nlu` import without
the application: `python -m dialog.nlu.evaluate` runs inside the Rasa environment, which has none of its packages.
"""
from importlib import import_module

# Public name -> the module of this package that defines it.
_HOMES = {
    "Dialog": "engine", "registry": "flows",
    **dict.fromkeys(("Intent", "Ports", "Router", "Surface", "Understand"), "ports"),
    **dict.fromkeys(("Session", "SessionStore", "Seen", "Refused"), "sessions"),
    **dict.fromkeys(("Again", "Done", "Enter", "Flow", "Go", "Keyword", "Retry", "Step", "Turn", "choice",
                     "numbered"), "steps"),
}

__all__ = ["Dialog", "registry", "Intent", "Ports", "Router", "Surface", "Understand", "Session", "SessionStore",
           "Seen", "Refused", "Again", "Done", "Enter", "Flow", "Go", "Keyword", "Retry", "Step", "Turn", "choice", "numbered"]


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'dialog' has no attribute {name!r}")
    value = getattr(import_module(f".{_HOMES[name]}", __name__), name)
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
