"""Conversation state in Redis, with a time to live: where a citizen stands in which flow, and what they said.

One message costs two Redis round trips: `hold` takes the conversation's lock and reads its session and its
contact's escalation mark in one pipeline, and on leaving writes the session (or drops it) and releases the lock
in another. A provider's request id (a USSD step's, channels.dedup.Claim) is claimed in the first and its answer
kept in the second, so that a webhook's deduplication costs no round trip of its own; its sender's flood count
(web.limits) travels with the claim.
"""
from __future__ import annotations

import json
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from typing import Iterator

from redis.exceptions import RedisError, ResponseError

from .ports import Claim

__all__ = ["Session", "SessionStore", "Held", "Busy", "Seen", "Refused", "snapshot"]

HISTORY = 20  # steps remembered for "0" (back); older ones are dropped
MARK_SECONDS = 86_400  # an escalation mark outlives every session that may have to see it (30 min at most)
# Delete the lock only if it is still ours: after `hold` seconds it may be another message's.
# _SET_DIRECTLY: every message's SETs are queued as commands, not through redis-py's `set()`, whose check of its
# experimental arguments binds the call's signature each time (a tenth of a USSD step's Redis work in py-spy).
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
# The writes of a hold's end, then _RELEASE: KEYS[1] the lock, ARGV[1] its token; KEYS[i] (i > 1) each written
# ("set", value, seconds) or deleted ("del", "", 0) by the three ARGV from 2 + 3 * (i - 2).
_WRITE_AND_RELEASE = """
for i = 2, #KEYS do
  local at = 2 + 3 * (i - 2)
  if ARGV[at] == 'set' then redis.call('set', KEYS[i], ARGV[at + 1], 'EX', ARGV[at + 2])
  else redis.call('del', KEYS[i]) end
end
""" + _RELEASE


class Busy(Exception):
    """Another message of the same conversation is being answered right now."""


class Refused(Exception):
    """A provider's request refused by what travels with its claim (a flood from its sender): `answer` is what the
    provider gets; nothing was done and the claim was let go."""

    def __init__(self, answer: str):
        super().__init__("a provider's request refused")
        self.answer = answer


class Seen(Exception):
    """A provider's retry of a request claimed before (dialog.ports.Claim): `answer` is the first copy's ("" when
    none was given in time)."""

    def __init__(self, answer: str):
        super().__init__("a provider's request seen before")
        self.answer = answer


@dataclass
class Session:
    """One conversation: the current flow and step, the answers so far, and how it got here."""

    key: str
    flow: str | None = None
    step: str | None = None
    data: dict = field(default_factory=dict)
    history: list = field(default_factory=list)  # [flow, step, data] before each move, for "0"
    pages: list = field(default_factory=list)  # [text, end] screens still to show on "98"
    lang: str | None = None
    ended: bool = False
    touched: float | None = None  # when the contact's row last noted a message from them (POSIX seconds)
    checked: str | None = None  # the contact's escalation mark when open escalations were last looked up
    waiting: int | None = None  # the open escalation this contact waits on (looked up again at every message)

    def remember(self, data: dict | None = None) -> None:
        """Note the current step, with its data as it was when shown (`data`), for "0"."""
        if self.flow and self.step:
            self.history = (self.history + [[self.flow, self.step, snapshot(self.data if data is None else data)]])
            self.history = self.history[-HISTORY:]

    def move(self, flow: str, step: str, data: dict | None = None) -> None:
        """Go to another step, remembering this one (with its data as shown) for "0"."""
        self.remember(data)
        self.flow, self.step = flow, step

    def back(self) -> bool:
        """Return to the previous step as it was; False when there is none."""
        if not self.history:
            return False
        self.flow, self.step, self.data = self.history.pop()
        return True

    def restart(self) -> None:
        """Forget the current flow (the main menu, or nothing on SMS)."""
        self.flow = self.step = None
        self.data, self.history, self.pages = {}, [], []

    def to_json(self) -> str:
        # The fields hold JSON values only: no deep copy (dataclasses.asdict) before dumping them.
        return json.dumps({name: getattr(self, name) for name in _STORED}, ensure_ascii=False)

    @classmethod
    def from_json(cls, key: str, raw: str) -> "Session":
        """A stored session; fields it no longer keeps (an earlier release's `path`) are left out."""
        stored = json.loads(raw)
        return cls(key=key, **{name: stored[name] for name in _STORED if name in stored})


_STORED = tuple(f.name for f in fields(Session) if f.name not in ("key", "ended"))


def _no_scripting(reply) -> bool:
    return isinstance(reply, ResponseError) and "unknown command" in str(reply)


def snapshot(data: dict) -> dict:
    return json.loads(json.dumps(data))


@dataclass
class Held:
    """A conversation locked for one message: its stored session, its contact's escalation mark ("" when none),
    and what to write back when the lock is released."""

    session: Session | None
    mark: str
    write: tuple = ()  # ("keep", session, seconds) or ("drop",)
    escalated: bool = False

    def keep(self, session: Session, seconds: int) -> None:
        self.write = ("keep", session, seconds)

    def drop(self) -> None:
        self.write = ("drop",)

    def note_escalation(self) -> None:
        """An escalation was just opened (and committed) for this contact: its other sessions must look again."""
        self.escalated = True


class SessionStore:
    """Sessions as JSON under `prefix + key`, each with its own time to live, refreshed on every save."""

    def __init__(self, redis, prefix: str = "shubbak:dialog:", wait: float = 5.0):
        self.redis, self.prefix, self.wait = redis, prefix, wait
        self._scripts = True  # False on a Redis without Lua (fakeredis without lupa, the embedded default)

    def load(self, key: str) -> Session | None:
        return self._parsed(key, self.redis.get(self.prefix + key))

    def save(self, session: Session, seconds: int) -> None:
        self.redis.set(self.prefix + session.key, session.to_json().encode(), ex=seconds)

    def drop(self, key: str) -> None:
        self.redis.delete(self.prefix + key)

    @contextmanager
    def hold(self, key: str, contact: str, wait: float | None = None, hold: int = 30,
             claim: Claim | None = None) -> Iterator[Held]:
        """Answer one message of a conversation at a time (two SMS of one number may arrive together): lock it,
        read its session and its contact's escalation mark; on leaving, write back what `Held` says (nothing
        when the answer failed) and release the lock.

        With a `claim`, the provider's request is claimed first (dialog.sessions.Seen is raised for a retry of a
        request claimed before, Refused for one refused by what travels with the claim: a flood) and its answer kept
        on leaving, or the claim let go when the answer failed."""
        lock, token = self.prefix + "lock:" + key, uuid.uuid4().hex
        held = self._acquire(key, contact, lock, token, self.wait if wait is None else wait, hold, claim)
        failed = True
        try:
            yield held
            failed = False
        finally:
            self._release(key, contact, lock, token, held, failed, claim)

    def _acquire(self, key: str, contact: str, lock: str, token: str, wait: float, hold: int,
                 claim: Claim | None) -> Held:
        deadline, claiming, owned = time.monotonic() + wait, claim is not None, False
        try:
            while True:
                pipe = self.redis.pipeline(transaction=False)
                if claiming:
                    claim.claim_in(pipe)
                queued = len(pipe)  # the claim's commands, then the lock's
                pipe.execute_command("SET", lock, token, "NX", "EX", hold)  # (as pipe.set: _SET_DIRECTLY)
                pipe.execute_command("MGET", self.prefix + key, self._mark_key(contact))  # one reply to parse
                replies = pipe.execute(raise_on_error=False)
                if claiming:
                    claiming, claimed, replies = False, replies[:queued], replies[queued:]
                    owned = bool(claimed[0]) and not isinstance(claimed[0], Exception)  # SET NX: ours
                    _raised_if_failed([claimed[0], *replies])  # the flood count's own errors: the claim judges
                    self._judge(claim, claimed, lock, token, locked=bool(replies[0]))
                locked, (raw, mark) = _raised_if_failed(replies)
                if locked:
                    return Held(self._parsed(key, raw), mark.decode() if mark else "")
                if time.monotonic() > deadline:
                    raise Busy(key)
                time.sleep(0.05)
        except (Seen, Refused):
            raise
        except Exception:
            # Only a claim this request made: a retry's (refused by SET NX) is the first copy's, which may have run
            # the step; freeing it would let the provider's next retry run the step again. When the claiming run
            # itself failed, whose claim it is cannot be known: it is left to its time to live.
            if owned:
                self._let_go(claim)  # nothing was done: the provider's retry must go through
            raise

    def _judge(self, claim: Claim, claimed: list, lock: str, token: str, locked: bool) -> None:
        """Raise Seen for a retry of a request claimed before, Refused for one refused by what travels with the
        claim (a flood); either way the lock is let go if it was taken, and a refused request's claim too."""
        if not claimed[0]:
            self._seen(claim, lock, token, locked=locked)
        refusal = claim.refusal(claimed[1:])
        if refusal is None:
            return
        pipe = self.redis.pipeline(transaction=False)
        claim.settle_in(pipe, failed=True)
        if locked:
            self._unlock(pipe, lock, token)
        else:
            pipe.execute()
        raise Refused(refusal)

    @staticmethod
    def _let_go(claim: Claim) -> None:
        try:
            claim.let_go()
        except RedisError:
            pass  # Redis is down: the claim, if it was made, ends with its time to live

    def _seen(self, claim: Claim, lock: str, token: str, locked: bool) -> None:
        """A retry of a request claimed before: let the lock go if it was taken for it, answer as the first copy."""
        if locked:
            pipe = self.redis.pipeline(transaction=False)
            self._unlock(pipe, lock, token)
        raise Seen(claim.first_answer())

    def _release(self, key: str, contact: str, lock: str, token: str, held: Held, failed: bool,
                 claim: Claim | None = None) -> None:
        """Write back what `held` says, settle the claim and release the lock: one script (one command, one
        reply: redis-py parses each reply in Python), or plain commands where Redis runs no scripts."""
        writes = self._writes(key, contact, held, failed, claim)
        if self._scripts:
            arguments = [argument for _, value, seconds in writes
                         for argument in (("set", value, seconds) if value is not None else ("del", "", 0))]
            try:
                self.redis.eval(_WRITE_AND_RELEASE, 1 + len(writes), lock, *(name for name, _, _ in writes), token,
                                *arguments)
                return
            except ResponseError as exc:
                if not _no_scripting(exc):
                    raise
                self._scripts = False
        pipe = self.redis.pipeline(transaction=False)
        for name, value, seconds in writes:
            if value is None:
                pipe.delete(name)
            else:
                pipe.execute_command("SET", name, value, "EX", seconds)
        self._unlock(pipe, lock, token)

    def _writes(self, key: str, contact: str, held: Held, failed: bool, claim: Claim | None) -> list[tuple]:
        """What leaving a hold writes: (Redis key, value, seconds to live) each, or (key, None, 0) to delete."""
        writes = []
        if held.escalated:
            writes.append((self._mark_key(contact), uuid.uuid4().hex[:12].encode(), MARK_SECONDS))
        if held.write and not failed:
            if held.write[0] == "keep":
                _, session, seconds = held.write
                writes.append((self.prefix + key, session.to_json().encode(), seconds))
            else:
                writes.append((self.prefix + key, None, 0))
        if claim is not None:
            writes.append(claim.settlement(failed))
        return writes

    def _unlock(self, pipe, lock: str, token: str) -> None:
        """Run `pipe` with the lock's release (if the lock is still ours) at its end; raise the first error."""
        if self._scripts:
            pipe.eval(_RELEASE, 1, lock, token)
        replies = pipe.execute(raise_on_error=False)
        if self._scripts and _no_scripting(replies[-1]):
            self._scripts, replies = False, replies[:-1]
        if not self._scripts and self.redis.get(lock) == token.encode():
            self.redis.delete(lock)
        for reply in replies:
            if isinstance(reply, Exception):
                raise reply

    def _mark_key(self, contact: str) -> str:
        return self.prefix + "escalated:" + contact

    @staticmethod
    def _parsed(key: str, raw: bytes | None) -> Session | None:
        try:
            return Session.from_json(key, raw.decode()) if raw else None
        except (ValueError, TypeError):  # a session written by an older version: start again
            return None


def _raised_if_failed(replies: list) -> list:
    """The replies of a pipeline run without raising; the first error among them raised now."""
    for reply in replies:
        if isinstance(reply, Exception):
            raise reply
    return replies
