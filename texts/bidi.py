"""Numbers kept in reading order inside Arabic text: references, phone numbers, amounts and barcodes.

In a right-to-left paragraph the Unicode bidirectional algorithm lays out `512 918 855 9` as `9 855 918 512` (the
spaces between digit groups take the paragraph's direction) and `+212661000002` as `212661000002+`. A left-to-right
isolate (LRI ... PDI, Unicode 6.3) around such a value keeps it as written, whatever surrounds it.
"""
from __future__ import annotations

import re

__all__ = ["LRI", "PDI", "CONTROLS", "isolate", "isolate_numbers", "without_controls", "is_rtl"]

LRI, PDI = "\u2066", "\u2069"
# Every bidi formatting character: a citizen who copies a reference from an Arabic message may copy these too.
CONTROLS = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_DROP = str.maketrans("", "", CONTROLS)
# A run that holds a digit: digits, the separators written inside numbers, a leading plus or minus, and Latin
# letters stuck to it (a registered-mail barcode such as RR123456789MA).
_DIGIT = "0-9\u0660-\u0669\u06f0-\u06f9"
_NUMBER = re.compile(rf"[+\-#]?[A-Z]*[{_DIGIT}](?:[{_DIGIT}A-Z]|[ .,:/\-](?=[{_DIGIT}]))*")
_RTL = ("ar", "fa", "he", "ur")


def is_rtl(lang: str | None) -> bool:
    return (lang or "").split("-")[0].lower() in _RTL


def isolate(value: str) -> str:
    """`value` as one left-to-right isolate (left alone when already isolated or empty)."""
    if not value or value.startswith(LRI):
        return value
    return f"{LRI}{value}{PDI}"


def isolate_numbers(text: str) -> str:
    """Every number of `text` that right-to-left layout would scramble (digit groups split by spaces, a leading
    sign) as a left-to-right isolate; a plain run such as `25`, `25,50` or `12/05/2026` keeps its order alone."""
    return _NUMBER.sub(_isolated, text) if text else text


def _isolated(found: re.Match) -> str:
    run = found.group(0)
    return isolate(run) if " " in run or run[0] in "+-#" else run


def without_controls(text: str) -> str:
    """`text` without bidi formatting characters (as typed or pasted back by a citizen)."""
    return text.translate(_DROP) if text else text
