"""the live guard of auto-routing: which tasks a decided suggestion routed automatically, and
the suspensions

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("auto_tasks", sa.JSON(), nullable=True))
    op.create_table(
        "auto_suspensions",
        sa.Column("scope", sa.String(250), primary_key=True),
        sa.Column("task", sa.String(16), nullable=False),
        sa.Column("agency", sa.String(200), nullable=True),
        sa.Column("suspended_at", sa.DateTime(), nullable=False),
        sa.Column("after_decision", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("auto_suspensions")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_column("auto_tasks")
