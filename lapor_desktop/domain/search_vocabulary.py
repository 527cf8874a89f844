"""The desk's search vocabulary (abbreviations, synonyms) and the words a search indexes and asks.

The bundled groups live in ``data/search_vocabulary.txt`` (``term = variant, ...``);
an office's own groups can be added with :func:`load_vocabulary` (``extra``).
A complaint is indexed as its exact words plus extra terms (stems, the joined
form of a hyphenated word, the vocabulary term of a variant); a query word
asks for its exact word as a prefix or any of its own extra terms.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources

from lapor_desktop.domain.indonesian_words import group_forms, stems, word_groups

MAX_QUERY_WORDS = 12


@dataclass(frozen=True)
class Vocabulary:
    """Each variant (one word, or two as a pair) to its group's term."""

    words: dict[str, str] = field(default_factory=dict)
    pairs: dict[tuple[str, str], str] = field(default_factory=dict)

    def terms_of(self, forms: Iterable[str]) -> set[str]:
        return {self.words[f] for f in forms if f in self.words}


def parse_vocabulary(lines: Iterable[str]) -> Vocabulary:
    """Groups from ``term = variant, variant`` lines; ``#`` starts a comment."""
    words: dict[str, str] = {}
    pairs: dict[tuple[str, str], str] = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if "=" not in line:
            continue
        head, _, tail = line.partition("=")
        term = "".join(word_groups(head)[:1]).replace("-", "")
        if not term:
            continue
        words.setdefault(term, term)
        for variant in tail.split(","):
            groups = word_groups(variant)
            if len(groups) == 1:
                words[groups[0].replace("-", "")] = term
            elif len(groups) == 2:
                pairs[(groups[0], groups[1])] = term
    return Vocabulary(words, pairs)


@functools.cache
def bundled_vocabulary() -> Vocabulary:
    text = resources.files("lapor_desktop.domain").joinpath("data/search_vocabulary.txt")
    return parse_vocabulary(text.read_text("utf-8").splitlines())


def load_vocabulary(extra: Iterable[str] = ()) -> Vocabulary:
    """The bundled groups with an office's own lines added (theirs win on a clash)."""
    base = bundled_vocabulary()
    own = parse_vocabulary(extra)
    return Vocabulary({**base.words, **own.words}, {**base.pairs, **own.pairs})


@dataclass(frozen=True)
class QueryWord:
    """One word typed: its exact word as a prefix (a phrase if hyphenated), or any term."""

    exact: tuple[str, ...]
    terms: tuple[str, ...]


def _extra_terms(
    group: str, vocabulary: Vocabulary, *, parts_too: bool = True
) -> tuple[list[str], set[str]]:
    parts, joined = group_forms(group)
    forms = parts + joined if parts_too or not joined else joined
    found: set[str] = set(joined)
    for form in forms:
        candidates = stems(form)
        found.update(candidates)
        found |= vocabulary.terms_of((form, *candidates))
    return parts, found


def document_terms(text: str, vocabulary: Vocabulary) -> tuple[str, str]:
    """A complaint's text as (its exact words, its extra terms), each space-separated."""
    exact: list[str] = []
    extra: set[str] = set()
    previous = ""
    for group in word_groups(text):
        raw = group.split("-")
        parts, found = _extra_terms(group, vocabulary)
        exact.extend(raw)
        extra |= found - set(raw)
        pair = vocabulary.pairs.get((previous, parts[0]))
        if pair:
            extra.add(pair)
        previous = parts[-1]
    return " ".join(exact), " ".join(sorted(extra))


def query_words(query: str, vocabulary: Vocabulary) -> list[QueryWord]:
    """What a search asks for, one entry per word typed (at most ``MAX_QUERY_WORDS``)."""
    asked: list[QueryWord] = []
    for group in word_groups(query)[:MAX_QUERY_WORDS]:
        raw = tuple(group.split("-"))
        # A hyphenated word asks for its joined form, not for each part alone (``e``).
        _, found = _extra_terms(group, vocabulary, parts_too=False)
        terms = tuple(sorted(found - {raw[0]} if len(raw) == 1 else found))
        asked.append(QueryWord(raw, terms))
    return asked
