"""When and how a message may go: quiet hours, which kinds are urgent, which channel reaches a person."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from channels.whatsapp import route as whatsapp_route
from channels.whatsapp import template_for
from orders_core.money import mad  # noqa: F401 - re-exported: the one way to write dirhams

__all__ = ["QuietHours", "URGENT_KINDS", "choose_channel", "reach_of", "template_of", "mad"]

# Urgent kinds answer something the person has just done, or a conversation they are waiting in: they go at
# any hour. Everything else (the office's and the post's progress, staff notices) waits for the morning.
URGENT_KINDS = frozenset({"order_placed", "payment_complete", "payment_partial", "complaint_filed", "support_reply"})


@dataclass(frozen=True)
class QuietHours:
    """Local hours in which non-urgent messages are held, e.g. "21:00-08:00" in Africa/Casablanca."""

    start: time | None
    end: time | None
    zone: ZoneInfo

    @classmethod
    def parse(cls, spec: str, timezone: str) -> "QuietHours":
        """Read "HH:MM-HH:MM"; an empty spec means no quiet hours."""
        zone = ZoneInfo(timezone)
        if not (spec or "").strip():
            return cls(None, None, zone)
        try:
            start, end = (time.fromisoformat(part.strip()) for part in spec.split("-"))
        except ValueError:
            raise ValueError(f"quiet hours must look like '21:00-08:00', got {spec!r}") from None
        return cls(start, end, zone)

    def holds(self, moment: datetime) -> bool:
        """Whether `moment` (aware, any zone) falls inside the quiet hours."""
        if self.start is None:
            return False
        local = moment.astimezone(self.zone).time()
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end  # the usual case: the night spans midnight

    def release(self, moment: datetime, urgent: bool = False) -> datetime:
        """When a message due at `moment` may go: then, or at the end of the quiet hours it falls in (UTC)."""
        if urgent or not self.holds(moment):
            return moment
        local = moment.astimezone(self.zone)
        end = datetime.combine(local.date(), self.end, tzinfo=self.zone)
        if end <= local:
            end = datetime.combine(local.date() + timedelta(days=1), self.end, tzinfo=self.zone)
        return end.astimezone(moment.tzinfo)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)


def choose_channel(phone: str | None, contact: str | None, kind: str, *, whatsapp: str | None = None,
                   last_inbound_at: datetime | None = None, now: datetime | None = None,
                   template: str | None = None) -> str | None:
    """The channel a message reaches its person on, or None when nothing can reach them yet.

    With a WhatsApp address (`whatsapp`, its last inbound time, now, the kind's template if any): WhatsApp inside
    the 24-hour window or with an approved template, else SMS to the phone (channels.whatsapp.route).
    """
    if whatsapp and now is not None:
        found = whatsapp_route(whatsapp, phone, last_inbound_at, now, template)
        return found.channel if found else None
    return "sms" if phone else None


def reach_of(uow, notifier, contact: str | None):
    """How a citizen is reached on WhatsApp (address, last message time, aware) through the notifier's port, or
    None: no port wired, no contact, or never wrote on WhatsApp."""
    if notifier.reach is None or not contact:
        return None
    reach = notifier.reach(uow, contact)
    if reach is None or not reach.address:
        return None
    last = reach.last_inbound_at
    if last is not None and last.tzinfo is None:  # SQLite keeps no offset: its naive datetimes are UTC
        reach = replace(reach, last_inbound_at=last.replace(tzinfo=timezone.utc))
    return reach


def template_of(notifier, kind: str, language: str, values: dict) -> str | None:
    """The Content SID of the approved WhatsApp template for this kind and language, if one is configured."""
    found = template_for(notifier.templates, kind, language, values)
    return found[0] if found else None
