"""A provider's callback as the channels see it, without any web framework, and the checks of its authenticity."""
from __future__ import annotations

import hmac
from dataclasses import dataclass, field

__all__ = ["Callback", "key_matches"]


@dataclass(frozen=True)
class Callback:
    """One HTTP callback: the public URL it was sent to (as the provider saw it), its query, form and headers."""

    url: str
    query: dict = field(default_factory=dict)
    form: object = field(default_factory=dict)  # a mapping; a multi-dict keeps repeated fields for signatures
    headers: dict = field(default_factory=dict)


def key_matches(given: str | None, keys: tuple[str, ...]) -> bool:
    """Whether `given` is one of `keys`, compared in constant time against every key (two during a rotation)."""
    candidate = (given or "").encode()
    matched = False
    for key in keys:
        matched |= hmac.compare_digest(candidate, key.encode())
    return matched and bool(candidate)
