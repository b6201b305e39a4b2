"""Every package's tables in one MetaData, for migrations and tests."""
from __future__ import annotations

import importlib

from sqlalchemy import literal, or_, select, union_all

from orders_core.orm import metadata, start_mappers

__all__ = ["ORM_MODULES", "load_metadata", "message_kind"]

# Packages that own tables; each module adds its tables to orders_core.orm.metadata when imported.
ORM_MODULES = ("orders_core.orm", "payments_sms.orm", "notifications.orm", "notifications.optouts", "channels.orm",
               "dialog.orm")


def load_metadata():
    """Import every ORM module, map the classes and return the shared MetaData."""
    for name in ORM_MODULES:
        module = importlib.import_module(name)
        getattr(module, "start_mappers", start_mappers)()
    return metadata


def message_kind(uow, provider: str, provider_message_id: str) -> str | None:
    """Which of our messages a delivery report names, by its provider id: an SMS reply (channels), a notification
    (notifications; a WhatsApp one comes under Twilio's name) or a premium charge (payments); None when none."""
    from channels.orm import sms_messages as replies
    from notifications.model import WHATSAPP
    from notifications.orm import notification_messages as notices
    from payments_sms.orm import premium_charges as charges
    found = union_all(
        select(literal("reply").label("kind")).where(replies.c.provider == provider,
                                                     replies.c.provider_message_id == provider_message_id,
                                                     replies.c.direction == "out"),
        select(literal("notification")).where(or_(notices.c.provider == provider, notices.c.provider == WHATSAPP),
                                              notices.c.provider_message_id == provider_message_id),
        select(literal("charge")).where(charges.c.provider == provider,
                                        charges.c.provider_message_id == provider_message_id))
    with uow:
        return uow.session.execute(found.limit(1)).scalar()
