"""SMS rendering: the reply's text and its choices as numbered lines, in GSM-7 when the language allows."""
from __future__ import annotations

from texts import gsm7_safe

from .message import Reply, choices

__all__ = ["render"]


def render(reply: Reply) -> str:
    """One SMS text for a reply ("" when the service has nothing to say)."""
    lines = [reply.text.strip()] if reply.text and reply.text.strip() else []
    for key, label in choices(reply.options):
        lines.append(f"{key} {label}")
    # Latin letters outside GSM-7 (ç, ê, ’) would bill the whole SMS as UCS-2, at 70 characters a part.
    return gsm7_safe("\n".join(lines))
