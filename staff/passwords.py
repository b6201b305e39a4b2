"""Password hashing for staff accounts: argon2id."""
from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

__all__ = ["hash_password", "verify_password", "needs_rehash", "decoy_hash"]

# argon2id at OWASP's recommended minimum (19 MiB, t=2, p=1): the library default of 64 MiB a hash put a web
# worker past its memory budget during a few simultaneous logins. Older hashes are upgraded at the next login.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# One hash at a time per process: each holds 19 MiB while it runs, and a web worker's threads hashing together
# would hold that many times over (a few logins at once is what put a worker past its 150 MB budget).
_one_at_a_time = threading.Lock()
log = logging.getLogger(__name__)
_M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter (malloc.h)


@functools.cache
def _give_large_blocks_back() -> None:
    """Make glibc serve blocks of 1 MiB and more with mmap and unmap them when freed, always.

    By default glibc raises that threshold after the first large block is freed, so each thread's malloc arena
    then keeps its own 19 MiB after a hash: a process that has hashed in four threads holds 76 MiB, even with
    one hash at a time. Done once, before the first hash; elsewhere than glibc nothing changes.
    """
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        if libc is not None and hasattr(libc, "mallopt") and libc.mallopt(_M_MMAP_THRESHOLD, 1 << 20) != 1:
            log.warning("mallopt(M_MMAP_THRESHOLD) refused: password hashes may keep memory per thread")
    except OSError:
        pass


def _hashing(work, *args):
    _give_large_blocks_back()
    with _one_at_a_time:
        return work(*args)


def hash_password(password: str) -> str:
    return _hashing(_hasher.hash, password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when the password matches; a malformed hash is a mismatch, never an error."""
    try:
        return _hashing(_hasher.verify, password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@functools.cache
def decoy_hash() -> str:
    """A hash checked when the username is unknown, so that a wrong name costs as much as a wrong password.

    Made at the first login that needs it, not at import: importing the staff view must stay cheap.
    """
    return hash_password("decoy password: never matches anything typed")
