"""Prices from configuration: base fee + per-copy fee + postage by zone, in integer centimes."""
from __future__ import annotations

from dataclasses import dataclass, field

from .errors import InvalidInput

__all__ = ["DOCUMENTS", "ZONES", "PriceList", "Quote", "validate_lines", "MAX_COPIES_PER_DOCUMENT", "MAX_COPIES"]

DOCUMENTS = ("extract", "full_copy")
ZONES = ("MA", "abroad")
MAX_COPIES_PER_DOCUMENT = 10
MAX_COPIES = 20


@dataclass(frozen=True)
class PriceList:
    """Fees in centimes; every figure comes from configuration."""

    base: int = 1000
    per_copy: dict = field(default_factory=lambda: {"extract": 500, "full_copy": 500})
    postage: dict = field(default_factory=lambda: {"MA": 500, "abroad": 3000})
    minimum: int = 2000

    def quote(self, lines: dict[str, int], zone: str) -> "Quote":
        """Price an order of `lines` (document -> copies) delivered in `zone`."""
        lines = validate_lines(lines)
        if zone not in ZONES:
            raise InvalidInput({"zone": f"must be one of {', '.join(ZONES)}, got {zone!r}"})
        copies = sum(self.per_copy[doc] * n for doc, n in lines.items())
        subtotal = self.base + copies + self.postage[zone]
        return Quote(self.base, copies, self.postage[zone], max(0, self.minimum - subtotal), lines, zone)


@dataclass(frozen=True)
class Quote:
    """A price with its breakdown, shown before the citizen confirms."""

    base: int
    copies: int
    postage: int
    top_up: int  # what brings a small order up to the minimum
    lines: dict
    zone: str

    @property
    def total(self) -> int:
        return self.base + self.copies + self.postage + self.top_up


def validate_lines(lines: dict) -> dict[str, int]:
    """Check documents and copy counts; return only the lines with copies."""
    problems = {}
    clean = {}
    for doc, n in (lines or {}).items():
        if doc not in DOCUMENTS:
            problems[f"lines.{doc}"] = f"unknown document; allowed: {', '.join(DOCUMENTS)}"
        elif not isinstance(n, int) or isinstance(n, bool) or not 0 <= n <= MAX_COPIES_PER_DOCUMENT:
            problems[f"lines.{doc}"] = f"copies must be a whole number from 0 to {MAX_COPIES_PER_DOCUMENT}, got {n!r}"
        elif n:
            clean[doc] = n
    if not problems and not clean:
        problems["lines"] = "order at least one copy"
    if not problems and sum(clean.values()) > MAX_COPIES:
        problems["lines"] = f"at most {MAX_COPIES} copies in one order"
    if problems:
        raise InvalidInput(problems)
    return clean
