"""Notifications: domain events from the outbox become messages to citizens and staff, sent once, recorded."""
from .dispatch import HANDLERS, claim_outbox, handle_outbox, store_planned, sweep
from .model import WHATSAPP, Audience, Notification, Planned, RetryPlan, Status
from .notifier import Notifier
from .periodic import agent_digests, late_reports
from .policy import URGENT_KINDS, QuietHours, choose_channel
from .reports import record_status
from .retention import Purged, purge_settled
from .sending import deliver_outbox, send_notification

__all__ = [
    "HANDLERS", "claim_outbox", "handle_outbox", "store_planned", "sweep", "Audience",
    "Notification", "Planned", "RetryPlan", "Status", "Notifier", "agent_digests", "late_reports", "URGENT_KINDS",
    "QuietHours", "choose_channel", "record_status", "send_notification",
    "deliver_outbox", "WHATSAPP", "Purged", "purge_settled",
]
