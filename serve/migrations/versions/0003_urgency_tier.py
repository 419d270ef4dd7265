"""urgency tier: urgent, check ("perlu dicek") or none, as a rank the queue sorts by

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 08:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("suggested_tier", sa.Integer(), nullable=False, server_default="0")
        )
    # reports suggested before the tiers existed: the flag was the only tier
    op.execute("UPDATE reports SET suggested_tier = 2 WHERE suggested_urgent")


def downgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_column("suggested_tier")
