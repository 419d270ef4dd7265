"""Login throttling: failed logins counted per user name and per client address in a sliding
window (429 with ``Retry-After`` past the limit), and a bound on how many password checks run at
once, so a flood of wrong passwords can neither guess nor exhaust memory and cores."""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from cachetools import TTLCache

from core.config import Settings

HASH_WAIT_SECONDS = 5.0
"""How long a login waits for a turn to check its password before it is told to retry."""
TRACKED_KEYS = 100_000
"""Most user names and addresses remembered at once (the oldest are forgotten first)."""


class LoginBusyError(Exception):
    """Every password-checking turn stayed taken for :data:`HASH_WAIT_SECONDS`."""


class LoginThrottle:
    def __init__(self, per_user: int, per_address: int, window_seconds: float, hashes: int) -> None:
        self.limits = {"user": per_user, "address": per_address}
        self.window = window_seconds
        self._failures: TTLCache[tuple[str, str], deque[float]] = TTLCache(
            TRACKED_KEYS, window_seconds
        )
        self._lock = threading.Lock()
        self._turns = asyncio.Semaphore(hashes)

    @classmethod
    def from_settings(cls, settings: Settings) -> LoginThrottle:
        return cls(
            settings.login_failures_per_user,
            settings.login_failures_per_address,
            settings.login_window_minutes * 60,
            settings.login_hashes_at_once,
        )

    def _keys(self, name: str, address: str) -> list[tuple[str, str]]:
        return [("user", name.strip().casefold()), ("address", address)]

    def retry_after(self, name: str, address: str) -> int | None:
        """Seconds until this user name and address may try again; None when they may now."""
        now = time.monotonic()
        waits = []
        with self._lock:
            for key in self._keys(name, address):
                failures = self._failures.get(key)
                if failures is None:
                    continue
                while failures and failures[0] <= now - self.window:
                    failures.popleft()
                limit = self.limits[key[0]]
                if len(failures) >= limit:
                    waits.append(failures[len(failures) - limit] + self.window - now)
        return max(1, math.ceil(max(waits))) if waits else None

    def failed(self, name: str, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in self._keys(name, address):
                failures = self._failures.get(key) or deque(maxlen=self.limits[key[0]])
                failures.append(now)
                self._failures[key] = failures

    def succeeded(self, name: str) -> None:
        """A right password clears the user's count (not the address's: one right guess must
        not reset a flood)."""
        with self._lock:
            self._failures.pop(self._keys(name, "")[0], None)

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """A turn to check a password; LoginBusyError when none comes in time."""
        try:
            await asyncio.wait_for(self._turns.acquire(), HASH_WAIT_SECONDS)
        except TimeoutError:
            raise LoginBusyError from None
        try:
            yield
        finally:
            self._turns.release()
