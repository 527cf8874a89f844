"""The website lane: when a lease was taken, and by which route a complaint reached LAPOR!.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lease_taken_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.add_column(sa.Column("delivered_via", sa.String(length=16), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_column("delivered_via")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("lease_taken_at")
