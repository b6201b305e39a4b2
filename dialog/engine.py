"""The conversation engine: one message in, one neutral reply out, for every channel.

Navigation is the same everywhere: `98` shows the next screen of a long reply, `0` goes back one step, `00` goes to
the main menu. A USSD session whose stored state is gone is rebuilt from the inputs its gateway resends (Inbound.inputs);
a rebuild never repeats a step that changes something (an order is placed only by the confirm step itself).
"""
from __future__ import annotations

import logging
from dataclasses import replace
from typing import Iterable, Mapping

from channels.message import Inbound, Reply, SessionState
from orders_core import queries
from orders_core.errors import ShubbakError
from orders_core.phones import mask_phone
from orders_core.services import add_escalation_message
from texts.bidi import without_controls

from .contacts import Contact, choose_language, touch
from .keywords import Command, KeywordTable, bare_reference
from .ports import Claim, Ports, Router, Surface, Understand
from .routing import first_answer
from .sessions import Held, Session, SessionStore, snapshot
from .steps import Again, Done, Enter, Flow, Go, Outcome, Replaying, Retry, Turn
from .understanding import command_for

__all__ = ["Dialog", "MORE", "BACK", "HOME"]

log = logging.getLogger(__name__)
MORE, BACK, HOME = "98", "0", "00"
# How stale the contact's last_inbound_at may get during one conversation (nothing reads it closer than that;
# WhatsApp's 24-hour window runs from whatsapp_at, written by every WhatsApp message).
TOUCH_SECONDS = 300


class Dialog:
    """Flows, sessions and pre-routers; `handle(inbound, surface)` answers one message."""

    def __init__(self, ports: Ports, sessions: SessionStore, flows: Mapping[str, Flow],
                 routers: Iterable[Router] = (), understand: Understand | None = None):
        self.ports, self.sessions, self.flows = ports, sessions, dict(flows)
        self.routers, self.understand = tuple(routers), understand
        self.keywords = KeywordTable.of(self.flows.values())

    def handle(self, inbound: Inbound, surface: Surface, claim: Claim | None = None) -> Reply:
        """Answer one message; an empty text means the bot keeps quiet (free text while support holds the chat).

        With a provider's `claim` (a USSD step), the request is claimed with the conversation's lock, before any
        router sees it, and its rendered answer kept with the session (dialog.sessions.Seen for a retry)."""
        inbound = _without_controls(inbound)
        if claim is None:
            routed = first_answer(self.routers, inbound)
            if routed is not None:
                return routed
        key = surface.session_key(inbound)
        with self.sessions.hold(key, inbound.contact, claim=claim) as held:
            # Routers see a claimed request only once it is known to be no retry.
            routed = first_answer(self.routers, inbound) if claim is not None else None
            reply = routed if routed is not None else self._in_session(key, inbound, surface, held)
            # Rendered while held, so that the answer is kept with the session in the release's round trip; a
            # claim's `answered` never raises (the step's work is committed: ports.Claim).
            return claim.answered(reply) if claim is not None else reply

    def _in_session(self, key: str, inbound: Inbound, surface: Surface, held: Held) -> Reply:
        """The answer to a message within its conversation (locked and read: `held`)."""
        stored = held.session
        # Support may hold this conversation: known at its start, then only if the contact's mark moved, or at
        # every message while the contact waits (support may close it from the staff view).
        look = stored is None or stored.checked != held.mark or stored.waiting is not None
        contact, escalation_id = self._note(inbound, stored, look)
        session = stored or Session(key, lang=contact.language)
        turn = Turn(self.ports, inbound, session, surface)
        if contact is not None:
            session.touched = self.ports.clock().timestamp()
        if look:
            session.checked, session.waiting = held.mark, escalation_id
        if escalation_id is not None and self._for_support(turn):
            return self._held(turn, escalation_id, held)
        reply = self._answer(turn, contact, fresh=stored is None)
        if turn.handed_over:
            held.note_escalation()
        return self._keep(turn, reply, held)

    def _for_support(self, turn: Turn) -> bool:
        """While a person holds the conversation, the citizen's own words go to them; a command (a keyword, a
        reference, an answer inside a flow started by one) and every USSD screen are still the bot's."""
        if not turn.surface.free_text or turn.session.flow:
            return False
        text = turn.inbound.text or ""
        return self.keywords.match(text) is None and bare_reference(text) is None

    def _note(self, inbound: Inbound, stored: Session | None, look: bool) -> tuple[Contact | None, int | None]:
        """Note that the contact wrote (its row, language and first contact) when a conversation starts, then at
        most every TOUCH_SECONDS (else no Contact); with `look`, the id of its open escalation, if any: one
        transaction for both."""
        now = self.ports.clock()
        if stored is not None and stored.touched is not None and now.timestamp() - stored.touched < TOUCH_SECONDS:
            if not look:
                return None, None
            with self.ports.uow() as uow:
                return None, self._open_escalation(uow, inbound.contact)
        also = queries.open_escalation_id() if look else None
        return touch(self.ports.uow(), inbound.contact, inbound.phone, now, also=also)

    @staticmethod
    def _open_escalation(uow, contact: str) -> int | None:
        escalation = queries.open_escalation_for(uow, contact)
        return escalation.id if escalation else None

    # What the message means

    def _answer(self, turn: Turn, contact: Contact | None, fresh: bool) -> Reply:
        if turn.surface.per_session and fresh:
            return self._open_ussd(turn, contact)
        return self._step(turn, turn.inbound.text or "")

    def _open_ussd(self, turn: Turn, contact: Contact) -> Reply:
        """A USSD session with no stored state: its first screen when it is new, else rebuilt from the inputs the
        gateway gives (the neutral message's; each gateway's module reads its own way of sending them)."""
        inputs = turn.inbound.inputs
        if turn.inbound.state == SessionState.NEW or not inputs:
            return self._first_screen(turn)
        log.info("USSD session of %s lost its state: rebuilding from %d inputs",
                 mask_phone(turn.inbound.contact), len(inputs))
        return self._rebuild(turn, contact, inputs)

    def _first_screen(self, turn: Turn) -> Reply:
        if turn.session.lang:
            return self._go(turn, Go("main", "menu"))
        turn.session.data["then"] = "menu"
        return self._go(turn, Go("choose", "language"))

    def _rebuild(self, turn: Turn, contact: Contact, inputs: tuple[str, ...]) -> Reply:
        session = turn.session
        if contact.language_session and contact.language_session == turn.inbound.session_id:
            session.lang = None  # this session began with the language menu
        turn.replaying = True
        try:
            self._paginate(turn, self._first_screen(turn))
            for typed in inputs[:-1]:
                turn.paged = False
                self._paginate(turn, self._step(turn, typed))
                if session.ended and not session.pages:
                    raise Replaying()
        except (Replaying, ShubbakError):
            session.restart()
            session.ended = True
            return Reply(turn.say("dialog.session_lost"), end_session=True)
        finally:
            turn.replaying, turn.paged = False, False
        return self._step(turn, inputs[-1])

    def _step(self, turn: Turn, text: str) -> Reply:
        session, typed = turn.session, (text or "").strip()
        session.ended = False
        if session.pages and typed == MORE:
            return self._next_page(turn)
        session.pages = []
        if typed == HOME:
            session.restart()
            return self._go(turn, Go("main", "menu"))
        if typed == BACK and session.flow:
            return self._prompt(turn) if session.back() else self._go(turn, Go("main", "menu"))
        if not session.flow or session.step not in self.flows.get(session.flow, Flow("", {}, {})).steps:
            return self._idle(turn, text)
        step = self.flows[session.flow].steps[session.step]
        command = self.keywords.match(text) if turn.surface.free_text and not step.free_text else None
        if command:
            session.restart()
            self._adopt_language(turn, command)
            return self._apply(turn, Enter(command.flow, command.entry, command.argument))
        turn.shown = snapshot(session.data)
        return self._apply(turn, step.answer(turn, text))

    def _idle(self, turn: Turn, text: str) -> Reply:
        """A message outside any flow: a keyword, a bare reference, free text, or the menu (USSD)."""
        if turn.surface.per_session:
            return self._go(turn, Go("main", "menu"))
        command = self.keywords.match(text) or bare_reference(text) or self._understood(turn, text)
        if command is not None:
            self._adopt_language(turn, command)
            return self._apply(turn, Enter(command.flow, command.entry, command.argument))
        if turn.session.lang is None:
            turn.session.data["then"] = "help"
            return self._go(turn, Go("choose", "language"))
        return self._apply(turn, Done(turn.say("dialog.help.short")))

    def _understood(self, turn: Turn, text: str) -> Command | None:
        if not (turn.surface.free_text and self.understand and text.strip()):
            return None
        try:
            return command_for(self.understand(text[:500]))
        except Exception as exc:  # free text falls back to keywords and help, whatever the NLU did
            log.warning("NLU failed: %s", type(exc).__name__)
            return None

    def _adopt_language(self, turn: Turn, command: Command) -> None:
        """At first contact, answer in the language of the keyword used (French for Darija and numbers)."""
        if turn.session.lang is None:
            turn.session.lang = command.lang or "fr"
            choose_language(self.ports.uow(), turn.inbound.contact, turn.session.lang)

    # Moving between steps

    def _apply(self, turn: Turn, outcome: Outcome) -> Reply:
        session = turn.session
        if isinstance(outcome, Go):
            return self._go(turn, outcome)
        if isinstance(outcome, Enter):
            return self._enter(turn, outcome)
        if isinstance(outcome, Again):
            return self._prompt(turn)
        if isinstance(outcome, Retry) and session.step:
            return self._prompt(turn, turn.say(outcome.key, **outcome.values))
        text = outcome.text if isinstance(outcome, Done) else turn.say(outcome.key, **outcome.values)
        session.restart()
        session.ended = True
        return Reply(text, end_session=True)

    def _enter(self, turn: Turn, outcome: Enter) -> Reply:
        flow = self.flows.get(outcome.flow)
        if flow is None:
            return self._apply(turn, Done(turn.say("dialog.help.short")))
        session = turn.session
        session.remember(turn.shown)
        session.flow, session.step, session.data = flow.name, None, {}
        entry = flow.entries.get(outcome.entry) or flow.entries["start"]
        return self._apply(turn, entry(turn, outcome.argument))

    def _go(self, turn: Turn, outcome: Go) -> Reply:
        turn.session.move(outcome.flow or turn.session.flow, outcome.step, turn.shown)
        turn.shown = None
        note = turn.say(outcome.note, **outcome.values) if outcome.note else None
        return self._prompt(turn, note)

    def _prompt(self, turn: Turn, note: str | None = None) -> Reply:
        session = turn.session
        reply = self.flows[session.flow].steps[session.step].prompt(turn)
        if reply.end_session:
            session.restart()
            session.ended = True
        text = f"{note}\n{reply.text}" if note else reply.text
        return Reply(text, reply.end_session, reply.options)

    # Screens and storage

    def _next_page(self, turn: Turn) -> Reply:
        text, end = turn.session.pages.pop(0)
        turn.session.ended, turn.paged = end, True
        return Reply(text, end_session=end)

    def _paginate(self, turn: Turn, reply: Reply) -> Reply:
        """Cut a new reply into screens that fit the channel; keep those not shown yet for `98`."""
        if turn.paged or not turn.surface.pager:
            return reply
        pages = turn.surface.pager(reply, turn.say("dialog.nav.more"))
        turn.session.pages = [[page.text, page.end_session] for page in pages[1:]]
        return pages[0]

    def _keep(self, turn: Turn, reply: Reply, held: Held) -> Reply:
        """Page the reply, then save the session, or drop it when the conversation is over."""
        session, reply = turn.session, self._paginate(turn, reply)
        if reply.end_session or (session.ended and not session.pages):
            held.drop()
        else:
            held.keep(session, turn.surface.session_seconds)
        return reply

    def _held(self, turn: Turn, escalation_id: int, held: Held) -> Reply:
        """The citizen's words join the transcript of the conversation support holds; the bot keeps quiet."""
        text = (turn.inbound.text or "").strip()
        if text:
            try:
                add_escalation_message(self.ports.uow(), escalation_id, "in", turn.inbound.contact, text[:2000])
            except ShubbakError as exc:
                log.warning("could not add to conversation %d: %s", escalation_id, exc.code)
        held.keep(turn.session, turn.surface.session_seconds)
        return Reply("")


def _without_controls(inbound: Inbound) -> Inbound:
    """The message without bidi formatting characters (copied with a reference from an Arabic text)."""
    text = without_controls(inbound.text or "")
    return inbound if text == (inbound.text or "") else replace(inbound, text=text)
