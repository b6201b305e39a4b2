"""Countries as citizens type them: an ISO code, or the name of a country where many Moroccans live."""
from __future__ import annotations

from orders_core.textfold import fold
from orders_core.validation import valid_country

__all__ = ["country_code", "COUNTRY_NAMES"]

COUNTRY_NAMES = {
    "FR": ("france", "فرنسا"), "ES": ("espagne", "spain", "espana", "اسبانيا"), "IT": ("italie", "italy", "ايطاليا"),
    "BE": ("belgique", "belgium", "بلجيكا"), "NL": ("pays bas", "hollande", "netherlands", "هولندا"),
    "DE": ("allemagne", "germany", "المانيا"), "CA": ("canada", "كندا"),
    "US": ("etats unis", "usa", "united states", "امريكا"), "GB": ("royaume uni", "angleterre", "uk", "england"),
    "CH": ("suisse", "switzerland", "سويسرا"), "AE": ("emirats", "uae", "الامارات"), "QA": ("qatar", "قطر"),
    "SA": ("arabie saoudite", "saudi arabia", "السعودية"), "TN": ("tunisie", "tunisia", "تونس"),
    "DZ": ("algerie", "algeria", "الجزائر"),
}
_BY_NAME = {fold(name): code for code, names in COUNTRY_NAMES.items() for name in names}


def country_code(text: str) -> str | None:
    """The ISO 3166 code of a typed country, or None."""
    typed = (text or "").strip()[:60]
    if len(typed) == 2 and typed.isascii() and valid_country(typed):
        return typed.upper()
    return _BY_NAME.get(fold(typed))
