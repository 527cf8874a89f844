"""Indonesian words as a search should see them: reduplication undone, affixes stripped.

The stemmer is rule-based and dictionary-free (Sastrawi's root list is
CC-BY-NC-SA), and deliberately conservative: a wrong stem that is a real
word (``perbaikan`` -> ``baik`` "good", ``kerusakan`` -> ``rusa`` "deer")
costs hundreds of false hits, a missed stem only a few misses. So:
``ke-`` and ``pe-`` are stripped only together with ``-an`` (their confix),
``-kan`` and ``-i`` only after a verb prefix, ``per-`` is never stripped,
a stem needs four letters, and a few words that look affixed are kept
whole. Where the nasal prefix hides the root's first letter
(``menulis``: tulis or nulis), every candidate is returned; documents and
queries go through the same rules, so candidates meet.
"""

from __future__ import annotations

import re

MIN_STEM = 4
MIN_WORD = 5

PROTECTED = frozenset(
    [
        "pemerintah",
        "pemerintahan",
        "kecamatan",
        "kelurahan",
        "kabupaten",
        "pendapat",
        "pendapatan",
        "penduduk",
        "menteri",
        "peserta",
        "pegawai",
        "penanganan",
        "tangan",
        "keluarga",
        "kepala",
        "perempuan",
        "selokan",
        "sekolah",
        "masalah",
        "jumlah",
        "mereka",
        "menara",
        "dinas",
        "diare",
        "bersih",
        "berita",
        "beras",
        "berat",
        "terima",
        "terminal",
        "pesawat",
        "petani",
        "pemuda",
        "karena",
        "kemarin",
        "kenapa",
        "kendaraan",
        "kereta",
        "ketua",
        "sebagai",
        "setiap",
        "sekitar",
        "semua",
        "pelayan",
        "pertama",
        "dermaga",
        "pelabuhan",
        "lingkungan",
        "jembatan",
        "bantuan",
    ]
)
"""Words kept whole: real words whose "root" would be another word, or no word at all."""

_REDUPLICATED_DIGIT = re.compile(r"^([a-z]{3,})2$")
_GROUP = re.compile(r"[0-9a-z]+(?:-[0-9a-z]+)*")


def word_groups(text: str) -> list[str]:
    """Lower-case words, hyphenated ones kept as one group (``e-ktp``, ``jalan-jalan``)."""
    return _GROUP.findall(_fold(text))


def _fold(text: str) -> str:
    return "".join(ch if ch.isascii() else _ascii(ch) for ch in text.casefold())


def _ascii(ch: str) -> str:
    import unicodedata

    base = unicodedata.normalize("NFKD", ch)[:1]
    return base if base.isascii() and base.isalnum() else " "


def unreduplicated(word: str) -> str:
    """``sampah2`` -> ``sampah``: the desk's shorthand for a doubled word."""
    match = _REDUPLICATED_DIGIT.match(word)
    return match.group(1) if match else word


def group_forms(group: str) -> tuple[list[str], list[str]]:
    """A hyphenated group as (its parts, extra forms for the word index).

    ``jalan-jalan`` is ``jalan``; ``e-ktp`` is ``e`` and ``ktp``, and also
    ``ektp`` joined; long groups with digits (registration numbers) are parts only.
    """
    parts = [unreduplicated(p) for p in group.split("-")]
    if len(parts) == 1:
        return parts, []
    base = parts[0]
    if all(p == base for p in parts) or (len(parts) == 2 and parts[1].startswith(base)):
        # jalan-jalan, anak-anaknya: a reduplication, the first half is the word
        return [base] + [p for p in parts[1:] if p != base], [base]
    if len(parts) == 2 and not any(ch.isdigit() for ch in group):
        return parts, [parts[0] + parts[1]]
    return parts, []


def stems(word: str) -> tuple[str, ...]:
    """The stem candidates of one word (the word itself when no rule applies safely)."""
    word = unreduplicated(word)
    if len(word) < MIN_WORD or not word.isalpha() or word in PROTECTED:
        return (word,)
    if word.endswith("nya") and len(word) - 3 >= MIN_STEM:
        # -nya, or a root ending in it (bertanya): both, the nonsense one matches nothing
        whole = _prefixed(word)
        return tuple(dict.fromkeys([*whole, *stems(word[:-3])]))
    found = _prefixed(word)
    if found:
        return tuple(dict.fromkeys(found))
    if word.endswith("an") and len(word) - 2 >= MIN_STEM:
        return (word[:-2],)
    return (word,)


def _prefixed(word: str) -> list[str]:
    """Stems after a prefix and its allowed suffixes; empty when no prefix rule holds."""
    if word.startswith(("memper", "diper")):
        rest = "per" + word[6 if word.startswith("memper") else 5 :]
        return _with_suffixes([rest], ("kan", "i"), bare=True)
    if word.startswith("ke"):
        return _with_suffixes([word[2:]], ("an",), bare=False)
    for prefix in ("di", "ter", "ber"):
        if word.startswith(prefix):
            suffixes = ("kan", "i") if prefix == "di" else ("kan", "an")
            return _with_suffixes([word[len(prefix) :]], suffixes, bare=True)
    if word.startswith("me"):
        return _with_suffixes(_nasal(word[2:]), ("kan", "i"), bare=True)
    if word.startswith("per"):
        return _with_suffixes([word], ("an", "i"), bare=False)
    if word.startswith("pe"):
        return _with_suffixes(_nasal(word[2:]), ("an",), bare=False)
    return []


def _nasal(rest: str) -> list[str]:
    """What ``me-``/``pe-`` leave of the root: ``nulis`` -> tulis or nulis."""
    vowels = "aeiou"
    if rest.startswith("ny") and rest[2:3] in vowels:
        return ["s" + rest[2:], "ny" + rest[2:]]
    if rest.startswith("ng"):
        tail = rest[2:]
        return [tail, "k" + tail] if tail[:1] in vowels else [tail]
    if rest.startswith("m"):
        tail = rest[1:]
        return ["p" + tail, "m" + tail] if tail[:1] in vowels else [tail]
    if rest.startswith("n"):
        tail = rest[1:]
        return ["t" + tail, "n" + tail] if tail[:1] in vowels else [tail]
    if rest[:1] in "lrwy" and rest[1:2] in vowels:
        return [rest]
    return []


def _with_suffixes(roots: list[str], suffixes: tuple[str, ...], *, bare: bool) -> list[str]:
    """Each root with one allowed suffix taken off, and as it is when ``bare`` allows it."""
    out: list[str] = []
    for root in roots:
        for suffix in suffixes:
            if root.endswith(suffix) and _stem_ok(root[: -len(suffix)]):
                out.append(root[: -len(suffix)])
                break
        if bare and _stem_ok(root):
            out.append(root)
    return out


def _stem_ok(stem: str) -> bool:
    return len(stem) >= MIN_STEM and any(ch in "aeiou" for ch in stem)
