"""How many SMS parts a text costs, and a plain GSM-7 rendering for USSD screens."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

GSM7 = "GSM-7"
UCS2 = "UCS-2"

# GSM 03.38 default alphabet, in table order (0x1B, the escape, is not a character of its own).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
# Reached through the escape, so each costs two septets.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67

# Latin characters telcos often fail to render, and the plain GSM-7 text that reads the same.
_PLAIN = {
    "’": "'", "‘": "'", "‚": "'", "′": "'", "´": "'", "`": "'",
    "“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "″": '"',
    "…": "...", "–": "-", "—": "-", "‑": "-", "−": "-",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\t": " ",
    "œ": "oe", "Œ": "OE", "ÿ": "y", "Ÿ": "Y",
}


@dataclass(frozen=True)
class SegmentCount:
    """The encoding a text needs, its length in that encoding's units, and the parts it is billed as."""

    encoding: str
    units: int
    segments: int


def is_gsm7(char: str) -> bool:
    """Whether one character is in the GSM-7 default alphabet or its extension table."""
    return char in GSM7_BASIC or char in GSM7_EXTENSION


def count(text: str) -> SegmentCount:
    """Count the SMS parts `text` is billed as."""
    if all(is_gsm7(char) for char in text):
        widths = [2 if char in GSM7_EXTENSION else 1 for char in text]
        return SegmentCount(GSM7, sum(widths), _parts(widths, GSM7_SINGLE, GSM7_PART))
    widths = [2 if ord(char) > 0xFFFF else 1 for char in text]
    return SegmentCount(UCS2, sum(widths), _parts(widths, UCS2_SINGLE, UCS2_PART))


def _parts(widths: list[int], single: int, part: int) -> int:
    """Fill parts in order; an escape pair or a surrogate pair is never split across two parts."""
    if sum(widths) <= single:
        return 1
    parts, used = 1, 0
    for width in widths:
        if used + width > part:
            parts, used = parts + 1, 0
        used += width
    return parts


def gsm7_safe(text: str) -> str:
    """Transliterate Latin characters outside GSM-7 (ç, ê, ’, …) to plain GSM-7; leave other scripts alone."""
    return "".join(_plain(char) for char in text)


def _plain(char: str) -> str:
    """The plain GSM-7 spelling of one character, or the character itself when it has none."""
    if is_gsm7(char):
        return char
    if char in _PLAIN:
        return _PLAIN[char]
    bare = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
    if bare and bare.isascii() and all(is_gsm7(c) for c in bare):
        return bare
    return char
