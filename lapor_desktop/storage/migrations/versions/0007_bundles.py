"""Offline bundles: the bundles a desk made, relays and imported, and what each carries.

An outbox entry names the outbound bundle that carries it (it stays pending: the network
may return first); a relay entry carries another desk's sealed bundle and so has no
complaint of this desk, hence ``complaint_id`` may be NULL.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BUNDLE_FK = "fk_outbox_bundle_id"


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "bundles",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("bundle_id", sa.String(length=36), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("origin_office", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("carried_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("envelope_sha256", sa.String(length=64), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("in_reply_to", sa.String(length=36), nullable=True),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("volumes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("bundle_id"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bundle_id", sa.Integer(), nullable=True))
        batch_op.alter_column("complaint_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(
            BUNDLE_FK, "bundles", ["bundle_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_index("ix_outbox_bundle_id", ["bundle_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema: relay entries (no complaint of this desk) cannot stay."""
    op.execute(sa.text("DELETE FROM outbox WHERE complaint_id IS NULL"))
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_bundle_id")
        batch_op.drop_constraint(BUNDLE_FK, type_="foreignkey")
        batch_op.alter_column("complaint_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("bundle_id")
    op.drop_table("bundles")
