"""Files a citizen sends with a complaint (WhatsApp media): kept a while per contact, then attached to the complaint
they file (or filed within the hour)."""
from __future__ import annotations

import json
import logging
from datetime import timedelta

from orders_core.references import format_reference
from orders_core.services.complaints import attach_files, last_complaint_id, recent_complaint

__all__ = ["ComplaintFiles", "MEDIA_SECONDS"]

log = logging.getLogger(__name__)
MEDIA_SECONDS = 3600  # a file sent before its complaint waits this long to be attached to it
_KEY = "shubbak:whatsapp:media:"


class ComplaintFiles:
    """The files pending per contact (in Redis, so that every worker sees them) and their attachment."""

    def __init__(self, uow_factory, redis, clock):
        self.uow_factory, self.redis, self.clock = uow_factory, redis, clock

    def keep(self, contact: str, files: list[dict]) -> None:
        """Keep these files with the contact's pending ones."""
        for item in files:
            self.redis.rpush(_KEY + contact, json.dumps(item))
        if files:
            self.redis.expire(_KEY + contact, MEDIA_SECONDS)

    def pending(self, contact: str) -> list[dict]:
        """The contact's pending files, oldest first."""
        return [json.loads(raw) for raw in self.redis.lrange(_KEY + contact, 0, -1)]

    def last_complaint(self, contacts: list[str]) -> int:
        return last_complaint_id(self.uow_factory(), contacts)

    def attach_since(self, contact: str, contacts: list[str], after_id: int) -> int | None:
        """Attach the pending files to the newest complaint of `contacts` filed after `after_id`; its id."""
        files = self.pending(contact)
        attached = attach_files(self.uow_factory(), contacts, after_id, files)
        if attached is not None:
            self.redis.delete(_KEY + contact)
            log.info("complaint %s: %d file(s) attached from WhatsApp", attached, len(files))
        return attached

    def attach_to_recent(self, contact: str, contacts: list[str]) -> str | None:
        """Attach the pending files to a complaint filed within the hour: its shown reference, or None (they wait
        for the next complaint)."""
        recent = recent_complaint(self.uow_factory(), contacts, self.clock() - timedelta(seconds=MEDIA_SECONDS))
        if recent is None:
            return None
        self.attach_since(contact, contacts, recent[0] - 1)
        return format_reference(recent[1])
