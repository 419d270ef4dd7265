"""Times in the store carry their offset. PostgreSQL keeps them as ``timestamptz``; SQLite, which
has no zoned type, keeps them in UTC. Code above the store works in the deployment's wall clock
(:mod:`core.clock`): a naive time written is read as the deployment's, and every time read back
is the deployment's wall clock again. So a changed ``LAPOR_TIMEZONE`` shows the same moments
in the new zone, and SQL tools see true instants."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from core.clock import as_local, with_offset


class ZonedDateTime(TypeDecorator[datetime]):
    """A moment stored with its offset, given and taken as the deployment's wall clock."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        instant = with_offset(value).astimezone(UTC)
        return instant if dialect.name == "postgresql" else instant.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return as_local(value if value.tzinfo else value.replace(tzinfo=UTC))
