"""The flow registry: every conversation the bot can hold, by name.

Each module listed here defines `FLOWS`, a tuple of Flow. To replace or extend a flow, edit its module or pass
flows to `registry(extra)` (the composition root adds the understanding's): a flow of the same name wins (keeping the replaced flow's keywords unless it brings its own). A flow brings its own SMS
keywords (Flow.keywords) and may be entered from the main menu.
"""
from __future__ import annotations

import importlib
from dataclasses import replace
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
        replaced = flows.get(flow.name)
        # A replacement without keywords of its own keeps the words citizens already use (PAYER, CARTE...).
        flows[flow.name] = replace(flow, keywords=replaced.keywords) if replaced and not flow.keywords else flow
    return flows
