"""The language of the conversation: asked at first contact, remembered per contact, changeable any time."""
from __future__ import annotations

from channels.message import Reply

from ..contacts import choose_language
from ..steps import Done, Flow, Go, Retry, Step, Turn, choice, numbered

__all__ = ["FLOWS", "LANGUAGES"]

LANGUAGES = ("fr", "ar", "en")


def _label(turn: Turn, lang: str) -> str:
    # Basic phones may not render Arabic in USSD menus: its name is written in Latin letters until chosen.
    if lang == "ar" and turn.surface.latin_until_chosen and turn.session.lang != "ar":
        return turn.say("dialog.language.arabic_latin")
    return turn.ports.catalogs.text(lang, "common.language_name")


def _prompt(turn: Turn) -> Reply:
    return Reply(turn.say("dialog.language.choose"), options=numbered(_label(turn, lang) for lang in LANGUAGES))


def _answer(turn: Turn, text: str):
    picked = choice(text, len(LANGUAGES))
    if picked is None:
        return Retry("dialog.unknown_choice")
    turn.session.lang = LANGUAGES[picked - 1]
    if not turn.replaying:  # a rebuilt session already stored it
        session_id = turn.inbound.session_id if turn.surface.per_session else None
        choose_language(turn.ports.uow(), turn.inbound.contact, turn.session.lang, session_id)
    if turn.data.get("then") == "menu" or turn.surface.per_session:
        return Go("main", "menu", note="dialog.language.saved")
    return Done(turn.say("dialog.language.saved") + "\n" + turn.say("dialog.help.short"))


FLOWS = (Flow("language", {"choose": Step(_prompt, _answer)}, {"start": lambda turn, argument: Go("choose")}),)
