"""Deleting old rows in batches (persistence side): the retention jobs name the table and its moment column."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

__all__ = ["purge_rows", "BATCH"]

BATCH = 2000  # rows per transaction: a long purge never holds one lock for long


def purge_rows(uow_factory, table, moment, cutoff: datetime, batch: int = BATCH) -> int:
    """Delete `table`'s rows whose `moment` is before `cutoff`, `batch` at a time; how many."""
    total = 0
    while True:
        with uow_factory() as uow:
            old = select(table.c.id).where(moment < cutoff).order_by(table.c.id).limit(batch)
            ids = list(uow.session.scalars(old))
            if ids:
                uow.session.execute(delete(table).where(table.c.id.in_(ids)))
            uow.commit()
        total += len(ids)
        if len(ids) < batch:
            return total
