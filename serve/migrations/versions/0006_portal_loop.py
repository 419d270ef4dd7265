"""the daily loop with SP4N-LAPOR!: what the portal last showed of each report, and who made
each decision (staff here, or the portal)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("portal_status", sa.String(100), nullable=True))
        batch_op.add_column(sa.Column("portal_agency", sa.String(200), nullable=True))
        batch_op.add_column(sa.Column("portal_seen_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("source", sa.String(16), nullable=False, server_default="staff")
        )


def downgrade() -> None:
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_column("source")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_column("portal_seen_at")
        batch_op.drop_column("portal_agency")
        batch_op.drop_column("portal_status")
