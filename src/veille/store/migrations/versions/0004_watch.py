"""The watch loop's memory: feed state, the store snapshot alerts compare against, alerts.

The old version 4 (``veille.watch``, ``veille.alerts``).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

DESCRIPTION = "watch: feed state, alert snapshot and alerts"


def upgrade() -> None:
    present = set(sa.inspect(op.get_bind()).get_table_names())
    if "watch_sources" not in present:
        op.create_table(
            "watch_sources",
            sa.Column("name", sa.String, primary_key=True),
            sa.Column("url", sa.Text, nullable=False),
            sa.Column("etag", sa.Text),
            sa.Column("last_modified", sa.Text),
            sa.Column("last_status", sa.Integer),
            sa.Column("last_error", sa.Text),
            sa.Column("failures", sa.Integer, nullable=False),
            sa.Column("next_try_at", sa.String),
            sa.Column("last_polled_at", sa.String),
            sa.Column("last_ok_at", sa.String),
            sa.Column("entries_seen", sa.Integer, nullable=False),
        )
    if "watch_state" not in present:
        op.create_table(
            "watch_state",
            sa.Column("key", sa.String, primary_key=True),
            sa.Column("value", sa.Text, nullable=False),
            sa.Column("updated_at", sa.String, nullable=False),
        )
    if "alerts" not in present:
        op.create_table(
            "alerts",
            sa.Column("id", sa.String(40), primary_key=True),
            sa.Column("rule", sa.Text, nullable=False),
            sa.Column("kind", sa.String(24), nullable=False),
            sa.Column("deal_id", sa.String(40)),
            sa.Column("supplier", sa.String(3)),
            sa.Column("recipient", sa.String(3)),
            sa.Column("title", sa.Text, nullable=False),
            sa.Column("detail", sa.Text, nullable=False),
            sa.Column("created_at", sa.String, nullable=False),
            sa.Column("posted_at", sa.String),
        )
        op.create_index("ix_alerts_created", "alerts", ["created_at"])
    op.execute(
        sa.text("INSERT INTO schema_version (version, applied_at, description) VALUES (4, :at, :what)").bindparams(
            at=datetime.now(UTC).isoformat(timespec="seconds"), what=DESCRIPTION
        )
    )


def downgrade() -> None:
    op.execute("DELETE FROM schema_version WHERE version = 4")
    op.drop_index("ix_alerts_created", "alerts")
    for table in ("alerts", "watch_state", "watch_sources"):
        op.drop_table(table)
