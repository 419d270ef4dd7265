"""Password hashing (Argon2id): what the store checks logins with. The hasher and the dummy hash
that equalises timing for unknown users are made on first use, never at import."""

from __future__ import annotations

import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core.config import get_settings
from core.errors import LaporError

MIN_PASSWORD_LENGTH = 8


class PasswordPolicyError(LaporError):
    """A password the service does not accept."""


def check_password(password: str) -> None:
    """The one password rule, for the CLI, the API and the UI alike."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordPolicyError(code="password.too_short", minimum=MIN_PASSWORD_LENGTH)


@cache
def _hasher() -> PasswordHasher:
    """Argon2id at the settings' cost (the library's defaults unless lowered for tests)."""
    settings = get_settings()
    return PasswordHasher(
        time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_kib
    )


@cache
def _dummy_hash() -> str:
    """Verified against when a user does not exist, so a wrong name costs as long as a wrong
    password (no user enumeration by timing)."""
    return _hasher().hash(secrets.token_hex(16))


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        verified = _hasher().verify(stored_hash or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False
    return verified and stored_hash is not None
