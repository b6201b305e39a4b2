"""Texts shown to citizens and agents in Arabic, French and English, and what they cost as SMS."""

from texts.catalog import LANGUAGES, Catalogs, placeholders
from texts.segments import GSM7, UCS2, SegmentCount, count, gsm7_safe, is_gsm7

__all__ = [
    "GSM7",
    "LANGUAGES",
    "UCS2",
    "Catalogs",
    "SegmentCount",
    "count",
    "gsm7_safe",
    "is_gsm7",
    "placeholders",
]
