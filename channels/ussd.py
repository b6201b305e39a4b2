"""USSD rendering: screens of at most 182 characters in plain GSM-7, `CON` to wait for input, `END` to close."""
from __future__ import annotations

from texts import gsm7_safe

from .message import Reply

__all__ = ["LIMIT", "MORE", "screens", "render", "lines_of"]

LIMIT = 182
_BODY = LIMIT - len("CON ")
MORE = "98"  # the key that shows the next screen of a reply too long for one


def lines_of(reply: Reply) -> list[str]:
    """The reply's text lines, then its choices as `key label` lines."""
    lines = [line for line in (reply.text or "").split("\n")]
    for number, option in enumerate(reply.options, 1):
        key, label = option if isinstance(option, tuple) else (str(number), option)
        lines.append(f"{key} {label}")
    return [gsm7_safe(" ".join(line.split())) for line in lines if line.strip()]


def screens(reply: Reply, more: str = "More") -> list[Reply]:
    """Cut a reply into screens that fit; each but the last ends with `98 <more>`; only the last may end."""
    lines = lines_of(reply)
    if _size(lines) <= _BODY:
        return [Reply("\n".join(lines), reply.end_session)]
    footer = gsm7_safe(f"{MORE} {more}")[: _BODY // 2]
    room = _BODY - len(footer) - 1
    pages: list[list[str]] = [[]]
    for line in lines:
        for piece in _pieces(line, room):
            if pages[-1] and _size(pages[-1] + [piece]) > room:
                pages.append([])
            pages[-1].append(piece)
    shown = [Reply("\n".join(page + [footer])) for page in pages[:-1]]
    return shown + [Reply("\n".join(pages[-1]), reply.end_session)]


def render(reply: Reply) -> str:
    """The text/plain answer to Africa's Talking for one screen."""
    body = "\n".join(lines_of(reply)) or "..."
    return (("END " if reply.end_session else "CON ") + body)[:LIMIT]


def _size(lines: list[str]) -> int:
    return sum(len(line) for line in lines) + max(0, len(lines) - 1)


def _pieces(line: str, room: int) -> list[str]:
    """A line cut at spaces (or anywhere, for a word longer than a screen) into pieces of at most `room`."""
    pieces, current = [], ""
    for word in line.split(" "):
        while len(word) > room:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(word[:room])
            word = word[room:]
        if current and len(current) + 1 + len(word) > room:
            pieces.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    return pieces + ([current] if current else [])
