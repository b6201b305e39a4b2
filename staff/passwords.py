"""Password hashing for staff accounts: argon2id."""
from __future__ import annotations

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

__all__ = ["hash_password", "verify_password", "needs_rehash", "decoy_hash"]

# argon2id at OWASP's recommended minimum (19 MiB, t=2, p=1): the library default of 64 MiB a hash put a web
# worker past its memory budget during a few simultaneous logins. Older hashes are upgraded at the next login.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when the password matches; a malformed hash is a mismatch, never an error."""
    try:
        return _hasher.verify(password_hash, password)
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
