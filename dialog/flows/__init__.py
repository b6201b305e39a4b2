"""The flow registry: every conversation the bot can hold, by name.

Each module listed here defines `FLOWS`, a tuple of Flow. To replace or extend a flow (the payments package's
premium-SMS and card payments replace `pay`), edit its module or pass flows to `registry(extra)`: a flow of the
same name wins. A flow brings its own SMS keywords (Flow.keywords) and may be entered from the main menu.
"""
from __future__ import annotations

import importlib
from typing import Iterable

from ..steps import Flow

__all__ = ["FLOW_MODULES", "registry"]

FLOW_MODULES = (
    "dialog.flows.menu", "dialog.flows.language", "dialog.flows.order", "dialog.flows.repeat",
    "dialog.flows.track", "dialog.flows.complain", "dialog.flows.pay", "dialog.flows.help",
)


def registry(extra: Iterable[Flow] = ()) -> dict[str, Flow]:
    """Every flow by name: the modules' flows, then `extra` (replacing flows of the same name)."""
    flows: dict[str, Flow] = {}
    for name in FLOW_MODULES:
        for flow in importlib.import_module(name).FLOWS:
            flows[flow.name] = flow
    for flow in extra:
        flows[flow.name] = flow
    return flows
