"""Amounts in centimes written for a citizen: the order core's one `mad` (40, 12,50; 12.50 in English)."""
from __future__ import annotations

from orders_core.money import mad

__all__ = ["mad"]
