"""Help, asking for a person, and leaving the wait for one.

Support takes the conversation over: the citizen's own words go to the person, while every command (and every USSD
screen) still works. On USSD, help is a screen of its own with a way back, never the end of the session.
"""
from __future__ import annotations

from channels.message import Reply
from orders_core import queries
from orders_core.errors import NotFound
from orders_core.services import close_escalation, open_escalation

from ..steps import Done, Flow, Go, Step, Turn

__all__ = ["FLOWS"]


def _help(turn: Turn, argument: str):
    if turn.surface.per_session:
        return Go("text")
    return Done(turn.say("dialog.help.sms"))


def _help_prompt(turn: Turn) -> Reply:
    return Reply(turn.say("dialog.help.ussd"), options=(("00", turn.say("dialog.nav.menu")),))


def _human(turn: Turn, argument: str):
    if turn.session.waiting is not None:
        return Go("waiting") if turn.surface.per_session else Done(turn.say("dialog.human.waiting"))
    turn.act()
    inbound = turn.inbound
    said = inbound.text if turn.surface.free_text else None
    escalation = open_escalation(turn.ports.uow(), inbound.contact, channel=inbound.channel, language=turn.lang,
                                 reason="asked_for_human", phone=inbound.phone, text=said)
    turn.handed_over, turn.session.waiting = True, escalation.id
    key = "dialog.human.opened_sms" if turn.surface.answers_by_sms else "dialog.human.opened"
    return Done(turn.say(key))


def _waiting_prompt(turn: Turn) -> Reply:
    return Reply(turn.say("dialog.human.waiting"), options=(("1", turn.say("dialog.human.leave")),
                                                             ("00", turn.say("dialog.nav.menu"))))


def _waiting(turn: Turn, text: str):
    return _leave(turn, "") if text.strip() == "1" else Go("main", "menu")


def _leave(turn: Turn, argument: str):
    """Close the conversation the citizen waits on: the bot answers everything again."""
    turn.act()
    with turn.ports.uow() as uow:
        escalation = queries.open_escalation_for(uow, turn.inbound.contact)
        escalation_id = escalation.id if escalation else None
    if escalation_id is None:
        return Done(turn.say("dialog.human.none"))
    try:
        close_escalation(turn.ports.uow(), escalation_id, turn.inbound.contact)
    except NotFound:
        return Done(turn.say("dialog.human.none"))
    turn.handed_over, turn.session.waiting = True, None  # the contact's other conversations look again
    return Done(turn.say("dialog.human.left"))


FLOWS = (
    Flow("help", {"text": Step(_help_prompt, lambda turn, text: Go("main", "menu"))}, {"start": _help}),
    Flow("human", {"waiting": Step(_waiting_prompt, _waiting)}, {"start": _human}),
    Flow("leave", {}, {"start": _leave}),
)
