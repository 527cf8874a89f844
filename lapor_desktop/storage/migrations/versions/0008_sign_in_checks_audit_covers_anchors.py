"""Sign-in checks in flight, and the audit chain's complaint covers and countersigned anchors.

``sign_in_checks`` lets the sign-in gate admit at most the lockout's allowance of
unsettled password checks per account, across workstations, without counting a check
as failed before its hash says so. ``audit_covers`` holds a complaint row's digest as
an audit entry left it; ``audit_anchors`` the chain heads the national service
countersigned (docs/security.md).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "sign_in_checks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sign_in_checks_user_id", "sign_in_checks", ["user_id"], unique=False)
    op.create_table(
        "audit_covers",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("complaint_uuid", sa.String(length=36), nullable=False),
        sa.Column("row_digest", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["audit_log.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("entry_id"),
    )
    op.create_index(
        "ix_audit_covers_complaint_uuid", "audit_covers", ["complaint_uuid"], unique=False
    )
    op.create_table(
        "audit_anchors",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("signed_at", sa.String(length=40), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_anchors_entry_id", "audit_anchors", ["entry_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_audit_anchors_entry_id", table_name="audit_anchors")
    op.drop_table("audit_anchors")
    op.drop_index("ix_audit_covers_complaint_uuid", table_name="audit_covers")
    op.drop_table("audit_covers")
    op.drop_index("ix_sign_in_checks_user_id", table_name="sign_in_checks")
    op.drop_table("sign_in_checks")
