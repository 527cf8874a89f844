"""Full-text matching of complaints, per database (FTS5 on SQLite, tsvector on PostgreSQL).

User text is reduced to word tokens before it reaches the query language,
so quotes, operators and stray punctuation typed at the desk can never
produce a syntax error; every token is matched as a prefix.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, Select, literal_column, select, text
from sqlalchemy.orm import Session

from lapor_desktop.storage.models import Complaint

MAX_TOKENS = 12
_TOKEN = re.compile(r"\w+", re.UNICODE)


def tokens(query: str) -> list[str]:
    return [t.casefold() for t in _TOKEN.findall(query)][:MAX_TOKENS]


def match_clause(session: Session, query: str) -> ColumnElement[bool] | None:
    """A WHERE clause selecting complaints that contain every token; None for no tokens."""
    words = tokens(query)
    if not words:
        return None
    if session.get_bind().dialect.name == "postgresql":
        tsquery = " & ".join(f"{w}:*" for w in words)
        return literal_column("complaints.search_vector").op("@@")(
            text("to_tsquery('simple', :tsquery)").bindparams(tsquery=tsquery)
        )
    fts_query = " ".join('"' + w.replace('"', "") + '"*' for w in words)
    matching: Select[Any] = (
        select(literal_column("rowid"))
        .select_from(text("complaints_fts"))
        .where(text("complaints_fts MATCH :fts").bindparams(fts=fts_query))
    )
    return Complaint.id.in_(matching)
