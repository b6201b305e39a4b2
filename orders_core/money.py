"""How amounts are written for citizens (SMS, USSD, WhatsApp): integer centimes as dirhams."""
from __future__ import annotations

__all__ = ["mad"]


def mad(centimes: int, lang: str = "fr") -> str:
    """Dirhams for a text: whole amounts without decimals, otherwise two decimals with the language's mark."""
    dirhams, rest = divmod(int(centimes), 100)
    if rest == 0:
        return str(dirhams)
    mark = "." if lang == "en" else ","
    return f"{dirhams}{mark}{rest:02d}"
