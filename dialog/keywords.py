"""SMS keywords in French, English, Arabic and Latin-script Darija, and the bare reference that means "track it"."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from orders_core.references import to_ascii_digits
from orders_core.textfold import fold

from .steps import Flow, Keyword

__all__ = ["KEYWORDS", "PRINTED", "Command", "KeywordTable", "bare_reference", "leading_reference", "typed_digits"]

# The citizen flows' words. A flow may bring more of its own (Flow.keywords: the pay flow's PAYER, CARTE...).
# Latin-script Darija is answered in French: the script its writers chose, and one GSM-7 segment.
KEYWORDS = (
    Keyword("order", "fr", ("commande", "commander", "nouvelle commande", "extrait")),
    Keyword("order", "en", ("order", "new order")),
    Keyword("order", "ar", ("طلب", "اطلب", "طلب جديد")),
    Keyword("order", "fr", ("bghit ntleb", "bghit talab", "talab jdid", "bghit extrait", "n9ad talab")),
    Keyword("track", "fr", ("suivi", "suivre", "etat")),
    Keyword("track", "en", ("status", "track")),
    Keyword("track", "ar", ("حالة", "تتبع", "حالة الطلب")),
    Keyword("track", "fr", ("fin wsl", "fin wsel", "fin wslat", "wach wsl", "fin wsl talab")),
    Keyword("complain", "fr", ("reclamation", "plainte")),
    Keyword("complain", "en", ("complaint", "complain")),
    Keyword("complain", "ar", ("شكاية", "شكوى")),
    Keyword("complain", "fr", ("chkaya", "chikaya", "bghit ndir chkaya")),
    Keyword("help", "fr", ("aide", "info", "bonjour", "salut")),
    Keyword("help", "en", ("help", "hello", "hi")),
    Keyword("help", "ar", ("مساعدة", "السلام عليكم", "سلام")),
    Keyword("help", "fr", ("3awni", "3awenni", "salam", "slm", "mosa3ada")),
    Keyword("human", "fr", ("agent", "conseiller", "humain")),
    Keyword("human", "en", ("human", "person")),
    Keyword("human", "ar", ("موظف", "مستشار")),
    Keyword("human", "fr", ("bghit nhder", "nhder m3a", "bnadem")),
    Keyword("language", "fr", ("langue",)),
    Keyword("language", "en", ("language",)),
    Keyword("language", "ar", ("لغة", "اللغة")),
    Keyword("language", "fr", ("lougha", "logha")),
    Keyword("menu", "fr", ("menu",)),
    Keyword("menu", "ar", ("القائمة",)),
    Keyword("repeat", "fr", ("refaire", "repeter")),
    Keyword("repeat", "en", ("repeat", "again")),
    Keyword("repeat", "ar", ("اعادة", "كرر")),
    Keyword("leave", "fr", ("quitter",)),
    Keyword("leave", "en", ("leave", "end")),
    Keyword("leave", "ar", ("انهاء", "إنهاء")),
)
# The one word each text prints for an action, per language (what the citizen is told to type); the tables above
# and the flows' own keywords all accept it. tests/journeys/test_printed_commands.py holds every text to it.
PRINTED = {
    "order": {"fr": "COMMANDE", "en": "ORDER", "ar": "طلب"},
    "track": {"fr": "SUIVI", "en": "STATUS", "ar": "حالة"},
    "pay": {"fr": "PAYER", "en": "PAY", "ar": "ادفع"},
    "card": {"fr": "CARTE", "en": "CARD", "ar": "بطاقة"},
    "complain": {"fr": "RECLAMATION", "en": "COMPLAINT", "ar": "شكاية"},
    "human": {"fr": "AGENT", "en": "HUMAN", "ar": "موظف"},
    "language": {"fr": "LANGUE", "en": "LANGUAGE", "ar": "لغة"},
    "menu": {"fr": "MENU", "en": "MENU", "ar": "القائمة"},
    "help": {"fr": "AIDE", "en": "HELP", "ar": "مساعدة"},
    "repeat": {"fr": "REFAIRE", "en": "REPEAT", "ar": "اعادة"},
    "leave": {"fr": "QUITTER", "en": "LEAVE", "ar": "انهاء"},
}
_LONGEST = 3  # words in the longest phrase


@dataclass(frozen=True)
class Command:
    """A keyword found: which flow and entry, the language it was written in, and what followed it."""

    flow: str
    entry: str
    lang: str | None
    argument: str = ""


class KeywordTable:
    """Folded phrases -> (flow, entry, language); the first table entry of a phrase wins."""

    def __init__(self, keywords: Iterable[Keyword]):
        self.phrases: dict[str, Keyword] = {}
        for keyword in keywords:
            for words in keyword.words:
                self.phrases.setdefault(fold(words), keyword)

    @classmethod
    def of(cls, flows: Iterable[Flow]) -> "KeywordTable":
        return cls([*(k for flow in flows for k in flow.keywords), *KEYWORDS])

    def match(self, text: str) -> Command | None:
        """The command a message starts with, or None."""
        words = fold((text or "")[:400]).split()
        for size in range(min(_LONGEST, len(words)), 0, -1):
            keyword = self.phrases.get(" ".join(words[:size]))
            if keyword:
                return Command(keyword.flow, keyword.entry, keyword.lang, " ".join(words[size:]))
        return None


# What people type between groups of digits: "261 148 273 5", "261-148-273-5", and the plus of a printed
# "CARTE 793 489 939 2 + code".
_SEPARATORS = " \t\u00a0\u202f-./+"
REFERENCE_DIGITS = 10


def typed_digits(text: str) -> str:
    """A typed number without the separators between its groups, in ASCII digits (`٢٦١ ١٤٨` -> `261148`)."""
    cleaned = to_ascii_digits(text or "")
    for separator in _SEPARATORS:
        cleaned = cleaned.replace(separator, "")
    return cleaned


def leading_reference(text: str) -> tuple[str, str]:
    """The reference that starts what followed a keyword, and the rest: digit groups are joined until they make a
    reference (`318 704 533 7` as printed, in any digits); without digits, the first word."""
    words = to_ascii_digits(text or "").split()
    digits, used = "", 0
    for word in words:
        bare = typed_digits(word)
        if len(digits) >= REFERENCE_DIGITS or not (bare and bare.isascii() and bare.isdigit()):
            break
        digits, used = digits + bare, used + 1
    if not digits:
        return (words[0] if words else ""), " ".join(words[1:])
    return digits, " ".join(words[used:])


def bare_reference(text: str) -> Command | None:
    """Ten digits alone (spaced or not, in any digits) are a reference to track, even with a wrong check digit."""
    typed = (text or "")[:40]
    digits = typed_digits(typed)
    # A plus opens a phone number: ten digits after one are no reference.
    if len(digits) == 10 and digits.isascii() and digits.isdigit() and "+" not in typed:
        return Command("track", "start", None, digits)
    return None
