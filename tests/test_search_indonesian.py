"""Search that understands Indonesian: stems with guards, reduplication, hyphens, vocabulary."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from lapor_desktop.desk import Desk
from lapor_desktop.domain.indonesian_words import stems
from lapor_desktop.domain.search_vocabulary import load_vocabulary, query_words
from lapor_desktop.services.context import Actor
from lapor_desktop.services.lookup import ComplaintQuery
from lapor_desktop.storage.search import rebuild_word_index, unindexed_count
from tests.support.samples import valid_form


@pytest.mark.parametrize(
    ("word", "wrong"),
    [("perbaikan", "baik"), ("kerusakan", "rusa"), ("kepala", "pala"), ("pendapatan", "dapat")],
)
def test_the_stemmer_never_lands_on_another_common_word(word: str, wrong: str) -> None:
    assert wrong not in stems(word)


@pytest.mark.parametrize(
    ("words", "stem"),
    [
        (("kerusakan", "merusak", "rusak"), "rusak"),
        (("perbaikan", "diperbaiki", "memperbaiki", "perbaiki"), "perbaik"),
        (("kebanjiran", "banjir"), "banjir"),
        (("berlubang", "lubang"), "lubang"),
        (("sampah2", "sampah"), "sampah"),
    ],
)
def test_variants_of_a_word_share_a_stem(words: tuple[str, ...], stem: str) -> None:
    assert all(stem in stems(w) for w in words)


def test_an_office_can_add_vocabulary_lines() -> None:
    vocabulary = load_vocabulary(["posyandu = pos yandu, psyd"])
    assert query_words("psyd", vocabulary)[0].terms == ("posyandu",)


@pytest.fixture
def texts(desk: Desk, clerk: Actor) -> dict[str, str]:
    bodies = {
        "road": ("Jalan rusak parah", "Jalan desa rusak dan berlubang sejak musim hujan."),
        "jl": ("Kerusakan di Jl. Merdeka", "Aspal jl merdeka bolong di depan pasar."),
        "good": ("Pelayanan baik sekali", "Petugas bersikap baik dan ramah kepada warga."),
        "repair": ("Perbaikan dermaga", "Perbaikan dermaga belum selesai juga."),
        "ektp": ("E-KTP belum jadi", "Sudah tiga bulan e-KTP saya belum dicetak."),
        "ktpel": ("Cetak KTP-el", "Blanko KTP-el kosong di kantor dinas."),
        "pju": ("Lampu jalan mati", "Lampu penerangan di gang kami mati total."),
        "trash": ("Sampah2 menumpuk", "Sampah-sampah tidak diangkut di pasar ikan."),
        "meter": ("Token listrik", "Nomor meter 45012345678 tidak bisa diisi token sejak kemarin."),
    }
    return {
        key: desk.intake.submit(valid_form(title=t, description=d), actor=clerk).uuid
        for key, (t, d) in bodies.items()
    }


def _found(desk: Desk, clerk: Actor, words: str) -> list[str]:
    return [s.uuid for s in desk.lookup.find(ComplaintQuery(text=words), actor=clerk)]


def test_morphological_variants_and_abbreviations_find_each_other(
    desk: Desk, clerk: Actor, texts: dict[str, str]
) -> None:
    assert set(_found(desk, clerk, "kerusakan")) == {texts["road"], texts["jl"]}
    assert set(_found(desk, clerk, "jln rsk")) == {texts["road"], texts["jl"]}
    assert texts["jl"] in _found(desk, clerk, "jalan lubang")
    assert set(_found(desk, clerk, "diperbaiki")) == {texts["repair"]}
    assert texts["good"] not in _found(desk, clerk, "perbaikan")


def test_hyphenated_words_are_found_joined_split_and_by_vocabulary(
    desk: Desk, clerk: Actor, texts: dict[str, str]
) -> None:
    both = {texts["ektp"], texts["ktpel"]}
    assert set(_found(desk, clerk, "ektp")) == both
    assert set(_found(desk, clerk, "e-ktp")) == both
    assert set(_found(desk, clerk, "ktp")) == both
    assert set(_found(desk, clerk, "sampah2")) == {texts["trash"]}
    assert set(_found(desk, clerk, "pju mati")) == {texts["pju"]}


def test_exact_matches_rank_before_stemmed_ones(
    desk: Desk, clerk: Actor, texts: dict[str, str]
) -> None:
    found = _found(desk, clerk, "kerusakan")
    assert found[0] == texts["jl"]
    newest = desk.lookup.find(ComplaintQuery(text="kerusakan", order="newest"), actor=clerk)
    assert [s.uuid for s in newest] == [texts["jl"], texts["road"]]


def test_a_number_quoted_in_the_text_is_found(
    desk: Desk, clerk: Actor, texts: dict[str, str]
) -> None:
    assert _found(desk, clerk, "45012345678") == [texts["meter"]]
    assert desk.lookup.count(ComplaintQuery(text="45012345678"), actor=clerk) == 1


def test_the_rebuild_restores_a_lost_word_index(
    desk: Desk, clerk: Actor, texts: dict[str, str]
) -> None:
    with desk.database.write() as session:
        session.execute(text("DELETE FROM complaint_words"))
        assert unindexed_count(session) == len(texts)
    assert _found(desk, clerk, "kerusakan") == []
    with desk.database.write() as session:
        assert rebuild_word_index(session.connection()) == len(texts)
        assert unindexed_count(session) == 0
    assert len(_found(desk, clerk, "kerusakan")) == 2


def test_an_edited_draft_is_found_by_its_new_words(desk: Desk, clerk: Actor) -> None:
    draft = desk.intake.save_draft(valid_form(title="Jalan rusak", nik="1"), actor=clerk)
    assert _found(desk, clerk, "kerusakan") == [draft.uuid]
    edited = valid_form(title="Pohon tumbang", description="Pohon roboh menutup jalan setapak.")
    desk.intake.submit(edited, actor=clerk, complaint_uuid=draft.uuid)
    assert _found(desk, clerk, "kerusakan") == []
    assert _found(desk, clerk, "roboh") == [draft.uuid]
