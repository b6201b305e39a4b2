"""USSD screens that fit one USSD string, for any USSD gateway.

A USSD string is at most 160 octets (GSM 04.80): 182 characters in GSM-7 (an extension character such as `€` or
`[` takes two), or 80 in UCS-2, which one character outside GSM-7 (any Arabic letter) forces for the whole screen.
Latin text is transliterated to plain GSM-7 (`ê` -> `e`) so that French and English screens stay in GSM-7; a reply
too long for one screen is cut at line and word boundaries into screens ending with `98 <more>`. Some networks
allow less: the limits are settings (SHUBBAK_USSD_GSM7_CHARS, SHUBBAK_USSD_UCS2_CHARS). Each USSD gateway's module
renders a screen its way (channels.africastalking.render_ussd).
"""
from __future__ import annotations

from dataclasses import dataclass

from texts import GSM7, count, gsm7_safe, is_gsm7

from .message import Reply, choices

__all__ = ["LIMIT", "MORE", "ScreenSize", "DEFAULT_SIZE", "octets", "screens", "screen", "lines_of"]

LIMIT = 182  # GSM-7 characters in 160 octets
MORE = "98"  # the key that shows the next screen of a reply too long for one
_EXTENSION_WIDTH = 2
_LRI, _PDI = "\u2066", "\u2069"


@dataclass(frozen=True)
class ScreenSize:
    """How much one screen holds: GSM-7 characters (extension characters count two), or UCS-2 characters."""

    gsm7_chars: int = LIMIT
    ucs2_chars: int = 80

    def fits(self, text: str) -> bool:
        units = count(text)
        return units.units <= (self.gsm7_chars if units.encoding == GSM7 else self.ucs2_chars)


DEFAULT_SIZE = ScreenSize()


def octets(text: str) -> int:
    """The octets a screen's text takes on the air: 7 bits a GSM-7 septet, 2 octets a UCS-2 unit."""
    units = count(text)
    return (units.units * 7 + 7) // 8 if units.encoding == GSM7 else 2 * units.units


def lines_of(reply: Reply) -> list[str]:
    """The reply's text lines, then its choices as `key label` lines."""
    lines = [line for line in (reply.text or "").split("\n")]
    for key, label in choices(reply.options):
        lines.append(f"{key} {label}")
    return [gsm7_safe(" ".join(line.split())) for line in lines if line.strip()]


def screens(reply: Reply, more: str = "More", size: ScreenSize = DEFAULT_SIZE) -> list[Reply]:
    """Cut a reply into screens that fit; each but the last ends with `98 <more>`; only the last may end."""
    lines = lines_of(reply)
    if size.fits("\n".join(lines)):
        return [Reply("\n".join(lines), reply.end_session)]
    footer = _clip(gsm7_safe(f"{MORE} {more}"), ScreenSize(size.gsm7_chars // 2, size.ucs2_chars // 2))
    pages: list[list[str]] = [[]]
    for line in lines:
        for piece in _pieces(line, footer, size):
            if pages[-1] and not size.fits("\n".join(pages[-1] + [piece, footer])):
                pages.append([])
            pages[-1].append(piece)
    shown = [Reply("\n".join(page + [footer])) for page in pages[:-1]]
    return shown + [Reply("\n".join(pages[-1]), reply.end_session)]


def screen(reply: Reply, size: ScreenSize = DEFAULT_SIZE) -> str:
    """The text of one screen, clipped to fit (a gateway adds its own marks: Africa's Talking's `CON`/`END`)."""
    return _clip("\n".join(lines_of(reply)) or "...", size)


def _clip(text: str, size: ScreenSize) -> str:
    """The longest start of `text` that fits one screen."""
    if size.fits(text):
        return text
    return text[:_fitting(text, "", size)]


def _fitting(word: str, footer: str, size: ScreenSize) -> int:
    """How many characters of `word` fit on a line of their own above `footer`."""
    ucs2 = not all(is_gsm7(ch) for ch in word + footer)
    room = (size.ucs2_chars if ucs2 else size.gsm7_chars) - (count(footer).units + 1 if footer else 0)
    used = 0
    for n, ch in enumerate(word):
        used += _width(ch, ucs2)
        if used > room:
            return max(1, n)
    return len(word)


def _width(char: str, ucs2: bool) -> int:
    if ucs2:
        return 2 if ord(char) > 0xFFFF else 1
    return _EXTENSION_WIDTH if count(char).units == _EXTENSION_WIDTH else 1


def _words(line: str) -> list[str]:
    """The line's words; a left-to-right isolate (a grouped reference in Arabic text) is kept whole, and with the
    word before it (`ادفع 512 918 855 9` is one command: it must not be split across two screens)."""
    words: list[str] = []
    for word in line.split(" "):
        if words and (words[-1].count(_LRI) > words[-1].count(_PDI) or word.startswith(_LRI)):
            words[-1] += " " + word
        else:
            words.append(word)
    return words


def _pieces(line: str, footer: str, size: ScreenSize) -> list[str]:
    """A line cut at spaces (or anywhere, for a word longer than a screen) into pieces that fit above `footer`."""
    pieces, current = [], ""
    for word in _words(line):
        while not size.fits(f"{word}\n{footer}"):
            if current:
                pieces.append(current)
                current = ""
            cut = _fitting(word, footer, size)
            pieces.append(word[:cut])
            word = word[cut:]
        joined = f"{current} {word}" if current else word
        if current and not size.fits(f"{joined}\n{footer}"):
            pieces.append(current)
            current = word
        else:
            current = joined
    return pieces + ([current] if current else [])
