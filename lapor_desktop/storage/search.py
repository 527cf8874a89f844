"""Full-text matching of complaints, per database (FTS5 on SQLite, tsvector on PostgreSQL).

Two indexes. The exact one (``complaints_fts`` / ``search_vector``, kept by
the database itself) holds every word of the text and the identifiers. The
word index (``complaint_words``), filled here whenever a complaint is
flushed, holds the text's exact words and its extra terms: Indonesian stems,
joined hyphenated words, the desk vocabulary's terms
(``domain.search_vocabulary``). A query word matches its exact word as a
prefix or any of its terms; exact words weigh more in the relevance order.
Words with digits also look in the exact index (registration numbers,
tracking IDs). User text is reduced to word tokens before it reaches either
query language, so nothing typed at the desk can produce a syntax error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    Subquery,
    event,
    func,
    inspect,
    literal,
    literal_column,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import Mapper, Session

from lapor_desktop.domain.search_vocabulary import (
    QueryWord,
    Vocabulary,
    document_terms,
    load_vocabulary,
    query_words,
)
from lapor_desktop.storage.models import Complaint

MAX_TOKENS = 12
WORD_COLUMNS = ("title", "description", "location_text", "region_label")
EXACT_WEIGHT = 3.0
"""bm25 weight of the exact words against the extra terms (1.0): exact matches rank first."""
RANK_LIMIT = 2_000
"""Above this many matches a search comes newest first: scoring every match of a common word
(``air``: a fifth of a million complaints) costs more than a first page may (50 ms)."""
IDENTIFIER_SCORE = -1.0e6
"""A registration number or tracking ID found in the exact index ranks above any text match."""

_TOKEN = re.compile(r"\w+", re.UNICODE)
_VOCABULARY: Vocabulary = load_vocabulary()

_SQLITE_CREATE = [
    """
    CREATE VIRTUAL TABLE complaint_words USING fts5(
        exact, terms, tokenize='unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER complaint_words_delete AFTER DELETE ON complaints BEGIN
        DELETE FROM complaint_words WHERE rowid = old.id;
    END
    """,
]
_SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS complaint_words_delete",
    "DROP TABLE IF EXISTS complaint_words",
]
_POSTGRES_CREATE = [
    """
    CREATE TABLE complaint_words (
        complaint_id INTEGER PRIMARY KEY REFERENCES complaints(id) ON DELETE CASCADE,
        words tsvector NOT NULL
    )
    """,
    "CREATE INDEX ix_complaint_words ON complaint_words USING GIN (words)",
]
_POSTGRES_DROP = ["DROP TABLE IF EXISTS complaint_words"]


def create_word_index(connection: Connection) -> None:
    """The word index's table (migration 0005); fill it with :func:`rebuild_word_index`."""
    sqlite = connection.dialect.name == "sqlite"
    for statement in _SQLITE_CREATE if sqlite else _POSTGRES_CREATE:
        connection.exec_driver_sql(statement)


def drop_word_index(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    for statement in _SQLITE_DROP if sqlite else _POSTGRES_DROP:
        connection.exec_driver_sql(statement)


def tokens(query: str) -> list[str]:
    return [t.casefold() for t in _TOKEN.findall(query)][:MAX_TOKENS]


def _text_of(row: Any) -> str:
    return " ".join(str(getattr(row, column) or "") for column in WORD_COLUMNS)


def index_rows(connection: Connection, rows: list[tuple[int, str]]) -> None:
    """(Re)write the word index entries of ``(complaint id, text)`` rows."""
    if not rows:
        return
    values = []
    for complaint_id, body in rows:
        exact, terms = document_terms(body, _VOCABULARY)
        values.append({"id": complaint_id, "exact": exact, "terms": terms})
    ids = [{"id": v["id"]} for v in values]
    if connection.dialect.name == "sqlite":
        connection.execute(text("DELETE FROM complaint_words WHERE rowid = :id"), ids)
        connection.execute(
            text("INSERT INTO complaint_words(rowid, exact, terms) VALUES (:id, :exact, :terms)"),
            values,
        )
        return
    connection.execute(text("DELETE FROM complaint_words WHERE complaint_id = :id"), ids)
    connection.execute(
        text(
            "INSERT INTO complaint_words (complaint_id, words) VALUES (:id, "
            "setweight(to_tsvector('simple', :exact), 'A') || "
            "setweight(to_tsvector('simple', :terms), 'B'))"
        ),
        values,
    )


def rebuild_word_index(connection: Connection, *, chunk: int = 5_000) -> int:
    """Index every complaint again (migration, repair); returns how many were indexed."""
    connection.exec_driver_sql("DELETE FROM complaint_words")
    done, last = 0, 0
    while True:
        rows = connection.execute(
            select(Complaint.id, *(getattr(Complaint, c) for c in WORD_COLUMNS))
            .where(Complaint.id > last)
            .order_by(Complaint.id)
            .limit(chunk)
        ).all()
        if not rows:
            return done
        index_rows(connection, [(row.id, _text_of(row)) for row in rows])
        done += len(rows)
        last = rows[-1].id


def unindexed_count(session: Session) -> int:
    """Complaints missing from the word index (saved by something that bypassed the ORM)."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    key = "rowid" if sqlite else "complaint_id"
    indexed: Select[Any] = select(literal_column(key)).select_from(text("complaint_words"))
    missing = select(func.count()).where(Complaint.id.not_in(indexed))
    return int(session.scalar(missing) or 0)


@event.listens_for(Complaint, "after_insert")
def _index_saved(_mapper: Mapper[Any], connection: Connection, complaint: Complaint) -> None:
    """The word index follows every complaint the ORM writes, in the same transaction."""
    index_rows(connection, [(complaint.id, _text_of(complaint))])


@event.listens_for(Complaint, "after_update")
def _index_changed(_mapper: Mapper[Any], connection: Connection, complaint: Complaint) -> None:
    """Only a changed text is indexed again (a status or sync change leaves it)."""
    state = inspect(complaint)
    if any(state.attrs[c].history.has_changes() for c in WORD_COLUMNS):
        index_rows(connection, [(complaint.id, _text_of(complaint))])


def _has_digits(words: list[QueryWord]) -> bool:
    return any(ch.isdigit() for w in words for part in w.exact for ch in part)


def _fts_word(word: QueryWord) -> str:
    phrase = '"' + " ".join(p.replace('"', "") for p in word.exact) + '"*'
    return "(" + " OR ".join([phrase, *(f'"{t}"' for t in word.terms)]) + ")"


def _ts_word(word: QueryWord) -> str:
    last = len(word.exact) - 1
    phrase = " <-> ".join(f"{p}:*" if i == last else p for i, p in enumerate(word.exact))
    return "(" + " | ".join([f"({phrase})", *word.terms]) + ")"


Columns = Callable[[ColumnElement[Any]], tuple[Any, ...]]


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _ts_query(words: list[QueryWord]) -> str:
    return " & ".join(_ts_word(w) for w in words)


def _word_matches(session: Session, words: list[QueryWord], columns: Columns) -> Select[Any]:
    """Rows of the word index matching every word (``columns`` of its key: what to select)."""
    if _is_postgres(session):
        tsquery = func.to_tsquery("simple", _ts_query(words))
        found = select(*columns(literal_column("complaint_id"))).select_from(
            text("complaint_words")
        )
        return found.where(literal_column("words").op("@@")(tsquery))
    fts = " AND ".join(_fts_word(w) for w in words)
    found = select(*columns(literal_column("rowid"))).select_from(text("complaint_words"))
    return found.where(text("complaint_words MATCH :wq").bindparams(wq=fts))


def _exact_matches(session: Session, words: list[str], columns: Columns) -> Select[Any]:
    """The exact index's rows holding every token as a prefix (the search before 0005)."""
    if _is_postgres(session):
        tsquery = func.to_tsquery("simple", " & ".join(f"{w}:*" for w in words))
        return select(*columns(Complaint.__table__.c.id)).where(
            literal_column("complaints.search_vector").op("@@")(tsquery)
        )
    fts_query = " ".join('"' + w.replace('"', "") + '"*' for w in words)
    found = select(*columns(literal_column("rowid"))).select_from(text("complaints_fts"))
    return found.where(text("complaints_fts MATCH :eq").bindparams(eq=fts_query))


def _key(key: ColumnElement[Any]) -> tuple[Any, ...]:
    return (key,)


def match_clause(
    session: Session, query: str, *, past_id: int | None = None, ascending: bool = False
) -> ColumnElement[bool] | None:
    """A WHERE clause selecting complaints that match every word; None for no words.

    ``past_id`` (keyset paging: ids below it, or above it when ``ascending``)
    also bounds SQLite's list of matches, which it otherwise builds in full
    and walks from its top end to reach a page in the middle.
    """
    words = query_words(query, _VOCABULARY)
    if not words:
        return None
    sqlite = session.get_bind().dialect.name == "sqlite"
    matching = _word_matches(session, words, _key)
    if sqlite and past_id is not None:
        rowid: ColumnElement[int] = literal_column("rowid")
        matching = matching.where(rowid > past_id if ascending else rowid < past_id)
    clause: ColumnElement[bool] = Complaint.id.in_(matching)
    if _has_digits(words):
        exact = _exact_matches(session, tokens(query), _key)
        if sqlite and past_id is not None:
            rowid = literal_column("rowid")
            exact = exact.where(rowid > past_id if ascending else rowid < past_id)
        clause = clause | Complaint.id.in_(exact)
    return clause


def ranked_matches(session: Session, query: str) -> Subquery | None:
    """The matching complaints' ids with a ``score`` (lower is more relevant); None for no words.

    bm25 on SQLite (exact words weighted ``EXACT_WEIGHT``), ``ts_rank`` on
    PostgreSQL (exact words weight A, terms B); identifiers found in the exact
    index rank first.
    """
    words = query_words(query, _VOCABULARY)
    if not words:
        return None
    rank: ColumnElement[Any]
    if _is_postgres(session):
        rank = -func.ts_rank(literal_column("words"), func.to_tsquery("simple", _ts_query(words)))
    else:
        rank = func.bm25(literal_column("complaint_words"), EXACT_WEIGHT, 1.0)
    scored = _word_matches(session, words, lambda key: (key.label("id"), rank.label("score")))
    if not _has_digits(words):
        return scored.subquery("ranked")
    first = literal(IDENTIFIER_SCORE)
    exact = _exact_matches(
        session, tokens(query), lambda key: (key.label("id"), first.label("score"))
    )
    both = union_all(scored, exact).subquery("found")
    return (
        select(both.c.id, func.min(both.c.score).label("score"))
        .group_by(both.c.id)
        .subquery("ranked")
    )


def few_enough_to_rank(session: Session, query: str, limit: int = RANK_LIMIT) -> bool:
    """Whether the word index matches at most ``limit`` complaints (read no further)."""
    words = query_words(query, _VOCABULARY)
    if not words:
        return False
    some = _word_matches(session, words, _key).limit(limit + 1).subquery()
    return int(session.scalar(select(func.count()).select_from(some)) or 0) <= limit


def match_count(session: Session, query: str) -> int | None:
    """How many complaints match every word, counted by the word index alone.

    It keeps one row per complaint, so this equals counting the complaints
    without visiting them. None where there is no such shortcut (no words;
    digits, which also look in the exact index; PostgreSQL, whose count goes
    through the GIN index anyway).
    """
    words = query_words(query, _VOCABULARY)
    if not words or _has_digits(words) or session.get_bind().dialect.name != "sqlite":
        return None
    return int(session.scalar(_word_matches(session, words, lambda _key: (func.count(),))) or 0)
