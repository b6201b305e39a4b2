"""Input the staff view refuses, each reason a key of the staff catalog with the values it names, so that the edge
says it in the reader's language; the keys stand in the error's fields for logs and machines."""
from __future__ import annotations

from orders_core.errors import InvalidInput, NotAllowed

__all__ = ["Refused", "refused", "OwnAccountKept"]


class Refused(InvalidInput):
    """Fields refused, each with the catalog key saying why (`staff.refused.*`); `values` fill each key's text."""

    def __init__(self, reasons: dict[str, str], values: dict[str, dict] | None = None):
        self.values = {field: dict(named) for field, named in (values or {}).items()}
        super().__init__(reasons)


def refused(field: str, key: str, **values) -> Refused:
    """One field refused for the reason `key`, its text filled from `values`."""
    return Refused({field: key}, {field: values})


class OwnAccountKept(NotAllowed):
    """An administrator may not disable their own account or take its administrator role away."""

    code = "own_account"

    def __init__(self):
        super().__init__("an administrator cannot disable or demote their own account")
