"""Passwords: the one rule a new password must pass, and Argon2id hashing, what the store checks
logins with (at the cost the composition root passes in)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import cached_property

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core.config import Settings
from core.errors import LaporError

MIN_PASSWORD_LENGTH = 8


class PasswordPolicyError(LaporError):
    """A password the service does not accept."""


def check_password(password: str) -> None:
    """The one password rule, for the CLI, the API and the UI alike."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordPolicyError(code="password.too_short", minimum=MIN_PASSWORD_LENGTH)


@dataclass(frozen=True)
class PasswordHashing:
    """Argon2id at a cost (RFC 9106's default unless the composition root lowers it, as the
    tests do). The hasher, and the dummy hash that makes a wrong name cost as long as a wrong
    password (no user enumeration by timing), are made on first use, never at import."""

    time_cost: int = 3
    memory_kib: int = 65_536

    @classmethod
    def from_settings(cls, settings: Settings) -> PasswordHashing:
        return cls(settings.argon2_time_cost, settings.argon2_memory_kib)

    @cached_property
    def _hasher(self) -> PasswordHasher:
        return PasswordHasher(time_cost=self.time_cost, memory_cost=self.memory_kib)

    @cached_property
    def _dummy_hash(self) -> str:
        return self._hasher.hash(secrets.token_hex(16))

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """Whether ``password`` matches; always spends one hash, even with no stored hash."""
        try:
            verified = self._hasher.verify(stored_hash or self._dummy_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        return verified and stored_hash is not None
