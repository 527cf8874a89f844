"""Full-text matching of complaints, per database (FTS5 on SQLite, tsvector on PostgreSQL).

User text is reduced to word tokens before it reaches the query language,
so quotes, operators and stray punctuation typed at the desk can never
produce a syntax error; every token is matched as a prefix.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal_column, select, text
from sqlalchemy.orm import Session

from lapor_desktop.storage.models import Complaint

MAX_TOKENS = 12
_TOKEN = re.compile(r"\w+", re.UNICODE)


def tokens(query: str) -> list[str]:
    return [t.casefold() for t in _TOKEN.findall(query)][:MAX_TOKENS]


def match_clause(
    session: Session, query: str, *, past_id: int | None = None, ascending: bool = False
) -> ColumnElement[bool] | None:
    """A WHERE clause selecting complaints that contain every token; None for no tokens.

    ``past_id`` (keyset paging: ids below it, or above it when ``ascending``)
    also bounds SQLite's list of matches, which it otherwise builds in full
    and walks from its top end to reach a page in the middle.
    """
    words = tokens(query)
    if not words:
        return None
    if session.get_bind().dialect.name == "postgresql":
        tsquery = " & ".join(f"{w}:*" for w in words)
        return literal_column("complaints.search_vector").op("@@")(
            text("to_tsquery('simple', :tsquery)").bindparams(tsquery=tsquery)
        )
    matching = _fts_matches(select(literal_column("rowid")), words)
    if past_id is not None:
        rowid: ColumnElement[int] = literal_column("rowid")
        matching = matching.where(rowid > past_id if ascending else rowid < past_id)
    return Complaint.id.in_(matching)


def match_count(session: Session, query: str) -> int | None:
    """How many complaints contain every token, counted by the FTS5 index alone.

    Its triggers keep one index row per complaint, so this equals counting
    the complaints, without visiting them. None where there is no such
    shortcut (no tokens; PostgreSQL, whose count goes through the GIN index anyway).
    """
    words = tokens(query)
    if not words or session.get_bind().dialect.name != "sqlite":
        return None
    return int(session.scalar(_fts_matches(select(func.count()), words)) or 0)


def _fts_matches(columns: Select[Any], words: list[str]) -> Select[Any]:
    fts_query = " ".join('"' + w.replace('"', "") + '"*' for w in words)
    return columns.select_from(text("complaints_fts")).where(
        text("complaints_fts MATCH :fts").bindparams(fts=fts_query)
    )
