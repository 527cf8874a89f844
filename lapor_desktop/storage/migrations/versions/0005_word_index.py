"""The word index: Indonesian stems, joined hyphenated words and the desk vocabulary's terms.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07

"""

from collections.abc import Sequence

from alembic import op

from lapor_desktop.storage.search import create_word_index, drop_word_index, rebuild_word_index

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema: create the index and fill it from the complaints already kept."""
    create_word_index(op.get_bind())
    rebuild_word_index(op.get_bind())


def downgrade() -> None:
    """Downgrade schema."""
    drop_word_index(op.get_bind())
