"""Help, and asking for a person: support takes the conversation over (the bot keeps quiet until it ends)."""
from __future__ import annotations

from orders_core.services import open_escalation

from ..steps import Done, Flow, Turn

__all__ = ["FLOWS"]


def _help(turn: Turn, argument: str):
    return Done(turn.say("dialog.help.sms" if turn.surface.free_text else "dialog.help.ussd"))


def _human(turn: Turn, argument: str):
    turn.act()
    inbound = turn.inbound
    said = inbound.text if turn.surface.free_text else None
    open_escalation(turn.ports.uow(), inbound.contact, channel=inbound.channel, language=turn.lang,
                    reason="asked_for_human", phone=inbound.phone, text=said)
    turn.handed_over = True
    return Done(turn.say("dialog.human.opened"))


FLOWS = (
    Flow("help", {}, {"start": _help}),
    Flow("human", {}, {"start": _human}),
)
