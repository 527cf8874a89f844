"""Accounts, encrypted complainant identity with blind indexes, hash-chained audit log.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "key_wraps",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("station_id", sa.String(length=8), nullable=True),
        sa.Column("wrapped_key", sa.Text(), nullable=False),
        sa.Column("kdf", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "user_id"),
        sa.UniqueConstraint("kind", "station_id"),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("prev_hash", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("entry_hash", sa.String(length=64), nullable=False, server_default="")
        )

    with op.batch_alter_table("complainant_identities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_salt", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("nik_index", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("phone_index", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_complainant_identities_nik_index"), ["nik_index"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_complainant_identities_phone_index"), ["phone_index"], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("complainant_identities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complainant_identities_phone_index"))
        batch_op.drop_index(batch_op.f("ix_complainant_identities_nik_index"))
        batch_op.drop_column("erased_at")
        batch_op.drop_column("phone_index")
        batch_op.drop_column("content_salt")
        batch_op.drop_column("nik_index")

    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_column("entry_hash")
        batch_op.drop_column("prev_hash")

    op.drop_table("key_wraps")
    op.drop_table("users")
