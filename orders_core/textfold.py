"""Folding and scoring of place names for office search, in Latin and Arabic script."""

import unicodedata

__all__ = ["fold", "match_score", "best_score"]

# Characters NFKD leaves alone but that people type interchangeably.
_LETTERS = {
    "ٱ": "ا",  # alef wasla
    "ى": "ي",  # alef maqsura: final ya is written either way
    "ی": "ي",  # Persian ya, from Persian and some phone keyboards
    "ة": "ه",  # ta marbuta: often typed as ha
    "ک": "ك",  # Persian kaf
    "ڭ": "ك",  # Moroccan gaf: HCP writes أكادير, people also type أڭادير
    "ڤ": "ف",  # ve, as in Latin loanwords
    "ـ": "",  # tatweel only stretches a word
    "ʾ": "",  # transliteration hamza sits inside a word (Maʾmoura)
    "ʿ": "",  # transliteration ayn likewise (Maʿarif)
    "ʼ": " ",  # modifier apostrophe (Ben Mʼsick) is a letter category, not punctuation
    "ʻ": " ",
    "`": " ",
    "œ": "oe",
    "æ": "ae",
}
_DIGITS = {chr(base + n): str(n) for base in (0x0660, 0x06F0) for n in range(10)}  # Eastern Arabic, Persian
_TABLE = _LETTERS | _DIGITS

_EXACT, _PREFIX, _WORD_PREFIX, _SUBSTRING, _ALL_WORDS, _SPACING = 5, 4, 3, 2, 1, 0


def fold(text: str) -> str:
    """Reduce a name to the form used for matching: no case, accents, harakat, spelling noise or punctuation."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(map(_fold_char, decomposed)).split())


def _fold_char(char: str) -> str:
    if char in _TABLE:
        return _TABLE[char]
    category = unicodedata.category(char)
    if category in ("Mn", "Cf"):  # accents, harakat, hamza marks after NFKD; RLM and other invisible marks
        return ""
    return " " if category.startswith("P") else char


def match_score(query: str, candidate: str) -> float | None:
    """How well a folded query matches a folded name; None when it does not match, higher is better."""
    if not query or not candidate:
        return None
    tier = next((tier for tier, rule in _RULES if rule(query, candidate)), None)
    if tier is None:
        return None
    # Below one, so a tie-break never lifts a candidate into the tier above.
    return tier + 0.5 * len(query) / max(len(query), len(candidate))


def best_score(query: str, candidates) -> float | None:
    """The best match_score of a folded query over several folded names; None when none matches."""
    scores = [s for s in (match_score(query, c) for c in candidates if c) if s is not None]
    return max(scores, default=None)


def _every_word_prefixes(query: str, candidate: str) -> bool:
    words = candidate.split(" ")
    return all(any(word.startswith(part) for word in words) for part in query.split(" "))


def _ignoring_spaces(query: str, candidate: str) -> bool:
    # People run words together on a keypad ("benmsick", "الحيالحسني").
    return query.replace(" ", "") in candidate.replace(" ", "")


_RULES = (
    (_EXACT, lambda query, candidate: query == candidate),
    (_PREFIX, lambda query, candidate: candidate.startswith(query)),
    (_WORD_PREFIX, lambda query, candidate: f" {query}" in f" {candidate}"),
    (_SUBSTRING, lambda query, candidate: query in candidate),
    (_ALL_WORDS, _every_word_prefixes),
    (_SPACING, _ignoring_spaces),
)
