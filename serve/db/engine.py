"""The engine: SQLite (WAL, synchronous=FULL: a committed decision survives the process being
killed) by default, or PostgreSQL by URL; the schema is owned by the Alembic migrations in
``serve/migrations``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

MIGRATIONS = Path(__file__).parents[1] / "migrations"
"""The Alembic migrations that own the schema."""


def set_sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
