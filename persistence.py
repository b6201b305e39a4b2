"""Every package's tables in one MetaData, for migrations and tests."""
from __future__ import annotations

import importlib

from orders_core.orm import metadata, start_mappers

__all__ = ["ORM_MODULES", "load_metadata"]

# Packages that own tables; each module adds its tables to orders_core.orm.metadata when imported.
ORM_MODULES = ("orders_core.orm", "payments_sms.orm", "notifications.orm", "notifications.optouts", "channels.orm",
               "dialog.orm", "channels.handset")


def load_metadata():
    """Import every ORM module, map the classes and return the shared MetaData."""
    for name in ORM_MODULES:
        module = importlib.import_module(name)
        getattr(module, "start_mappers", start_mappers)()
    return metadata
