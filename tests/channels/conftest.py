"""Fixtures of the channel tests: the harness's Redis of this session's own."""
from .harness import redis_conn

__all__ = ["redis_conn"]
