"""How the dialog writes amounts, dates, offices, names and references for a citizen."""
from __future__ import annotations

from datetime import date, datetime

from orders_core.references import format_reference
from orders_core.money import mad

__all__ = ["mad", "day", "office_label", "holder_label", "shown_reference"]

# The common start of office names, left out where space is short (USSD lists).
_OFFICE_PREFIXES = ("Bureau d'état civil ", "مكتب الحالة المدنية ")


def day(moment: date | datetime) -> str:
    return moment.strftime("%d/%m/%Y")


def office_label(office, lang: str) -> str:
    """The office's name without the words every office name starts with."""
    label = office.label(lang)
    for prefix in _OFFICE_PREFIXES:
        if label.startswith(prefix) and len(label) > len(prefix):
            return label[len(prefix):]
    return label


def holder_label(family: str | None, first: str | None) -> str:
    return " ".join(part for part in ((family or "").upper(), first or "") if part)


def shown_reference(reference: str) -> str:
    return format_reference(reference)
