"""Office agents acting on orders by SMS from their registered number: take, ready, dispatched, reject.

An inbound router beside the opt-out keywords, plugged in front of the dialog engine by the composition root:
`AgentCommands(...)(inbound)` answers a Reply for an agent command and
None for anything else, which the dialog then handles as usual.

A sender number can be spoofed, so a number alone proves nothing: the agent also proves they know their SMS code
(set in the staff view, stored as a keyed hash). `#4821` opens their SMS commands for a few hours; `#4821 PRENDRE
<ref>` proves and acts at once. Wrong codes count toward a lock-out. Whoever has not proven it (an unknown number,
an agent without a session, a wrong or locked code) is left to the dialog: they get exactly the answer any text
from an unknown number gets, so that the command words cannot be discovered.
"""
from __future__ import annotations

import hmac
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Protocol

from channels.message import Inbound, Reply
from orders_core import queries
from orders_core.errors import InvalidInput, NotAllowed, ShubbakError
from orders_core.lifecycle import Status
from orders_core.phones import mask_phone
from orders_core.redaction import CODE_MARK, redact_agent_code
from orders_core.references import format_reference, parse_reference, to_ascii_digits
from orders_core.services import advance_order, dispatch_order, order_for_reference, reject_order, take_order
from orders_core.services.office_work import OFFICE_ROLES

from .formats import mad

__all__ = ["AgentCommands", "AgentCommand", "AgentProofs", "AgentCodeProofs", "parse_command", "KEYWORDS",
           "REASON_CODES"]

log = logging.getLogger(__name__)

# The words an agent may start a command with, in French, English and Arabic.
KEYWORDS = {
    "PRENDRE": "take", "TAKE": "take", "خذ": "take", "أخذ": "take", "اخذ": "take",
    "PRET": "ready", "PRÊT": "ready", "READY": "ready", "جاهز": "ready",
    "ENVOI": "dispatch", "ENVOYE": "dispatch", "ENVOYÉ": "dispatch", "SENT": "dispatch", "أرسل": "dispatch",
    "ارسل": "dispatch", "إرسال": "dispatch",
    "REJET": "reject", "REJETER": "reject", "REJECT": "reject", "رفض": "reject",
}
# Reason codes as typed by an agent -> the order core's rejection reasons.
REASON_CODES = {
    "1": "record_not_found", "2": "incomplete_data", "3": "not_entitled",
    "RECORD_NOT_FOUND": "record_not_found", "INCOMPLETE_DATA": "incomplete_data", "NOT_ENTITLED": "not_entitled",
}
_REFERENCE = re.compile(r"^((?:\d[\s.\-]*){10})(.*)$", re.S)


@dataclass(frozen=True)
class AgentCommand:
    action: str
    reference: str      # as typed (digits, maybe spaced); checked when the command runs
    argument: str = ""  # the barcode (dispatch) or the reason code (reject)


def parse_command(text: str) -> AgentCommand | None:
    """Read an agent command, or None when the text does not start with a command word."""
    words = to_ascii_digits(text or "").strip().split(maxsplit=1)
    action = KEYWORDS.get(words[0].upper()) if words else None
    if action is None:
        return None
    rest = words[1].strip() if len(words) > 1 else ""
    found = _REFERENCE.match(rest)
    reference, argument = (found.group(1).strip(), found.group(2).strip()) if found else (rest, "")
    return AgentCommand(action, reference, argument)


class NotYourOffice(ShubbakError):
    code = "not_your_office"


class UnknownReason(ShubbakError):
    code = "bad_reason"


def _take(uow, order_id: int, command: AgentCommand, actor) -> dict:
    take_order(uow, order_id, actor)
    return {}


def _ready(uow, order_id: int, command: AgentCommand, actor) -> dict:
    advance_order(uow, order_id, Status.READY, actor)
    return {}


def _dispatch(uow, order_id: int, command: AgentCommand, actor) -> dict:
    order = dispatch_order(uow, order_id, command.argument, actor)
    return {"barcode": order.barcode}


def _reject(uow, order_id: int, command: AgentCommand, actor) -> dict:
    reason = REASON_CODES.get(command.argument.split()[0].upper() if command.argument else "")
    if reason is None:
        raise UnknownReason(command.argument)
    return {"amount": reject_order(uow, order_id, reason, actor)}


# action -> (what it does, the confirmation's text key)
ACTIONS = {
    "take": (_take, "agent.taken"),
    "ready": (_ready, "agent.ready"),
    "dispatch": (_dispatch, "agent.dispatched"),
    "reject": (_reject, "agent.rejected"),
}
# A named error's code -> the refusal's text key.
REFUSALS = {
    "malformed_reference": "agent.usage",
    "check_number": "agent.check_number",
    "no_such_order": "agent.unknown_reference",
    "not_your_office": "agent.not_your_office",
    "illegal_transition": "agent.wrong_stage",
    "already_taken": "agent.already_taken",
    "not_allowed": "agent.not_allowed",
    "invalid_input": "agent.bad_barcode",
    "bad_reason": "agent.bad_reason",
    "concurrent_change": "agent.try_again",
}


class AgentProofs(Protocol):
    """Who proved their SMS code lately, and wrong codes counted toward a lock-out (kept in Redis by jobs)."""

    def proven(self, user_id: int) -> bool: ...

    def open(self, user_id: int) -> datetime: ...

    def locked(self, user_id: int) -> bool: ...

    def failed(self, user_id: int) -> None: ...


class AgentCodeProofs:
    """Agents who sent their right SMS code lately (for `seconds`), and wrong codes counted by `guard` (the staff
    login's lock-out rules), in Redis so that every worker sees them."""

    def __init__(self, redis, clock: Callable[[], datetime], seconds: int, guard):
        self.redis, self.clock, self.seconds, self.guard = redis, clock, seconds, guard

    def proven(self, user_id: int) -> bool:
        until = self.redis.get(f"shubbak:agent:proven:{user_id}")
        return until is not None and float(until) > self.clock().timestamp()

    def open(self, user_id: int) -> datetime:
        until = self.clock().timestamp() + self.seconds
        self.redis.set(f"shubbak:agent:proven:{user_id}", until, ex=self.seconds + 60)
        self.guard.succeeded(f"sms-code:{user_id}")
        return datetime.fromtimestamp(until, timezone.utc)

    def locked(self, user_id: int) -> bool:
        return self.guard.locked_until(f"sms-code:{user_id}") is not None

    def failed(self, user_id: int) -> None:
        self.guard.failed(f"sms-code:{user_id}")


class AgentCommands:
    """The SMS router for staff: `(inbound) -> Reply | None`."""

    def __init__(self, uow_factory: Callable, catalogs, proofs: AgentProofs, code_hash: Callable[[str], str],
                 local_time: Callable[[datetime], str] = lambda moment: moment.strftime("%H:%M")):
        self.uow_factory, self.catalogs, self.proofs = uow_factory, catalogs, proofs
        self.code_hash, self.local_time = code_hash, local_time

    def __call__(self, inbound: Inbound) -> Reply | None:
        if inbound.channel != "sms":
            return None
        text, code = self._code_of(inbound)
        command = parse_command(text[len(CODE_MARK):] if text.startswith(CODE_MARK) else text)
        if command is None and code is None:
            return None
        user = self._user(inbound.phone or inbound.contact)
        if user is None or not self._proven(user, code):
            return None  # the dialog answers, as it answers any text from an unknown number
        if command is None:
            until = self.proofs.open(user.id)
            return Reply(self.catalogs.text(user.language, "privacy.agent.proven", time=self.local_time(until)))
        return Reply(self._answer(user, command))

    def _code_of(self, inbound: Inbound) -> tuple[str, str | None]:
        """The text without its code, and the code's keyed hash (sealed by the webhook, or typed, in tests)."""
        text, typed = redact_agent_code(inbound.text or "")
        sealed = inbound.extra.get("agent_code")
        return text, sealed or (self.code_hash(typed) if typed else None)

    def _user(self, phone: str):
        with self.uow_factory() as uow:
            user = queries.user_by_phone(uow, phone)
        if user is None:
            log.info("staff command from an unregistered number %s", mask_phone(phone))
        return user

    def _proven(self, user, code: str | None) -> bool:
        """A right code now (opening a session), or a session opened earlier; wrong codes count, locks refuse."""
        if code is None:
            return self.proofs.proven(user.id)
        if self.proofs.locked(user.id):
            log.warning("agent %d sent an SMS code while locked out", user.id)
            return False
        if not user.agent_code_hash or not hmac.compare_digest(user.agent_code_hash, code):
            self.proofs.failed(user.id)
            log.warning("agent %d sent a wrong SMS code", user.id)
            return False
        self.proofs.open(user.id)
        return True

    def _answer(self, user, command: AgentCommand) -> str:
        values = {"ref": _shown(command.reference)}
        try:
            key, extra = self._run(user, command)
        except ShubbakError as exc:
            key, extra = REFUSALS.get(exc.code, "agent.try_again"), {}
            log.info("agent %d %s refused: %s", user.id, command.action, exc.code)
        values.update(extra)
        if "amount" in values:
            values["amount"] = mad(values["amount"], user.language)
        return self.catalogs.text(user.language, key, **values)

    def _run(self, user, command: AgentCommand) -> tuple[str, dict]:
        if user.role not in OFFICE_ROLES:
            raise NotAllowed(f"a {user.role} does not process orders")
        with self.uow_factory() as uow:
            order = order_for_reference(uow, command.reference)
        if order.office_code != user.office_code:
            raise NotYourOffice(order.reference)
        action, key = ACTIONS[command.action]
        if command.action == "dispatch" and not command.argument:
            raise InvalidInput({"barcode": "missing"})
        extra = action(self.uow_factory(), order.id, command, user.as_actor("sms"))
        log.info("agent %d %s order %d by SMS", user.id, command.action, order.id)
        return key, extra


def _shown(reference: str) -> str:
    """The reference as the agent should read it back: grouped when valid, else what they typed (cut short)."""
    try:
        return format_reference(parse_reference(reference))
    except ShubbakError:
        return reference[:16]
