"""Per-document extraction fingerprint, consolidation flag and reader metadata (the old version 5).

``extracted_with`` lets ``veille reprocess`` redo only documents whose knowledge base, rules or
model changed; ``consolidated`` marks a document whose deals are not rebuilt yet, so an ingest
killed between storing and consolidating finishes the job on the next run; ``raw_meta`` keeps
what the reader knew beyond the text, so reprocessing needs no file.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

DESCRIPTION = "per-document extraction fingerprint, consolidation flag and reader metadata"


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("documents")}
    if "extracted_with" not in columns:
        op.add_column("documents", sa.Column("extracted_with", sa.String(40)))
    if "consolidated" not in columns:
        op.add_column("documents", sa.Column("consolidated", sa.Integer, nullable=False, server_default="1"))
    if "raw_meta" not in columns:
        op.add_column("documents", sa.Column("raw_meta", sa.Text))
    op.execute(
        sa.text("INSERT INTO schema_version (version, applied_at, description) VALUES (5, :at, :what)").bindparams(
            at=datetime.now(UTC).isoformat(timespec="seconds"), what=DESCRIPTION
        )
    )


def downgrade() -> None:
    op.execute("DELETE FROM schema_version WHERE version = 5")
    with op.batch_alter_table("documents") as batch:
        for name in ("raw_meta", "consolidated", "extracted_with"):
            batch.drop_column(name)
