"""How many SMS parts a text costs, and a plain GSM-7 rendering for USSD screens."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

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


GSM7_ALL = GSM7_BASIC | GSM7_EXTENSION


def is_gsm7(char: str) -> bool:
    """Whether one character is in the GSM-7 default alphabet or its extension table."""
    return char in GSM7_ALL


def count(text: str) -> SegmentCount:
    """Count the SMS parts `text` is billed as."""
    # Counted over the text's distinct characters (every USSD screen is sized several times, so this is hot);
    # each character's width is looked at only when the text needs more than one part.
    distinct = set(text)
    if distinct <= GSM7_ALL:
        escaped = distinct & GSM7_EXTENSION
        units = len(text) + sum(text.count(char) for char in escaped)
        single, part = GSM7_SINGLE, GSM7_PART
        width = (lambda char: 2 if char in GSM7_EXTENSION else 1) if escaped else None
        encoding = GSM7
    else:
        astral = [char for char in distinct if ord(char) > 0xFFFF]
        units = len(text) + sum(text.count(char) for char in astral)
        single, part = UCS2_SINGLE, UCS2_PART
        width = (lambda char: 2 if ord(char) > 0xFFFF else 1) if astral else None
        encoding = UCS2
    if units <= single:
        return SegmentCount(encoding, units, 1)
    widths = [width(char) for char in text] if width else [1] * len(text)
    return SegmentCount(encoding, units, _parts(widths, single, part))


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
    if set(text) <= GSM7_ALL:
        return text
    return "".join(_plain(char) for char in text)


@lru_cache(maxsize=4096)
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
