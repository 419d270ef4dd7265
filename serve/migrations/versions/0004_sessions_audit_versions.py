"""server-side login sessions, the audit trail of accounts, report versions, rejected links,
re-routing and supporting OPDs

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_login_sessions_user_id", "login_sessions", ["user_id"])
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("target", sa.String(100), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
    )
    op.create_index("ix_audit_events_at", "audit_events", ["at"])
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("supporting_agencies", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("rerouted_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("supporting_agencies", sa.JSON(), nullable=True))
    op.create_table(
        "link_verdicts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("report_id", sa.String(64), sa.ForeignKey("reports.id"), nullable=False),
        sa.Column("linked_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_link_verdicts_report_id", "link_verdicts", ["report_id"])


def downgrade() -> None:
    op.drop_index("ix_link_verdicts_report_id", "link_verdicts")
    op.drop_table("link_verdicts")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_column("supporting_agencies")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_column("rerouted_at")
        batch_op.drop_column("supporting_agencies")
        batch_op.drop_column("version")
    op.drop_index("ix_audit_events_at", "audit_events")
    op.drop_table("audit_events")
    op.drop_index("ix_login_sessions_user_id", "login_sessions")
    op.drop_table("login_sessions")
