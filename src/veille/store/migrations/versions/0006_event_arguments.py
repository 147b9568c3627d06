"""Argument spans on events: where the text names the system, the date and each state.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

DESCRIPTION = "argument spans on events"


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    columns = {c["name"] for c in inspector.get_columns("events")} if inspector.has_table("events") else {"arguments"}
    if "arguments" not in columns:
        op.add_column("events", sa.Column("arguments", sa.Text))
    op.execute(
        sa.text("INSERT INTO schema_version (version, applied_at, description) VALUES (6, :at, :what)").bindparams(
            at=datetime.now(UTC).isoformat(timespec="seconds"), what=DESCRIPTION
        )
    )


def downgrade() -> None:
    op.execute("DELETE FROM schema_version WHERE version = 6")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("arguments")
