"""Sync state: receipts on complaints, outbox backoff and lookup flag, cursor and applied changes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.add_column(sa.Column("receipt", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("needs_lookup", sa.Boolean(), nullable=False, server_default=sa.false())
        )

    op.create_table(
        "sync_values",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "applied_changes",
        sa.Column("change_id", sa.String(length=128), nullable=False),
        sa.Column("client_uuid", sa.String(length=36), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("change_id"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("applied_changes")
    op.drop_table("sync_values")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("needs_lookup")
        batch_op.drop_column("next_attempt_at")
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_column("sent_at")
        batch_op.drop_column("receipt")
