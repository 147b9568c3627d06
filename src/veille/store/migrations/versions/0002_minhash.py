"""Near-duplicate signatures on documents (the old ``MIGRATIONS`` version 2).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

DESCRIPTION = "near-duplicate signatures on documents"


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("documents")}
    if "minhash" not in columns:  # a hand-patched store may have it already
        op.add_column("documents", sa.Column("minhash", sa.LargeBinary))
    op.execute(
        sa.text("INSERT INTO schema_version (version, applied_at, description) VALUES (2, :at, :what)").bindparams(
            at=datetime.now(UTC).isoformat(timespec="seconds"), what=DESCRIPTION
        )
    )


def downgrade() -> None:
    op.execute("DELETE FROM schema_version WHERE version = 2")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("minhash")
