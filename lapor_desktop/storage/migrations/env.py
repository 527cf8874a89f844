"""Alembic environment: runs on the connection handed over by ``storage.migrate``."""

from __future__ import annotations

from alembic import context

from lapor_desktop.storage.models import Base

config = context.config
connection = config.attributes["connection"]


def include_name(name: str | None, type_: str, _parent: object) -> bool:
    """Leave the full-text objects (made by hand in ``fulltext.py``) out of autogenerate."""
    return not (type_ == "table" and name is not None and name.startswith("complaints_fts"))


context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    include_name=include_name,
)
with context.begin_transaction():
    context.run_migrations()
