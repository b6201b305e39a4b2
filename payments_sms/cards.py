"""Prepaid card batches: generation (the printer's file, once), activation on distribution, blocking."""
from __future__ import annotations

import logging
import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Iterable

from orders_core.errors import InvalidInput

from . import store
from .errors import BatchNotFound, CardsNotFound
from .model import Card, CardBatch, CardStatus
from .pins import new_pin, pin_hash

__all__ = ["PrintedCard", "BatchSummary", "generate_batch", "activate_cards", "block_cards", "serial_for",
           "MAX_BATCH"]

log = logging.getLogger(__name__)
MAX_BATCH = 100_000


@dataclass(frozen=True)
class PrintedCard:
    """One line of the printer's file: the only place a PIN ever exists in clear."""

    batch_id: int
    serial: str
    pin: str
    value: int
    expires_at: datetime


@dataclass(frozen=True)
class BatchSummary:
    batch_id: int
    value: int
    size: int
    first_serial: str
    last_serial: str
    expires_at: datetime


def serial_for(batch_id: int, index: int) -> str:
    """The public serial of the index-th card of a batch: 12 digits, batch then position, sortable."""
    return f"{batch_id:05d}{index:07d}"


def generate_batch(uow, pin_secret: str, value: int, size: int, created_by: str, validity_days: int,
                   write: Callable[[Iterable[PrintedCard]], None], randbelow=secrets.randbelow) -> BatchSummary:
    """Create a batch of printed (inactive) cards; `write` receives the PINs once, before the batch is committed."""
    _check_batch(value, size)
    with uow:
        now = uow.now()
        batch = CardBatch(value=value, size=size, created_by=created_by[:80], created_at=now,
                          expires_at=now + timedelta(days=validity_days), exported_at=None,
                          printed_cards=size, active_cards=0, blocked_cards=0)
        uow.add(batch)
        uow.flush()
        printed = _cards(uow, batch, pin_secret, randbelow)
        uow.flush()
        # Written before commit: a batch whose PINs never reached the printer must not exist.
        write(printed)
        batch.exported_at = uow.now()
        uow.commit()
    log.info("card batch %s generated: %d cards of %d centimes", batch.id, size, value)
    return BatchSummary(batch.id, value, size, printed[0].serial, printed[-1].serial, batch.expires_at)


def _check_batch(value: int, size: int) -> None:
    problems = {}
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        problems["value"] = f"a positive whole number of centimes, got {value!r}"
    if not isinstance(size, int) or isinstance(size, bool) or not 0 < size <= MAX_BATCH:
        problems["count"] = f"between 1 and {MAX_BATCH} cards, got {size!r}"
    if problems:
        raise InvalidInput(problems)


def _cards(uow, batch: CardBatch, pin_secret: str, randbelow) -> list[PrintedCard]:
    printed, hashes = [], set()
    for index in range(1, batch.size + 1):
        pin = new_pin(randbelow)
        while pin_hash(pin_secret, pin) in hashes:  # a repeat within the batch: draw again
            pin = new_pin(randbelow)
        hashes.add(pin_hash(pin_secret, pin))
        serial = serial_for(batch.id, index)
        uow.add(Card(serial=serial, batch_id=batch.id, value=batch.value, pin_hash=pin_hash(pin_secret, pin),
                     status=CardStatus.PRINTED.value, created_at=batch.created_at, expires_at=batch.expires_at))
        printed.append(PrintedCard(batch.id, serial, pin, batch.value, batch.expires_at))
    return printed


def _selected(uow, batch_id: int | None, first: str | None, last: str | None) -> list[Card]:
    if batch_id is not None and uow.get(CardBatch, batch_id) is None:
        raise BatchNotFound(f"no card batch {batch_id}")
    if batch_id is None and first is None:
        raise InvalidInput({"cards": "name a batch or a serial range"})
    found = store.cards_for_update(uow, batch_id, first, last)
    if not found:
        raise CardsNotFound(f"no cards in batch {batch_id} / serials {first}..{last or first}")
    return found


def _described(batch_id: int | None, first: str | None, last: str | None) -> str:
    parts = [f"batch {batch_id}"] if batch_id is not None else []
    return ", ".join(parts + ([f"serials {first}..{last or first}"] if first else []))


def activate_cards(uow, batch_id: int | None = None, first: str | None = None, last: str | None = None) -> int:
    """Activate the printed cards of a batch or serial range when they are distributed; return how many."""
    with uow:
        moves = Counter()
        for card in _selected(uow, batch_id, first, last):
            if card.status == CardStatus.PRINTED:
                moves[card.batch_id, card.status, CardStatus.ACTIVE.value] += 1
                card.status, card.activated_at = CardStatus.ACTIVE.value, uow.now()
        store.count_status_changes(uow, moves)
        uow.commit()
    changed = moves.total()
    log.info("activated %d cards (%s)", changed, _described(batch_id, first, last))
    return changed


def block_cards(uow, reason: str, batch_id: int | None = None, first: str | None = None,
                last: str | None = None) -> int:
    """Block cards (lost, stolen, withdrawn): they pay nothing from now on; return how many."""
    if not (reason or "").strip():
        raise InvalidInput({"reason": "say why the cards are blocked"})
    with uow:
        moves = Counter()
        for card in _selected(uow, batch_id, first, last):
            if card.status != CardStatus.BLOCKED:
                moves[card.batch_id, card.status, CardStatus.BLOCKED.value] += 1
                card.status, card.blocked_at, card.block_reason = CardStatus.BLOCKED.value, uow.now(), reason[:80]
        store.count_status_changes(uow, moves)
        uow.commit()
    changed = moves.total()
    log.info("blocked %d cards (%s)", changed, _described(batch_id, first, last))
    return changed
