"""The reference server's practice copy of the LAPOR! report form, over real loopback HTTP."""

from __future__ import annotations

import re
from pathlib import Path

import requests

from sync.reference_server.practice_form import PRACTICE_PATH
from sync.reference_server.practice_records import FIRST_PRACTICE_ID
from tests.support.reference_server import running_reference_server

FORM = {
    "klasifikasi": "Pengaduan",
    "judul": "Jalan rusak di Desa Contoh",
    "isi": "Sejak Oktober jalan berlubang, motor sering jatuh.\nMohon diperbaiki.",
    "tanggal": "2026-11-20",
    "lokasi": "Jl. Contoh, Desa Contoh, Lingga",
    "instansi": "Dinas Pekerjaan Umum",
    "kategori": "Pekerjaan Umum",
    "rahasia": "1",
}


def _tracking_id(html: str) -> int:
    found = re.search(r'id="tracking-id">#(\d+)<', html)
    assert found, html
    return int(found.group(1))


def test_a_report_typed_into_the_practice_form_gets_a_tracking_id(tmp_path: Path) -> None:
    with running_reference_server(tmp_path / "server") as server:
        url = server.url + PRACTICE_PATH
        page = requests.get(url, timeout=10)
        assert page.status_code == 200
        assert "LATIHAN" in page.text and "Anonim" in page.text and "Rahasia" in page.text

        photo = ("foto.jpg", b"\xff\xd8\xff\xd9", "image/jpeg")
        sent = requests.post(url, data=FORM, files={"lampiran": photo}, timeout=10)
        second = requests.post(url, data=FORM, timeout=10)

        assert sent.status_code == 200, sent.text
        first_id = _tracking_id(sent.text)
        assert first_id == FIRST_PRACTICE_ID
        assert _tracking_id(second.text) == first_id + 1
        typed = requests.get(f"{url}/{first_id}.json", timeout=10).json()
        assert typed["judul"] == FORM["judul"] and typed["isi"] == FORM["isi"]
        assert typed["rahasia"] is True and typed["anonim"] is False
        assert typed["lampiran"] == ["foto.jpg"] and typed["lampiran_bytes"] == 4


def test_the_practice_form_refuses_what_lapor_would_and_keeps_the_typing(tmp_path: Path) -> None:
    with running_reference_server(tmp_path / "server") as server:
        url = server.url + PRACTICE_PATH
        incomplete = FORM | {"judul": "<script>alert(1)</script>", "isi": "", "anonim": "1"}

        refused = requests.post(url, data=incomplete, timeout=10)

        assert refused.status_code == 422
        assert "Isi laporan wajib diisi." in refused.text
        assert "<script>alert(1)</script>" not in refused.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in refused.text
        assert re.search(r'id="anonim" name="anonim" value="1"\s*checked', refused.text)
        assert re.search(r'id="rahasia" name="rahasia" value="1"\s*checked', refused.text)
        assert requests.get(f"{url}/{FIRST_PRACTICE_ID}.json", timeout=10).status_code == 404


def test_practice_ids_survive_a_server_restart(tmp_path: Path) -> None:
    with running_reference_server(tmp_path / "server") as server:
        first = _tracking_id(requests.post(server.url + PRACTICE_PATH, data=FORM, timeout=10).text)
    with running_reference_server(tmp_path / "server") as server:
        again = requests.post(server.url + PRACTICE_PATH, data=FORM, timeout=10)
        assert _tracking_id(again.text) == first + 1
