"""Login throttling: failed logins counted in a sliding window per (user name, client address),
per address and per user name; 429 with ``Retry-After`` past a limit, and a bound on how many
password checks run at once, so a flood of wrong passwords can neither guess nor exhaust memory
and cores.

Nobody can lock a user out from everywhere: the per-user limit counts one address's tries at
that name. A user name attacked from many addresses (past the slower global per-name limit)
gives each address that already failed at it no further try in the window, while an address
that has not, the real user's new one included, still gets its try."""

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
"""Most (name, address) pairs, names and addresses remembered at once (the oldest first go)."""


class LoginBusyError(Exception):
    """Every password-checking turn stayed taken for :data:`HASH_WAIT_SECONDS`."""


class LoginThrottle:
    def __init__(
        self,
        per_user: int,
        per_address: int,
        window_seconds: float,
        hashes: int,
        per_user_everywhere: int | None = None,
    ) -> None:
        self.limits = {
            "pair": per_user,
            "address": per_address,
            "user": per_user_everywhere or 10 * per_user,
        }
        self.window = window_seconds
        self._failures: TTLCache[tuple[str, ...], deque[float]] = TTLCache(
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
            settings.login_failures_per_user_everywhere,
        )

    @staticmethod
    def _keys(name: str, address: str) -> dict[str, tuple[str, ...]]:
        user = name.strip().casefold()
        return {
            "pair": ("pair", user, address),
            "address": ("address", address),
            "user": ("user", user),
        }

    def _recent(self, key: tuple[str, ...], now: float) -> deque[float]:
        failures = self._failures.get(key)
        if failures is None:
            return deque()
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def retry_after(self, name: str, address: str) -> int | None:
        """Seconds until this user name may be tried from this address; None when it may now."""
        now = time.monotonic()
        waits = []
        with self._lock:
            keys = self._keys(name, address)
            recent = {kind: self._recent(key, now) for kind, key in keys.items()}
            for kind in ("pair", "address"):
                limit = self.limits[kind]
                if len(recent[kind]) >= limit:
                    waits.append(recent[kind][len(recent[kind]) - limit] + self.window - now)
            if len(recent["user"]) >= self.limits["user"] and recent["pair"]:
                waits.append(recent["pair"][-1] + self.window - now)
        return max(1, math.ceil(max(waits))) if waits else None

    def failed(self, name: str, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            for kind, key in self._keys(name, address).items():
                failures = self._failures.get(key) or deque(maxlen=self.limits[kind])
                failures.append(now)
                self._failures[key] = failures

    def succeeded(self, name: str, address: str) -> None:
        """A right password clears this address's count at the name (not the address's own
        count, nor the name's from elsewhere: one right guess must not reset a flood)."""
        with self._lock:
            self._failures.pop(self._keys(name, address)["pair"], None)

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
