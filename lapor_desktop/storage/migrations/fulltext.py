"""Full-text search objects, which differ per database.

SQLite: an FTS5 table with external content (the complaints table) kept in
step by triggers. PostgreSQL: a stored ``tsvector`` column with a GIN index.
The ``simple`` configuration and ``unicode61 remove_diacritics`` suit
Indonesian, which has no stemmer in either database. On PostgreSQL every
run of non-alphanumeric characters becomes a space first, so that both
databases cut ``2104-20261129-K7QX-0012`` into the same words.
"""

from __future__ import annotations

from sqlalchemy import Connection

FTS_COLUMNS = (
    "title",
    "description",
    "region_label",
    "location_text",
    "registration_number",
    "tracking_id",
)

_SQLITE_CREATE = [
    """
    CREATE VIRTUAL TABLE complaints_fts USING fts5(
        title, description, region_label, location_text, registration_number, tracking_id,
        content='complaints', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER complaints_fts_insert AFTER INSERT ON complaints BEGIN
        INSERT INTO complaints_fts(rowid, title, description, region_label, location_text,
                                   registration_number, tracking_id)
        VALUES (new.id, new.title, new.description, new.region_label, new.location_text,
                new.registration_number, new.tracking_id);
    END
    """,
    """
    CREATE TRIGGER complaints_fts_delete AFTER DELETE ON complaints BEGIN
        INSERT INTO complaints_fts(complaints_fts, rowid, title, description, region_label,
                                   location_text, registration_number, tracking_id)
        VALUES ('delete', old.id, old.title, old.description, old.region_label,
                old.location_text, old.registration_number, old.tracking_id);
    END
    """,
    """
    CREATE TRIGGER complaints_fts_update AFTER UPDATE OF title, description, region_label,
        location_text, registration_number, tracking_id ON complaints BEGIN
        INSERT INTO complaints_fts(complaints_fts, rowid, title, description, region_label,
                                   location_text, registration_number, tracking_id)
        VALUES ('delete', old.id, old.title, old.description, old.region_label,
                old.location_text, old.registration_number, old.tracking_id);
        INSERT INTO complaints_fts(rowid, title, description, region_label, location_text,
                                   registration_number, tracking_id)
        VALUES (new.id, new.title, new.description, new.region_label, new.location_text,
                new.registration_number, new.tracking_id);
    END
    """,
]

_SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS complaints_fts_update",
    "DROP TRIGGER IF EXISTS complaints_fts_delete",
    "DROP TRIGGER IF EXISTS complaints_fts_insert",
    "DROP TABLE IF EXISTS complaints_fts",
]

_PG_DOCUMENT = " || ' ' || ".join(f"coalesce({c}, '')" for c in FTS_COLUMNS)

_POSTGRES_CREATE = [
    f"""
    ALTER TABLE complaints ADD COLUMN search_vector tsvector
        GENERATED ALWAYS AS (
            to_tsvector('simple', regexp_replace({_PG_DOCUMENT}, '[^[:alnum:]]+', ' ', 'g'))
        ) STORED
    """,
    "CREATE INDEX ix_complaints_search ON complaints USING GIN (search_vector)",
]

_POSTGRES_DROP = [
    "DROP INDEX IF EXISTS ix_complaints_search",
    "ALTER TABLE complaints DROP COLUMN IF EXISTS search_vector",
]


def create_fulltext(connection: Connection) -> None:
    statements = _SQLITE_CREATE if connection.dialect.name == "sqlite" else _POSTGRES_CREATE
    for statement in statements:
        connection.exec_driver_sql(statement)


def drop_fulltext(connection: Connection) -> None:
    statements = _SQLITE_DROP if connection.dialect.name == "sqlite" else _POSTGRES_DROP
    for statement in statements:
        connection.exec_driver_sql(statement)
