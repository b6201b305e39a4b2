"""Pre-routers: handlers tried in order before the citizen flows (an agent's SMS command, ...)."""
from __future__ import annotations

import logging
from typing import Iterable

from channels.message import Inbound, Reply

from .ports import Router

__all__ = ["first_answer"]

log = logging.getLogger(__name__)


def first_answer(routers: Iterable[Router], inbound: Inbound) -> Reply | None:
    """The reply of the first router that takes the message, or None when none does."""
    for router in routers:
        reply = router(inbound)
        if reply is not None:
            log.info("message handled by %s", getattr(router, "__name__", type(router).__name__))
            return reply
    return None
