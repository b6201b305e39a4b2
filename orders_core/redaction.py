"""Card PINs (and agents' SMS codes) out of every text the service keeps: the one place that finds them in what a
citizen or an agent sent.

A prepaid card's PIN is 14 digits and a Verhoeff check digit. Whoever reads it can spend the card, so it must not
reach a table, a Redis key or value, a job's arguments, a log line or a staff page. The webhooks call `seal` on
every incoming message before anything else: the text keeps a mark where the PIN was, and the PIN itself leaves
only as its keyed hash (the form the cards table stores), which the redemption looks the card up by.

A leaf module (standard library and the order core's digit rules only), so that channels, dialog, payments and
the logging filter all use this one definition of "a PIN in a text".
"""
from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

from .references import is_valid, to_ascii_digits
from .textfold import fold

__all__ = ["CARD_WORDS", "PIN_MARK", "PIN_LENGTH", "SEALED", "Redacted", "redact_text", "redact_ussd_path",
           "seal", "pin_hash", "sealed_hash", "redact_pins_in", "redact_agent_code", "code_hash", "CODE_MARK"]

PIN_LENGTH = 15  # 14 random digits + 1 check digit
REFERENCE_LENGTH = 10
# The card command in every language the service speaks (dialog.flows.pay's keywords use this table).
CARD_WORDS = {"fr": ("carte", "karta", "lkarta"), "en": ("card",), "ar": ("بطاقة",)}
PIN_MARK = "[PIN]"  # what is kept where a PIN was; a keypad cannot type it
SEALED = "sealed:"  # a sealed PIN: "sealed:<hex keyed hash>", or "sealed:check" when its check digit is wrong
_CHECK = "check"
# 13 digits or more, with single separators between them, count as a PIN (or most of one, typed wrong); order
# references (10 digits) and phone numbers (at most 12 digits) stay readable.
_LONG_RUN = 13
_RUN = re.compile(r"(?<![0-9])[0-9](?:[ \t\u00a0\u202f\-./]?[0-9])*(?![0-9])")
# An agent's SMS code opens a message: "#4821" alone, or "#4821 PRENDRE 261 148 273 5" (dialog.agent_commands).
# In a log line, digits glued to letters belong to an id (a worker's or job's hex name), not to a typed PIN.
_ANY_DIGIT = re.compile(r"\d")  # every decimal digit, Arabic-Indic and Persian ones included (to_ascii_digits)
_IN_WORD = re.compile(r"[0-9A-Za-z]")
_AGENT_CODE = re.compile(r"^\s*#\s?([0-9\u0660-\u0669\u06f0-\u06f9]{4,8})(?![0-9\u0660-\u0669\u06f0-\u06f9])")
CODE_MARK = "#[CODE]"
_CARD_COMMAND = frozenset(fold(word) for words in CARD_WORDS.values() for word in words)


@dataclass(frozen=True)
class Redacted:
    """A text with its PINs replaced by PIN_MARK, and the PINs' digits as typed (for `seal`, in memory only)."""

    text: str
    pins: tuple[str, ...] = ()


def redact_text(text: str) -> Redacted:
    """Mark every PIN in a message: anything after the reference of a card command, and any 13-digit run."""
    text = text or ""
    if len(_ANY_DIGIT.findall(text)) <= REFERENCE_LENGTH:
        return Redacted(text)  # too few digits for any PIN (most inputs: every USSD step seals its whole path)
    ascii_text = to_ascii_digits(text)  # one character for one: spans found here are spans of `text`
    spans = _card_spans(ascii_text) or [span for run in _RUN.finditer(ascii_text) for span in _long_run(run)]
    return _replaced(text, ascii_text, spans)


def redact_ussd_path(path: str) -> Redacted:
    """Mark every input of a USSD `*`-joined path that is a PIN (each input is one keypad entry)."""
    inputs, pins = (path or "").split("*"), []
    for index, typed in enumerate(inputs):
        found = redact_text(typed)
        if found.pins:
            inputs[index], pins = found.text, pins + list(found.pins)
    return Redacted("*".join(inputs), tuple(pins))


def _card_spans(text: str) -> list[tuple[int, int]]:
    """After a card command word: every digit past the reference's ten (the whole PIN, even mistyped)."""
    words = fold(text[:40]).split()
    if not words or (words[0] not in _CARD_COMMAND and " ".join(words[:2]) not in _CARD_COMMAND):
        return []
    spans, seen = [], 0
    for run in _RUN.finditer(text):
        digit_positions = [run.start() + i for i, c in enumerate(run.group(0)) if c.isdigit()]
        kept = digit_positions[:max(0, REFERENCE_LENGTH - seen)]
        seen += len(digit_positions)
        if len(kept) < len(digit_positions):
            spans.append((digit_positions[len(kept)], run.end()))
    return spans


def _long_run(run: re.Match) -> list[tuple[int, int]]:
    digits = [run.start() + i for i, c in enumerate(run.group(0)) if c.isdigit()]
    if len(digits) < _LONG_RUN:
        return []
    plain = "".join(run.group(0)[p - run.start()] for p in digits)
    # A reference then a PIN, typed without a word between: the reference stays, unless the run reads as a PIN first.
    if len(digits) >= REFERENCE_LENGTH + _LONG_RUN and is_valid(plain[:REFERENCE_LENGTH]) \
            and not is_valid(plain[:PIN_LENGTH]):
        return [(digits[REFERENCE_LENGTH], run.end())]
    return [(run.start(), run.end())]


def _replaced(text: str, ascii_text: str, spans: list[tuple[int, int]]) -> Redacted:
    if not spans:
        return Redacted(text)
    kept, pins, last = [], [], 0
    for start, end in spans:
        kept.append(text[last:start] + PIN_MARK)
        pins.append(re.sub(r"[^0-9]", "", ascii_text[start:end]))
        last = end
    kept.append(text[last:])
    return Redacted("".join(kept), tuple(pins))


def pin_hash(secret: str, pin: str) -> str:
    """The stored form of a PIN: HMAC-SHA256 under the server secret, hex."""
    # A purpose prefix keeps a PIN's hash from ever equalling a contact's under the same secret.
    return hmac.new(secret.encode(), b"pin:" + pin.encode(), hashlib.sha256).hexdigest()


def seal(secret: str, digits: str) -> str:
    """A PIN's digits as they may travel (a job, a payload): its keyed hash, or a mark that it was mistyped."""
    if len(digits) != PIN_LENGTH or not is_valid(digits):
        return SEALED + _CHECK
    return SEALED + pin_hash(secret, digits)


def sealed_hash(sealed: str) -> str | None:
    """The keyed hash a sealed PIN carries; None for one typed with a wrong check digit. ValueError if not sealed."""
    if not str(sealed or "").startswith(SEALED):
        raise ValueError("not a sealed PIN")
    value = sealed[len(SEALED):]
    return None if value == _CHECK else value


def redact_agent_code(text: str) -> tuple[str, str | None]:
    """An agent's SMS code (`#4821` opening a message) taken out: the text with CODE_MARK instead, and the code."""
    found = _AGENT_CODE.match(text or "")
    if not found:
        return text or "", None
    code = to_ascii_digits(found.group(1))
    return CODE_MARK + text[found.end():], code


def code_hash(secret: str, code: str) -> str:
    """The stored form of an agent's SMS code: HMAC-SHA256 under the server secret (never the code itself)."""
    return hmac.new(secret.encode(), b"agent-code:" + code.encode(), hashlib.sha256).hexdigest()


def redact_pins_in(line: str) -> str:
    """A log line with every long run of digits replaced (the logging filter's net under `seal`); a log line is
    no command, so "card 00001-00042 paid ..." keeps its serial and amounts."""
    ascii_line = to_ascii_digits(line or "")
    runs = [run for run in _RUN.finditer(ascii_line) if not _glued(ascii_line, run)]
    return _replaced(line or "", ascii_line, [span for run in runs for span in _long_run(run)]).text


def _glued(line: str, run: re.Match) -> bool:
    """Whether a run of digits touches a letter on either side (part of an id, not a number typed alone)."""
    return any(0 <= i < len(line) and _IN_WORD.match(line[i]) for i in (run.start() - 1, run.end()))
