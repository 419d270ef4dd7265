"""the deployment's OPD catalogue and its history of edits are tables (were
LAPOR_HOME/deployment/catalogue.json and history.jsonl, imported here when the store is migrated
with that home; the files are no longer read)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 13:30:00
"""

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import context, op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPD_FIELDS = ("name", "function", "functions", "how", "aliases", "description", "place",
              "district", "suggested")  # fmt: skip


def upgrade() -> None:
    head = op.create_table(
        "catalogue",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("region", sa.String(200), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    opds = op.create_table(
        "catalogue_opds",
        sa.Column("position", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("function", sa.String(64), nullable=True),
        sa.Column("functions", sa.JSON(), nullable=False),
        sa.Column("how", sa.String(16), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("place", sa.String(200), nullable=True),
        sa.Column("district", sa.String(200), nullable=True),
        sa.Column("suggested", sa.Boolean(), nullable=False),
    )
    edits = op.create_table(
        "catalogue_edits",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("edit", sa.String(16), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
    )
    op.create_index("ix_catalogue_edits_at", "catalogue_edits", ["at"])
    home = context.config.attributes.get("home")
    if home is not None:
        _import_files(Path(home) / "deployment", head, opds, edits)


def _stored(moment: datetime) -> datetime:
    """An instant as the column keeps it: with its offset on PostgreSQL, UTC on SQLite."""
    instant = moment.astimezone(UTC)
    return instant if op.get_bind().dialect.name == "postgresql" else instant.replace(tzinfo=None)


def _import_files(folder: Path, head: sa.Table, opds: sa.Table, edits: sa.Table) -> None:
    """The catalogue and history files a deployment kept before this revision, as rows."""
    path = folder / "catalogue.json"
    if not path.is_file():
        return
    saved = json.loads(path.read_text(encoding="utf-8"))
    changed = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    imported = {"id": 1, "region": saved["region"], "version": 1, "changed_at": _stored(changed)}
    op.bulk_insert(head, [imported])
    op.bulk_insert(
        opds,
        [
            {"position": position, **{name: opd.get(name) for name in OPD_FIELDS}}
            | {"description": opd.get("description") or "", "suggested": opd.get("suggested", True)}
            for position, opd in enumerate(saved["opds"])
        ],
    )
    history = folder / "history.jsonl"
    lines = history.read_text(encoding="utf-8").splitlines() if history.is_file() else []
    records = [json.loads(line) for line in lines if line.strip()]
    op.bulk_insert(
        edits,
        [
            {
                "at": _stored(datetime.fromisoformat(record.pop("at"))),
                "actor": str(record.pop("by"))[:100],
                "edit": record.pop("edit"),
                "name": str(record.pop("name"))[:200],
                "detail": record,
            }
            for record in records
        ],
    )


def downgrade() -> None:
    op.drop_index("ix_catalogue_edits_at", "catalogue_edits")
    op.drop_table("catalogue_edits")
    op.drop_table("catalogue_opds")
    op.drop_table("catalogue")
