"""times carry their offset: timestamptz on PostgreSQL, UTC on SQLite (were the deployment's
wall clock, naive; converted from the deployment's zone in force when migrating)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 10:40:00
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

from core.clock import ZONES, zone, zone_name

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMES = {
    "audit_events": ("at",),
    "auto_suspensions": ("suspended_at",),
    "deployment_settings": ("updated_at",),
    "reports": (
        "created_at", "received_at", "forward_due_at", "response_due_at", "dispositioned_at",
        "responded_at", "closed_at", "rerouted_at", "portal_seen_at",
    ),
    "users": ("created_at",),
    "api_keys": ("created_at", "last_used_at"),
    "decisions": ("created_at",),
    "link_verdicts": ("created_at",),
    "login_sessions": ("created_at", "expires_at", "revoked_at"),
    "suggestions": ("created_at",),
}  # fmt: skip


def _convert(to_offset: bool) -> None:
    if op.get_bind().dialect.name == "postgresql":
        iana = ZONES[zone_name()]
        for table, columns in TIMES.items():
            for column in columns:
                op.alter_column(
                    table,
                    column,
                    type_=sa.DateTime(timezone=to_offset),
                    postgresql_using=f"{column} AT TIME ZONE '{iana}'",
                )
        return
    offset = zone().utcoffset(datetime(2000, 1, 1))  # Indonesia keeps no summer time
    seconds = -int(offset.total_seconds()) if to_offset else int(offset.total_seconds())
    for table, columns in TIMES.items():
        for column in columns:  # keeps the stored fraction of a second (from character 20)
            op.execute(
                f"UPDATE {table} SET {column} = strftime('%Y-%m-%d %H:%M:%S', {column}, "
                f"'{seconds:+d} seconds') || substr({column}, 20) WHERE {column} IS NOT NULL"
            )


def upgrade() -> None:
    _convert(to_offset=True)


def downgrade() -> None:
    _convert(to_offset=False)
