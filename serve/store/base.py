"""The connection every part of the store shares."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import (
    create_engine,
    event,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from serve.db.engine import MIGRATIONS, set_sqlite_pragmas
from serve.passwords import PasswordHashing
from serve.store.records import StoreUnavailableError


class StoreBase:
    """The engine and sessions; every write of the store commits before it returns."""

    def __init__(
        self, url: str, min_free_bytes: int = 0, passwords: PasswordHashing | None = None
    ) -> None:
        self.url = url
        self.passwords = passwords or PasswordHashing()
        """How users' passwords are hashed and checked."""
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(url, pool_pre_ping=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", set_sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        event.listen(self._sessions, "after_commit", self._wrote)
        self._failed_write: tuple[str, float] | None = None
        self.min_free_bytes = min_free_bytes

    def migrate(self, home: Path | None = None) -> None:
        """Bring the database to the latest Alembic revision; ``home`` (LAPOR_HOME) is where a
        revision finds files it imports (the catalogue a deployment kept as files before)."""
        from alembic import command  # only migrations
        from alembic.config import Config  # only migrations

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            config.attributes["home"] = home
            command.upgrade(config, "head")

    def close(self) -> None:
        self.engine.dispose()

    def ping(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(select(1))

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session; a write the database cannot take (disk full, read-only) becomes
        StoreUnavailableError and is remembered for /ready until a commit succeeds."""
        with self._sessions() as session:
            try:
                yield session
            except OperationalError as exc:
                problem = refused_write(exc)
                if problem is None:
                    raise
                self._failed_write = (problem, time.monotonic())
                raise StoreUnavailableError(problem) from exc

    def _wrote(self, _session: Session) -> None:
        self._failed_write = None

    def write_problem(self) -> str | None:
        """Why the store cannot write now: a write failed for lack of space (or a read-only
        database) within :data:`FAILED_WRITE_MEMORY` seconds and none has succeeded since, or
        an SQLite database's disk has less than ``min_free_bytes`` free."""
        if self._failed_write is not None:
            problem, at = self._failed_write
            if time.monotonic() - at < FAILED_WRITE_MEMORY:
                return problem
        if self.engine.dialect.name == "sqlite" and self.engine.url.database:
            folder = Path(self.engine.url.database).parent
            free = shutil.disk_usage(folder).free
            if free < self.min_free_bytes:
                return f"{free // 2**20} MiB free on the store's disk"
        return None


FAILED_WRITE_MEMORY = 60.0
"""Seconds a failed write keeps /ready at 503 unless a write succeeds first."""
_DISK_FULL = ("database or disk is full", "no space left on device", "disk quota exceeded")
_READ_ONLY = ("readonly database", "read-only file system", "read-only transaction")


def refused_write(exc: OperationalError) -> str | None:
    """What stops the database from writing, from the driver's error (SQLite's messages,
    PostgreSQL's SQLSTATE 53100 disk full and 25006 read-only); None for any other error."""
    message = str(exc.orig).casefold()
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate == "53100" or any(words in message for words in _DISK_FULL):
        return "disk full"
    if sqlstate == "25006" or any(words in message for words in _READ_ONLY):
        return "database read-only"
    return None
