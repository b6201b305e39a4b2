"""Conversation state in Redis, with a time to live: where a citizen stands in which flow, and what they said."""
from __future__ import annotations

import json
import time
import uuid
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

__all__ = ["Session", "SessionStore", "Busy", "snapshot"]

HISTORY = 20  # steps remembered for "0" (back); older ones are dropped


class Busy(Exception):
    """Another message of the same conversation is being answered right now."""


@dataclass
class Session:
    """One conversation: the current flow and step, the answers so far, and how it got here."""

    key: str
    flow: str | None = None
    step: str | None = None
    data: dict = field(default_factory=dict)
    history: list = field(default_factory=list)  # [flow, step, data] before each move, for "0"
    pages: list = field(default_factory=list)  # [text, end] screens still to show on "98"
    path: str | None = None  # USSD: every input so far, joined by "*" as the provider sends them
    lang: str | None = None
    ended: bool = False

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
        return json.dumps({k: v for k, v in asdict(self).items() if k not in ("key", "ended")}, ensure_ascii=False)

    @classmethod
    def from_json(cls, key: str, raw: str) -> "Session":
        return cls(key=key, **json.loads(raw))


def snapshot(data: dict) -> dict:
    return json.loads(json.dumps(data))


class SessionStore:
    """Sessions as JSON under `prefix + key`, each with its own time to live, refreshed on every save."""

    def __init__(self, redis, prefix: str = "shubbak:dialog:"):
        self.redis, self.prefix = redis, prefix

    def load(self, key: str) -> Session | None:
        raw = self.redis.get(self.prefix + key)
        try:
            return Session.from_json(key, raw.decode()) if raw else None
        except (ValueError, TypeError):  # a session written by an older version: start again
            return None

    def save(self, session: Session, seconds: int) -> None:
        self.redis.set(self.prefix + session.key, session.to_json().encode(), ex=seconds)

    def drop(self, key: str) -> None:
        self.redis.delete(self.prefix + key)

    @contextmanager
    def lock(self, key: str, wait: float = 5.0, hold: int = 30):
        """Answer one message of a conversation at a time (two SMS of one number may arrive together)."""
        name, token = self.prefix + "lock:" + key, uuid.uuid4().hex
        deadline = time.monotonic() + wait
        while not self.redis.set(name, token, nx=True, ex=hold):
            if time.monotonic() > deadline:
                raise Busy(key)
            time.sleep(0.05)
        try:
            yield
        finally:
            if self.redis.get(name) == token.encode():
                self.redis.delete(name)
