"""The main menu: every flow a citizen can start, numbered."""
from __future__ import annotations

from channels.message import Reply

from ..steps import Enter, Flow, Go, Retry, Step, Turn, choice, numbered

__all__ = ["FLOWS", "MAIN"]

# (label key, flow, entry), in menu order.
MAIN = (
    ("dialog.menu.order", "order", "start"),
    ("dialog.menu.repeat", "repeat", "start"),
    ("dialog.menu.track", "track", "start"),
    ("dialog.menu.pay", "pay", "start"),
    ("dialog.menu.complain", "complain", "start"),
    ("dialog.menu.help", "help", "start"),
    ("dialog.menu.human", "human", "start"),
    ("dialog.menu.language", "language", "start"),
)


def _prompt(turn: Turn) -> Reply:
    return Reply(turn.say("dialog.menu.title"), options=numbered(turn.say(key) for key, _, _ in MAIN))


def _answer(turn: Turn, text: str):
    picked = choice(text, len(MAIN))
    if picked is None:
        return Retry("dialog.unknown_choice")
    _, flow, entry = MAIN[picked - 1]
    return Enter(flow, entry)


FLOWS = (Flow("menu", {"main": Step(_prompt, _answer)}, {"start": lambda turn, argument: Go("main")}),)
