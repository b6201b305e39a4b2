"""Premium short codes: each bills a fixed price point per message, under keywords registered with the provider."""
from __future__ import annotations

from dataclasses import dataclass

from .errors import UnknownShortCode

__all__ = ["ShortCode", "short_codes", "short_code", "DEFAULT_KEYWORDS"]

# The words a citizen starts a payment with, as registered on the short code in the embedded default.
DEFAULT_KEYWORDS = ("PAY", "PAYER", "KHLLES", "ادفع")


@dataclass(frozen=True)
class ShortCode:
    code: str
    price: int  # centimes billed per message
    keywords: tuple[str, ...]

    def keyword_for(self, word: str | None) -> str:
        """The registered keyword the citizen used (any case), else the short code's first keyword."""
        wanted = (word or "").strip().casefold()
        return next((k for k in self.keywords if k.casefold() == wanted), self.keywords[0])


def short_codes(settings) -> dict[str, ShortCode]:
    """Every configured short code by its number; the embedded default is at_short_code at premium_price_point."""
    raw = settings.premium_short_codes or {
        settings.at_short_code: {"price": settings.premium_price_point, "keywords": list(DEFAULT_KEYWORDS)}}
    return {str(code): _short_code(str(code), spec) for code, spec in raw.items()}


def _short_code(code: str, spec: dict) -> ShortCode:
    price = spec.get("price")
    keywords = tuple(str(k) for k in spec.get("keywords") or ())
    if not isinstance(price, int) or isinstance(price, bool) or price <= 0 or not keywords:
        raise ValueError(f"premium short code {code!r} needs a positive integer price and keywords, got {spec!r}")
    return ShortCode(code, price, keywords)


def short_code(settings, code: str) -> ShortCode:
    """The configured short code `code`, or UnknownShortCode."""
    found = short_codes(settings).get(str(code))
    if found is None:
        raise UnknownShortCode(code)
    return found
