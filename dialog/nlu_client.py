"""HTTP client for the Rasa NLU server: free text in, an understood intent (or None) out."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import requests

__all__ = ["CircuitBreaker", "NluClient", "Understanding"]

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 500
# Patterns and lookup tables match exactly; when the statistical model tags the same entity too,
# the exact match is the one to trust (a PIN cut short by the model would be refused later).
EXACT_EXTRACTORS = frozenset({"RegexEntityExtractor"})


@dataclass(frozen=True)
class Understanding:
    """What the NLU model made of one message."""

    intent: str
    confidence: float
    entities: dict[str, str]
    ranking: tuple[tuple[str, float], ...]


class NluUnavailable(Exception):
    """The server answered, but not with something usable; the message never holds the text."""


class CircuitBreaker:
    """Stops calling a failing server for a cooldown, then lets one trial call through."""

    def __init__(self, failure_threshold: int, cooldown: float, clock: Callable[[], float]):
        self._threshold = failure_threshold
        self._cooldown = cooldown
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._lock = threading.Lock()

    def allows_call(self) -> bool:
        """True when a call may go out now."""
        with self._lock:
            if self._opened_at is None:
                return True
            if self._clock() - self._opened_at < self._cooldown:
                return False
            # Re-arming here makes the trial the only call until its outcome is recorded.
            self._opened_at = self._clock()
            return True

    def record_success(self) -> None:
        """Close the breaker."""
        with self._lock:
            self._failures = 0
            self._opened_at = None

    def record_failure(self) -> None:
        """Count a failure; open the breaker when there were too many in a row."""
        with self._lock:
            self._failures += 1
            if self._failures >= self._threshold:
                self._opened_at = self._clock()


class NluClient:
    """Asks the Rasa server what a message means; never raises, returns None when it cannot tell."""

    def __init__(
        self,
        base_url: str,
        timeout: float = 0.8,
        failure_threshold: int = 3,
        cooldown: float = 30,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._parse_url = base_url.rstrip("/") + "/model/parse"
        self._timeout = timeout
        self._breaker = CircuitBreaker(failure_threshold, cooldown, clock)

    def parse(self, text: str) -> Understanding | None:
        """The understanding of `text`, or None when the server is down, slow, confused or skipped."""
        try:
            if not text or not text.strip() or not self._breaker.allows_call():
                return None
            understanding = self._ask(text[:MAX_TEXT_CHARS])
        except Exception as error:  # the bot must fall back to keywords, whatever went wrong
            self._breaker.record_failure()
            log.warning("NLU parse failed at %s: %s", self._parse_url, describe(error))
            return None
        self._breaker.record_success()
        return understanding

    def _ask(self, text: str) -> Understanding | None:
        response = requests.post(self._parse_url, json={"text": text}, timeout=self._timeout)
        if response.status_code != 200:
            raise NluUnavailable(f"HTTP {response.status_code}")
        try:
            return understanding_from(response.json())
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise NluUnavailable(f"malformed response ({type(error).__name__})") from None


def understanding_from(payload: dict[str, Any]) -> Understanding | None:
    """Build an Understanding from Rasa's parse answer; None when no intent was picked."""
    name = payload["intent"]["name"]
    if name is None:
        return None
    if not isinstance(name, str):
        raise TypeError("intent name is not a string")
    ranking = tuple(
        (str(entry["name"]), float(entry["confidence"])) for entry in payload.get("intent_ranking") or ()
    )
    return Understanding(
        intent=name,
        confidence=float(payload["intent"]["confidence"]),
        entities=entities_from(payload.get("entities") or ()),
        ranking=ranking,
    )


def entities_from(items: Iterable[dict[str, Any]]) -> dict[str, str]:
    """One value per entity name: the first exact match, else the first one found."""
    chosen: dict[str, tuple[bool, str]] = {}
    for item in items:
        exact = item.get("extractor") in EXACT_EXTRACTORS
        name = str(item["entity"])
        if name not in chosen or (exact and not chosen[name][0]):
            chosen[name] = (exact, str(item["value"]))
    return {name: value for name, (_, value) in chosen.items()}


def describe(error: Exception) -> str:
    """A log-safe account of a failure: our own messages, else only the exception's type."""
    if isinstance(error, NluUnavailable):
        return str(error)
    return type(error).__name__
